"""`x` on a group row exports the whole group; the import dialog takes a folder; both dialogs complete paths."""

from __future__ import annotations

from pathlib import Path

from textual.pilot import Pilot
from textual.widgets import Button, Input, ProgressBar, Select, Static

from retain.core.deckfile import parse_deck
from retain.interop.bundle import Bundle
from retain.interop.importer import read_file
from retain.ui.app import RetainApp
from retain.ui.screens.home import HomeScreen
from retain.ui.screens.share_export import ExportScreen
from retain.ui.screens.share_import import ImportScreen
from retain.ui.widgets.deck_table import DeckTable
from retain.ui.widgets.path_complete import PathComplete

from .conftest import OpenApp

GROUP = "Distributed Systems Interview"
GROUP_DECKS = ["consul", "kafka", "redis"]  # the test library's decks in that group


async def _until(predicate: object, pilot: Pilot[None], tries: int = 200) -> None:
    for _ in range(tries):
        if predicate():  # type: ignore[operator]
            return
        await pilot.pause(0.05)
    raise AssertionError("condition never became true")


def _read(path: Path, stage: Path) -> Bundle:
    stage.mkdir(exist_ok=True)
    return read_file(path, stage)


async def _export_dialog_on_the_group(app: RetainApp, pilot: Pilot[None]) -> ExportScreen:
    home = app.screen
    assert isinstance(home, HomeScreen)
    row = home.query_one(DeckTable).selected_row()
    assert row is not None and row.is_group and row.label == GROUP
    await pilot.press("x")
    screen = app.screen
    assert isinstance(screen, ExportScreen)
    return screen


async def test_x_on_a_group_exports_the_whole_group_to_one_apkg(open_app: OpenApp, tmp_path: Path) -> None:
    app = open_app()
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await _export_dialog_on_the_group(app, pilot)
        assert screen.query_one(Select).value == f"group:{GROUP}"
        assert screen.query_one(Input).value.endswith("distributed-systems-interview.apkg")
        out = tmp_path / "ds.apkg"
        screen.query_one(Input).value = str(out)
        screen.query_one("#share-apply", Button).press()
        await _until(lambda: not isinstance(app.screen, ExportScreen), pilot)
    bundle = _read(out, tmp_path / "stage")
    assert sorted(d.id for d in bundle.decks) == GROUP_DECKS
    assert {d.group for d in bundle.decks} == {GROUP}


async def test_x_on_a_group_exports_to_a_folder_of_toml_files(open_app: OpenApp, tmp_path: Path) -> None:
    app = open_app()
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await _export_dialog_on_the_group(app, pilot)
        screen.query_one(Input).value = f"{tmp_path / 'out'}/"
        screen.query_one("#share-apply", Button).press()
        await _until(lambda: not isinstance(app.screen, ExportScreen), pilot)
    files = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert files == [f"{d}.toml" for d in GROUP_DECKS]
    deck = parse_deck((tmp_path / "out" / "kafka.toml").read_text("utf-8")).deck
    assert deck is not None and deck.group == GROUP


async def test_a_group_into_one_toml_file_is_refused_in_the_dialog(open_app: OpenApp, tmp_path: Path) -> None:
    app = open_app()
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await _export_dialog_on_the_group(app, pilot)
        screen.query_one(Input).value = str(tmp_path / "all.toml")
        screen.query_one("#share-apply", Button).press()
        await pilot.pause()
        assert "a .toml file holds one deck" in str(screen.query_one("#share-diff", Static).render())
        assert app.screen is screen and not (tmp_path / "all.toml").exists()


async def test_the_import_dialog_imports_a_folder(
    open_app: OpenApp, retain_home: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "incoming"
    folder.mkdir()
    (folder / "words.tsv").write_text("hola\thello\nadiós\tgoodbye\n", encoding="utf-8")
    (folder / "verbs.csv").write_text("ser,to be\nir,to go\n", encoding="utf-8")
    (folder / "broken.toml").write_text("format = 1\n[deck\n", encoding="utf-8")
    app = open_app()
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await pilot.press("i")
        screen = app.screen
        assert isinstance(screen, ImportScreen)
        apply_button = screen.query_one("#share-apply", Button)
        screen.query_one(Input).value = str(folder)
        await pilot.press("enter")
        await _until(lambda: not apply_button.disabled, pilot)
        diff = str(screen.query_one("#share-diff", Static).render())
        assert "broken.toml: refused:" in diff and "words.tsv: deck words: 2 added" in diff
        assert diff.startswith("would import 2 files (2 decks); 1 refused: broken.toml")  # seen first
        assert screen.query_one(ProgressBar).total is not None  # it pulsed while reading; no longer
        assert not (retain_home / "decks" / "words.toml").exists()
        apply_button.press()
        await _until(lambda: not isinstance(app.screen, ImportScreen), pilot)
        assert (
            app.collection.library.get("words") is not None
            and app.collection.library.get("verbs") is not None
        )
        # (posted by the dialog as it closes: handled a moment after the screen is gone)
        await _until(
            lambda: any("Imported 2 files (2 decks)" in str(n.message) for n in app._notifications), pilot
        )


async def test_the_path_completes_as_you_type(open_app: OpenApp, tmp_path: Path) -> None:
    folder = tmp_path / "downloads"
    (folder / "spanish-decks").mkdir(parents=True)
    (folder / "spanish.apkg").write_bytes(b"")
    (folder / "spanish-notes.pdf").write_bytes(b"")  # not importable: not offered
    (folder / ".spanish.tsv").write_bytes(b"")  # hidden until a dot is typed
    app = open_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("i")
        screen = app.screen
        assert isinstance(screen, ImportScreen)
        path_input = screen.query_one(Input)
        complete = screen.query_one(PathComplete)
        path_input.focus()
        path_input.value = f"{folder}/sp"
        path_input.cursor_position = len(path_input.value)
        await pilot.pause()
        offered = [
            str(complete.option_list.get_option_at_index(i).prompt)
            for i in range(complete.option_list.option_count)
        ]
        assert sorted(offered) == ["spanish-decks/", "spanish.apkg"]
        assert complete.display
        await pilot.press("tab")  # the highlighted entry: folders come first
        assert path_input.value == f"{folder}/spanish-decks/"
        assert isinstance(app.screen, ImportScreen)  # Tab and Enter complete; they neither leave nor submit


async def test_enter_on_a_typed_new_file_name_exports_to_that_name(open_app: OpenApp, tmp_path: Path) -> None:
    """`redis.apkg` typed whole, then Enter: the completion list had fuzzy-matched `redis-full.apkg`
    (an existing file) and Enter put that name in the box; the next Enter offered to replace it."""
    (tmp_path / "redis-full.apkg").write_bytes(b"mine")
    app = open_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("x")
        await pilot.pause()
        path = app.screen.query_one("#share-path", Input)
        path.focus()
        await pilot.pause()  # focus selects the whole text: set it after that
        path.value = f"{tmp_path}/"
        path.cursor_position = len(path.value)
        await pilot.pause()
        await pilot.press(*"redis.apkg")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert path.value == f"{tmp_path}/redis.apkg"
