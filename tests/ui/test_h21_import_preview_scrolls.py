"""The import dialog's preview can be read to its end: it stopped at 12 lines with no way to
scroll, so an upgrade changing more than 11 cards hid the cards it deletes, the review history
line, the warnings and "Press Import". The preview now takes the keyboard focus when it is longer
than its box, and scrolls with the arrows, PageDown and End."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Static

from retain.ui.screens.share_import import ImportScreen

from .conftest import OpenApp, preview_import
from .screen import screen_text, until


def _deck(version: str, changed: range = range(0), removed: range = range(0)) -> str:
    text = f'format = 1\n\n[deck]\nid = "mydeck"\nname = "My deck"\nversion = "{version}"\n'
    for i in range(30):
        if i not in removed:
            back = f"answer {i}" + (" (fixed)" if i in changed else "")
            text += f'\n[[cards]]\nid = "c{i:02d}"\nfront = "question {i}"\nback = "{back}"\n'
    return text


def _upgrade(home: Path, folder: Path, changed: range, removed: range = range(0)) -> Path:
    """`mydeck` 1.0 in the library, and its 2.0 file in `folder` (the path to preview)."""
    (home / "decks" / "mydeck.toml").write_text(_deck("1.0"), encoding="utf-8")
    upgrade = folder / "v2.toml"
    upgrade.write_text(_deck("2.0", changed=changed, removed=removed), encoding="utf-8")
    return upgrade


async def test_a_long_preview_is_read_to_its_end_from_the_keyboard(
    retain_home: Path, open_app: OpenApp, tmp_path: Path
) -> None:
    upgrade = _upgrade(retain_home, tmp_path, changed=range(20), removed=range(25, 30))
    app = open_app()
    async with app.run_test(size=(100, 50)) as pilot:
        await preview_import(app, pilot, upgrade, history=False)
        screen = app.screen
        assert isinstance(screen, ImportScreen)
        diff = screen.query_one("#share-diff", Static)
        box = screen.query_one("#share-diff-box")
        assert "- c29" in str(diff.render()) and "Press Import" in str(diff.render())
        assert "- c29" not in screen_text(app)  # below the box's 12 rows
        for _ in range(8):  # Tab reaches the preview (from the path, through the box and Preview)
            if screen.focused is box:
                break
            await pilot.press("tab")
        assert screen.focused is box, screen.focused
        await pilot.press("end")
        assert await until(pilot, lambda: "- c29" in screen_text(app) and "Press Import" in screen_text(app))
        await pilot.press("home")
        assert await until(pilot, lambda: "- c29" not in screen_text(app))
        await pilot.press("pagedown", "pagedown")
        assert await until(pilot, lambda: "Press Import" in screen_text(app))


async def test_a_short_preview_is_no_tab_stop(retain_home: Path, open_app: OpenApp, tmp_path: Path) -> None:
    upgrade = _upgrade(retain_home, tmp_path, changed=range(2))
    app = open_app()
    async with app.run_test(size=(100, 50)) as pilot:
        await preview_import(app, pilot, upgrade, history=False)
        screen = app.screen
        box = screen.query_one("#share-diff-box")
        assert "Press Import" in screen_text(app)
        for _ in range(8):
            await pilot.press("tab")
            assert screen.focused is not box


async def test_pagedown_scrolls_the_preview_from_the_path_field(
    retain_home: Path, open_app: OpenApp, tmp_path: Path
) -> None:
    """The focus stays where Enter left it (the path): PageDown reads on, PageUp goes back."""
    upgrade = _upgrade(retain_home, tmp_path, changed=range(20), removed=range(25, 30))
    app = open_app()
    async with app.run_test(size=(100, 50)) as pilot:
        await preview_import(app, pilot, upgrade, history=False)
        assert "Press Import" not in screen_text(app)
        await pilot.press("pagedown", "pagedown")
        assert await until(pilot, lambda: "- c29" in screen_text(app) and "Press Import" in screen_text(app))
        await pilot.press("pageup", "pageup")
        assert await until(pilot, lambda: "Press Import" not in screen_text(app))
