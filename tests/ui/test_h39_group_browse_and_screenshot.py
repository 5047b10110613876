"""h39 (attacker 77): `b` on a group row of the deck list browsed every card of the library, not
the group's; the palette's "Screenshot" wrote to ~/Downloads and said only "Failed to save
screenshot" where that folder does not exist. It now saves in the current folder, as the
statistics screen's `e` does, and says where (or why not)."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Input

from retain.core.search import group_query
from retain.ui.screens.browser import BrowserScreen
from retain.ui.widgets.deck_table import DeckTable

from .conftest import OpenApp
from .screen import screen_text


def _group(decks: Path) -> None:
    for deck_id, cards in (("es", 2), ("fr", 1)):
        body = "".join(
            f'\n[[cards]]\nid = "c{i}"\nfront = "{deck_id} q{i}"\nback = "a"\n' for i in range(cards)
        )
        (decks / f"{deck_id}.toml").write_text(
            f'format = 1\n[deck]\nid = "{deck_id}"\nname = "{deck_id.upper()}"\ngroup = "Lang"\n{body}',
            encoding="utf-8",
        )


async def test_b_on_a_group_row_browses_the_groups_cards(open_app: OpenApp, retain_home: Path) -> None:
    _group(retain_home / "decks")
    app = open_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        table = app.screen.query_one(DeckTable)
        table.cursor_row = next(i for i, r in enumerate(table._rows) if r.is_group and r.label == "Lang")
        await pilot.press("b")
        await pilot.pause(0.5)
        screen = app.screen
        assert isinstance(screen, BrowserScreen)
        assert screen.query_one(Input).value == 'deck:"Lang"'
        assert "3 of 13 cards" in screen_text(app)  # (the group's 3 of the library's 13)


def test_a_group_name_a_search_cannot_quote_browses_everything() -> None:
    assert group_query("Lang") == 'deck:"Lang"'
    assert group_query('Say "hi"') == ""


async def test_the_palettes_screenshot_is_saved_in_the_current_folder(
    open_app: OpenApp, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    here = tmp_path / "here"
    here.mkdir()
    monkeypatch.chdir(here)
    monkeypatch.setenv("HOME", str(tmp_path / "no-downloads"))
    app = open_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        app.deliver_screenshot()
        await pilot.pause()
        saved = list(here.glob("retain-*.svg"))
        assert len(saved) == 1, saved
        assert "<svg" in saved[0].read_text("utf-8")
        said = [n.message for n in app._notifications]
        assert f"Saved {saved[0]}" in said, said
