"""A key remapped onto a screen's binding works though the focused table binds it too.

With `"browser.next_page" = "pagedown"` the browser's status line said "pgdn pages", and PageDown
only moved the results table's cursor: the focused table answers its own keys first. The tables
(the browser's, the deck list) now give way to a key the keymap gave to their screen or the app.
"""

from __future__ import annotations

from pathlib import Path

from textual.widgets import DataTable

from retain.ui.screens.browser import BrowserScreen

from .conftest import OpenApp
from .screen import screen_text


def _big_deck(home: Path, cards: int = 150) -> None:
    body = "".join(
        f'\n[[cards]]\nid = "c{i}"\nfront = "Question {i}"\nback = "A {i}"\n' for i in range(cards)
    )
    (home / "decks" / "big.toml").write_text(f'format = 1\n[deck]\nid = "big"\nname = "Big"\n{body}', "utf-8")


def _keymap(home: Path, entries: str) -> None:
    config = home / "config.toml"
    config.write_text(config.read_text("utf-8") + f"\n[keymap]\n{entries}\n", "utf-8")


async def _browse_and_press(open_app: OpenApp, key: str, browse_key: str = "b") -> tuple[str, int]:
    app = open_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press(browse_key)
        await pilot.pause()
        assert isinstance(app.screen, BrowserScreen)
        table = app.screen.query_one(DataTable)
        for _ in range(40):  # (the matches are read in a worker: no next page before they are in)
            await pilot.pause(0.05)
            if "of 160 cards" in screen_text(app).splitlines()[0]:
                break
        await pilot.press("down")  # from the search box to the results, as a user goes
        await pilot.pause()
        assert app.focused is table
        start = table.cursor_row
        await pilot.press(key)
        for _ in range(20):  # (the next page is read in a worker)
            await pilot.pause(0.05)
            status = screen_text(app).splitlines()[0]
            if "rows 1–100" not in status:
                break
        return status, table.cursor_row - start


async def test_a_page_key_remapped_to_pagedown_turns_the_page(retain_home: Path, open_app: OpenApp) -> None:
    _big_deck(retain_home)
    _keymap(retain_home, '"browser.next_page" = "pagedown"')
    status, _row = await _browse_and_press(open_app, "pagedown")
    assert "rows 101–" in status, status


async def test_without_a_remap_pagedown_moves_the_tables_cursor(retain_home: Path, open_app: OpenApp) -> None:
    _big_deck(retain_home)
    status, row = await _browse_and_press(open_app, "pagedown")
    assert "rows 1–100" in status and row > 0, (status, row)


async def test_the_deck_list_gives_way_too(retain_home: Path, open_app: OpenApp) -> None:
    """`"home.browse" = "j"`: the deck list's own `j` (cursor down) took it, and b was gone."""
    _keymap(retain_home, '"home.browse" = "j"')
    _big_deck(retain_home)
    status, _moved = await _browse_and_press(open_app, "end", browse_key="j")
    assert "Browse" in status
