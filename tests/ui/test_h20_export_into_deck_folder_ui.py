"""The export screen refuses a copy of a deck into a folder the library reads, as `retain export` does."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Button, Input, Select, Static

from retain.ui.screens.share_export import ExportScreen

from .conftest import OpenApp


async def test_a_copy_into_the_deck_folder_is_refused_in_the_dialog(
    retain_home: Path, open_app: OpenApp
) -> None:
    app = open_app()
    before = sorted(p.name for p in (retain_home / "decks").iterdir())
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("x")
        screen = app.screen
        assert isinstance(screen, ExportScreen)
        assert str(screen.query_one(Select).value).startswith("group:")  # a whole group, to a folder
        screen.query_one(Input).value = str(retain_home / "decks" / "copies") + "/"
        screen.query_one("#share-apply", Button).press()
        await pilot.pause()
        await screen.workers.wait_for_complete()
        shown = " ".join(str(s.render()) for s in screen.query(Static))
        assert app.screen is screen and "would be a second deck '" in shown, shown
    assert sorted(p.name for p in (retain_home / "decks").iterdir()) == before
