"""h37 attack on the import dialog (`i`).

- Enter in the path box (or Preview) while a folder import was being written started a new
  preview that cancelled the import's worker and emptied the staging folder it read from; files
  were then "refused" with no reason.
- A folder import read each file again at Import: a file changed since the preview (a synced
  folder) was written as it was then, removing cards the preview never showed.
- A read-only retain (another one holds the writer lock) wrote the deck files, then said their
  review history was not recorded; the CLI refuses such an import before writing anything.
"""

from __future__ import annotations

import threading
from datetime import UTC, timedelta
from pathlib import Path

from textual.widgets import Button, Checkbox, Input, Static

from retain.store.collection import Collection
from retain.store.home import open_home
from retain.ui.app import RetainApp
from retain.ui.screens.share_import import ImportScreen

from .conftest import FIXED_NOW, OpenApp, until

FIXTURE = Path(__file__).parent.parent / "fixtures" / "anki" / "layout-latest.apkg"
READ_ONLY = "Read-only: another retain is running. Close it to import here."


def _deck(deck_id: str, cards: int) -> str:
    body = "".join(f'\n[[cards]]\nid = "c{i}"\nfront = "q{i}"\nback = "a{i}"\n' for i in range(cards))
    return f'format = 1\n[deck]\nid = "{deck_id}"\nname = "{deck_id.title()}"\n{body}'


def _said(app: RetainApp) -> list[str]:
    return [str(n.message) for n in app._notifications]


def _status(screen: ImportScreen) -> str:
    return str(screen.query_one("#share-diff", Static).render())


async def _preview_folder(app: RetainApp, pilot: object, folder: Path) -> tuple[ImportScreen, Button]:
    await pilot.press("i")  # type: ignore[attr-defined]
    screen = app.screen
    assert isinstance(screen, ImportScreen)
    screen.query_one(Input).value = str(folder)
    apply_button = screen.query_one("#share-apply", Button)
    await pilot.press("enter")  # type: ignore[attr-defined]
    await until(lambda: not apply_button.disabled, pilot)  # type: ignore[arg-type]
    return screen, apply_button


