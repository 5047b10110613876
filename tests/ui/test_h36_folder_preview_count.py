"""h36 attack: the import dialog's folder preview and its summary count each deck once (five
copies of one deck: `would import 5 files (1 deck)`; before: `(5 decks)`)."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Button, Input, Static

from retain.ui.screens.share_import import ImportScreen

from .conftest import OpenApp
from .test_share_screens import _until

DECK = 'format = 1\n[deck]\nid = "same"\n[[cards]]\nid = "a"\nfront = "q"\nback = "b"\n'


async def test_five_copies_of_one_deck_preview_as_one_deck(
    open_app: OpenApp, retain_home: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "copies"
    folder.mkdir()
    for n in range(5):
        (folder / f"c{n}.toml").write_text(DECK, encoding="utf-8")
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
        assert diff.startswith("would import 5 files (1 deck)"), diff
        apply_button.press()
        await _until(lambda: not isinstance(app.screen, ImportScreen), pilot)
    assert [p.name for p in (retain_home / "decks").glob("same*")] == ["same.toml"]
