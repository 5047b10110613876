"""The TUI import dialog says what a folder import leaves out, and why a file holds no cards."""

from __future__ import annotations

from pathlib import Path

from textual.pilot import Pilot
from textual.widgets import Button, Input, Static

from retain.ui.app import RetainApp
from retain.ui.screens.share_import import ImportScreen

from .conftest import OpenApp
from .test_share_screens import _until


async def _refusal(app: RetainApp, pilot: Pilot[None], path: Path) -> str:
    """What the import dialog shows once it has refused `path`."""
    await pilot.press("i")
    screen = app.screen
    assert isinstance(screen, ImportScreen)
    screen.query_one(Input).value = str(path)
    await pilot.press("enter")
    status = screen.query_one("#share-diff", Static)
    await _until(lambda: "refused" in str(status.render()), pilot)
    assert screen.query_one("#share-apply", Button).disabled
    return str(status.render())


async def test_a_folder_preview_names_the_links_it_leaves_out(
    open_app: OpenApp, retain_home: Path, tmp_path: Path
) -> None:
    secret = tmp_path / "secret.csv"
    secret.write_text("my password,hunter2\n", encoding="utf-8")
    folder = tmp_path / "from-a-stranger"
    folder.mkdir()
    (folder / "words.tsv").write_text("hola\thello\n", encoding="utf-8")
    (folder / "notes.csv").symlink_to(secret)
    app = open_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("i")
        screen = app.screen
        assert isinstance(screen, ImportScreen)
        apply_button = screen.query_one("#share-apply", Button)
        screen.query_one(Input).value = str(folder)
        await pilot.press("enter")
        await _until(lambda: not apply_button.disabled, pilot)
        diff = str(screen.query_one("#share-diff", Static).render())
        assert diff.startswith("would import 1 file (1 deck)"), diff
        assert "warning: 1 symbolic link(s) not imported: notes.csv" in diff
        apply_button.press()
        await _until(lambda: not isinstance(app.screen, ImportScreen), pilot)
        assert app.collection.library.get("words") is not None
    assert not (retain_home / "decks" / "notes.toml").exists()
    assert "hunter2" not in "".join(p.read_text("utf-8") for p in (retain_home / "decks").glob("*.toml"))


async def test_a_folder_of_links_only_is_refused_naming_them(open_app: OpenApp, tmp_path: Path) -> None:
    (tmp_path / "real.csv").write_text("a,b\n", encoding="utf-8")
    folder = tmp_path / "links"
    folder.mkdir()
    (folder / "cards.csv").symlink_to(tmp_path / "real.csv")
    app = open_app()
    async with app.run_test(size=(100, 30)) as pilot:
        shown = await _refusal(app, pilot, folder)
        assert "no deck files here" in shown and "1 symbolic link(s) not imported: cards.csv" in shown


async def test_a_file_whose_cards_are_all_skipped_shows_why(open_app: OpenApp, tmp_path: Path) -> None:
    cards = tmp_path / "cloze.csv"
    cards.write_text("#notetype:Cloze\nno deletion here,extra\n", encoding="utf-8")
    app = open_app()
    async with app.run_test(size=(100, 30)) as pilot:
        shown = (await _refusal(app, pilot, cards)).splitlines()
        assert shown[0] == "Import refused: nothing to import: the file holds no cards", shown
        assert shown[1:] == ["warning: line 2 skipped: cloze note without {{c1::...}} deletions"]