async def test_nothing_starts_a_preview_while_a_folder_import_writes(
    open_app: OpenApp, retain_home: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "share"
    folder.mkdir()
    for name in ("alpha", "beta"):
        (folder / f"{name}.toml").write_text(_deck(name, 3), encoding="utf-8")
    app = open_app()
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        screen, apply_button = await _preview_folder(app, pilot, folder)
        assert _status(screen).startswith("would import 2 files (2 decks)")
        # the import stops at its first counted step until released: it is "being written"
        held, release = threading.Event(), threading.Event()
        shown = screen._progress

        def hold(stage: str, done: int, total: int) -> None:
            if not held.is_set():
                held.set()
                release.wait(10)
            shown(stage, done, total)

        screen._progress = hold  # type: ignore[method-assign]
        apply_button.press()
        await until(held.is_set, pilot)
        assert screen.writing
        (folder / "gamma.toml").write_text(_deck("gamma", 2), encoding="utf-8")  # a synced folder
        try:
            # every way to a preview: Enter in the path box, the Preview button, the form
            path_box = screen.query_one(Input)
            path_box.post_message(Input.Submitted(path_box, path_box.value))
            screen.query_one("#share-preview", Button).press()
            screen.preview()
            await pilot.press("tab", "enter")
            await pilot.pause(0.3)
            assert _status(screen).startswith("would import 2 files (2 decks)"), _status(screen)
            assert apply_button.disabled and not any(w.is_cancelled for w in screen.workers)
            assert path_box.disabled and screen.query_one("#share-history-flag", Checkbox).disabled
        finally:
            release.set()
        await until(lambda: not isinstance(app.screen, ImportScreen), pilot)
        await until(lambda: any("Imported" in s for s in _said(app)), pilot)
    said = _said(app)
    assert any(s.startswith("Imported 2 files (2 decks)") and "refused" not in s for s in said), said
    assert any("Still importing" in s for s in said), said
    assert sorted(p.name for p in (retain_home / "decks").glob("[abg]*.toml")) == ["alpha.toml", "beta.toml"]
    assert not screen.stage.exists()  # cleaned up once, after the import


async def test_a_file_changed_since_the_preview_is_refused_with_its_reason(
    open_app: OpenApp, retain_home: Path, tmp_path: Path
) -> None:
    (retain_home / "decks" / "alpha.toml").write_text(_deck("alpha", 5), encoding="utf-8")
    folder = tmp_path / "share"
    folder.mkdir()
    (folder / "alpha.toml").write_text(_deck("alpha", 5), encoding="utf-8")
    (folder / "beta.toml").write_text(_deck("beta", 2), encoding="utf-8")
    (folder / "gone.toml").write_text(_deck("gone", 2), encoding="utf-8")
    app = open_app()
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        screen, apply_button = await _preview_folder(app, pilot, folder)
        preview = _status(screen)
        assert "alpha.toml: deck alpha: 0 added, 0 changed, 0 removed, 5 unchanged" in preview, preview
        (folder / "alpha.toml").write_text(_deck("alpha", 2), encoding="utf-8")  # 3 cards gone since
        (folder / "gone.toml").unlink()
        apply_button.press()
        await until(lambda: not isinstance(app.screen, ImportScreen), pilot)
        await until(lambda: any("Imported" in s for s in _said(app)), pilot)
    said = next(s for s in _said(app) if "Imported" in s)
    assert said.startswith("Imported 1 file (1 deck); 2 refused: "), said
    assert "alpha.toml: changed since the preview" in said, said
    assert "gone.toml: " in said and "no such file" in said, said
    assert (retain_home / "decks" / "alpha.toml").read_text("utf-8").count("[[cards]]") == 5
    assert (retain_home / "decks" / "beta.toml").exists()


async def test_a_read_only_retain_imports_nothing(open_app: OpenApp, retain_home: Path) -> None:
    writer = Collection.open(open_home(), FIXED_NOW, tz=UTC)  # the other retain, holding the lock
    try:
        app = open_app()
        async with app.run_test(size=(100, 30), notifications=True) as pilot:
            assert app.collection.read_only
            await pilot.press("i")
            screen = app.screen
            assert isinstance(screen, ImportScreen)  # the preview (a dry run) is a read
            screen.query_one("#share-history-flag", Checkbox).value = True
            screen.query_one(Input).value = str(FIXTURE)
            apply_button = screen.query_one("#share-apply", Button)
            await pilot.press("enter")
            await until(lambda: not apply_button.disabled, pilot)
            preview = _status(screen)
            assert "languages-spanish: 3 added" in preview
            apply_button.press()
            await pilot.pause(0.5)
            assert not (retain_home / "decks" / "languages-spanish.toml").exists()
            assert not screen.writing and app.screen is screen
            assert READ_ONLY + " Nothing was written." in _said(app), _said(app)
            assert preview.endswith(READ_ONLY), preview
            # the other retain closes: Import takes over the recording and imports it all
            writer.close(FIXED_NOW + timedelta(minutes=1))
            apply_button.press()
            await until(lambda: not isinstance(app.screen, ImportScreen), pilot)
            await until(lambda: any("Imported" in s for s in _said(app)), pilot)
        said = next(s for s in _said(app) if "Imported" in s)
        assert "review history" in said and "not recorded" not in said, said
        assert (retain_home / "decks" / "languages-spanish.toml").exists()
    finally:
        writer.close(FIXED_NOW + timedelta(minutes=1))


async def test_a_history_import_writes_its_snapshots_at_once(open_app: OpenApp, retain_home: Path) -> None:
    """The dialog's history import left its events uncompacted until the app quit: every
    `retain due` or `retain stats` meanwhile read the whole imported log again (12 s and 300 MB
    for 117k rows). Its snapshots are written as `retain import` writes them."""
    app = open_app()
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await pilot.press("i")
        screen = app.screen
        assert isinstance(screen, ImportScreen)
        screen.query_one("#share-history-flag", Checkbox).value = True
        screen.query_one(Input).value = str(FIXTURE)
        apply_button = screen.query_one("#share-apply", Button)
        await pilot.press("enter")
        await until(lambda: not apply_button.disabled, pilot)
        apply_button.press()
        await until(lambda: not isinstance(app.screen, ImportScreen), pilot)
        await until(lambda: any("Imported" in s for s in _said(app)), pilot)
        said = next(s for s in _said(app) if "Imported" in s)
        assert "recorded" in said and "snapshots were not written" not in said, said
        # the app still open: a reader's start finds the imported deck's progress in a snapshot
        snapshots = sorted(p.name for p in (retain_home / "state" / "snapshots").glob("*.toml"))
        assert snapshots == ["general-knowledge.toml"], snapshots  # (the deck with the reviews)
