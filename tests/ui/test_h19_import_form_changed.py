"""The import dialog's Import writes what the form says (h19): after a preview, changing the path
or the history box left Import enabled with the old preview's plan. It wrote the file previewed
before, not the one typed, and left out the review history ticked after the preview."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Button, Checkbox, Input, Static

from retain.ui.screens.share_import import ImportScreen

from .conftest import OpenApp, preview_import, until

FIXTURE = Path(__file__).parent.parent / "fixtures" / "anki" / "layout-latest.apkg"


def _csv(home: Path, name: str, front: str) -> Path:
    path = home / name
    path.write_text(f"front,back\n{front},answer\n", encoding="utf-8")
    return path


async def test_a_new_path_after_the_preview_needs_a_new_preview(retain_home: Path, open_app: OpenApp) -> None:
    first, second = _csv(retain_home, "a_first.csv", "one"), _csv(retain_home, "b_second.csv", "two")
    app = open_app()
    async with app.run_test(size=(100, 30)) as pilot:
        apply_button = await preview_import(app, pilot, first, history=False)
        screen = app.screen
        assert isinstance(screen, ImportScreen)
        screen.query_one(Input).value = str(second)
        await pilot.pause()
        assert apply_button.disabled and screen.plan is None
        assert "press Preview" in str(screen.query_one("#share-diff", Static).render())
        await pilot.press("enter")  # the new path's preview
        await until(lambda: not apply_button.disabled, pilot)
        assert "b-second" in str(screen.query_one("#share-diff", Static).render())
        apply_button.press()
        await until(lambda: not isinstance(app.screen, ImportScreen), pilot)
    assert (retain_home / "decks" / "b-second.toml").exists()
    assert not (retain_home / "decks" / "a-first.toml").exists()


async def test_ticking_history_after_the_preview_needs_a_new_preview(
    retain_home: Path, open_app: OpenApp
) -> None:
    app = open_app()
    async with app.run_test(size=(100, 30)) as pilot:
        apply_button = await preview_import(app, pilot, FIXTURE, history=False)
        screen = app.screen
        assert isinstance(screen, ImportScreen)
        screen.query_one("#share-history-flag", Checkbox).value = True
        await pilot.pause()
        assert apply_button.disabled and screen.plan is None
        await pilot.click("#share-preview")
        await until(lambda: not apply_button.disabled, pilot)
        assert screen.reviews, "the preview with the box ticked reads the history"
        assert isinstance(screen.query_one("#share-apply", Button), Button)
