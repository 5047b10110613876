"""The export dialog refuses a media link beside the file before it asks "Replace?" (h39).

It asked "pics.md already exists. Replace?" and refused the `pics.media` link only once the user
had agreed."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Button, Input, Select, Static

from retain.ui.screens.confirm import ConfirmScreen
from retain.ui.screens.share_export import ExportScreen

from .conftest import OpenApp


def _deck(decks: Path) -> None:
    """Deck `pics`, whose one card shows `pics.media/a.png`."""
    (decks / "pics.media").mkdir(parents=True)
    (decks / "pics.media" / "a.png").write_bytes(b"\x89PNG\r\n\x1a\nnot really")
    (decks / "pics.toml").write_text(
        'format = 1\n[deck]\nid = "pics"\nname = "Pics"\n\n'
        '[[cards]]\nid = "one"\nfront = "![x](pics.media/a.png)"\nback = "b"\n',
        encoding="utf-8",
    )


async def test_the_link_is_refused_before_replace_is_asked(
    open_app: OpenApp, retain_home: Path, tmp_path: Path
) -> None:
    _deck(retain_home / "decks")
    shared, elsewhere = tmp_path / "shared", tmp_path / "elsewhere"
    shared.mkdir()
    elsewhere.mkdir()
    (shared / "pics.md").write_text("last week's\n", encoding="utf-8")
    (shared / "pics.media").symlink_to(elsewhere)
    app = open_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("x")
        screen = app.screen
        assert isinstance(screen, ExportScreen)
        screen.query_one(Select).value = "pics"
        await pilot.pause()
        screen.query_one("#share-path", Input).value = str(shared / "pics.md")
        screen.query_one("#share-apply", Button).press()
        await pilot.pause(0.3)
        assert not isinstance(app.screen, ConfirmScreen)
        shown = str(screen.query_one("#share-diff", Static).render())
        assert shown.startswith("Export failed: ") and "pics.media is a symbolic link" in shown, shown
    assert (shared / "pics.md").read_text("utf-8") == "last week's\n"
    assert list(elsewhere.iterdir()) == []


async def test_a_group_of_one_deck_says_one_deck(open_app: OpenApp, retain_home: Path) -> None:
    (retain_home / "decks" / "solo.toml").write_text(
        'format = 1\n[deck]\nid = "solo"\nname = "Solo"\ngroup = "Lone"\n\n'
        '[[cards]]\nid = "one"\nfront = "q"\nback = "a"\n',
        encoding="utf-8",
    )
    app = open_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("x")
        screen = app.screen
        assert isinstance(screen, ExportScreen)
        labels = [str(prompt) for prompt, _value in screen.query_one(Select)._options]
        assert "Lone: the whole group (1 deck)" in labels, labels
