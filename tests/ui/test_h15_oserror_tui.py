"""The app's share dialogs say an operating-system error in words, on one line.

Before: exporting to a path below a file showed "Export failed: [Errno 20] Not a directory:
'/tmp/x/file/out.csv'"; a file of a folder import that could not be read showed Python's
rendering of the OSError too. Now: "… /tmp/x/file is a file, not a folder".
"""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Button, Input, Static

from retain.ui.screens.share_export import ExportScreen
from retain.ui.screens.share_import import ImportScreen

from .conftest import OpenApp


async def _until(predicate: object, pilot: object, tries: int = 100) -> None:
    for _ in range(tries):
        if predicate():  # type: ignore[operator]
            return
        await pilot.pause(0.05)  # type: ignore[attr-defined]
    raise AssertionError("condition never became true")


def _plain(text: str) -> None:
    assert "Errno" not in text and "'" not in text and "\n" not in text.strip(), text


async def test_an_export_below_a_file(open_app: OpenApp, tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    app = open_app()
    async with app.run_test(size=(160, 30)) as pilot:
        await pilot.press("x")
        screen = app.screen
        assert isinstance(screen, ExportScreen)
        screen.query_one(Input).value = str(blocker / "out.csv")
        screen.query_one("#share-apply", Button).press()
        status = screen.query_one("#share-diff", Static)
        await _until(lambda: "failed" in str(status.render()), pilot)
        shown = str(status.render()).strip()
    _plain(shown)
    assert shown == f"Export failed: {blocker} is a file, not a folder", shown
    assert blocker.read_text() == "x"


async def test_an_import_into_a_deck_folder_that_is_a_file(
    retain_home: Path, open_app: OpenApp, tmp_path: Path
) -> None:
    source = tmp_path / "in.toml"
    source.write_text(
        'format = 1\n[deck]\nid = "imp"\nname = "Imp"\n\n[[cards]]\nid = "a"\nfront = "q"\nback = "b"\n'
    )
    app = open_app()
    async with app.run_test(size=(160, 30)) as pilot:
        await pilot.press("i")
        screen = app.screen
        assert isinstance(screen, ImportScreen)
        apply_button = screen.query_one("#share-apply", Button)
        screen.query_one(Input).value = str(source)
        await pilot.press("enter")
        await _until(lambda: not apply_button.disabled, pilot)
        decks = retain_home / "decks"
        for child in decks.iterdir():
            child.unlink()
        decks.rmdir()
        decks.write_text("not a folder")  # (after the preview: the deck folder became a file)
        apply_button.press()
        status = screen.query_one("#share-diff", Static)
        await _until(lambda: "failed" in str(status.render()), pilot)
        shown = str(status.render()).strip()
    _plain(shown)
    assert shown.startswith(f"Import failed: {decks} is a file, not a folder"), shown
