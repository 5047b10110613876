"""`[keymap] "browser.edit" = "e"` takes Enter off Edit: the key bar and the help said `e` only,
yet Enter on a results row still opened the card editor (the table's own Enter selects the
row, and selecting a row edits it). The table's Enter now follows the keymap."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import DataTable

from retain.ui.screens.browser import BrowserScreen
from retain.ui.screens.editor import EditorScreen

from .conftest import OpenApp


def _keymap(home: Path, entries: str) -> None:
    config = home / "config.toml"
    config.write_text(config.read_text("utf-8") + f"\n[keymap]\n{entries}\n", "utf-8")


async def _press_on_a_row(open_app: OpenApp, key: str) -> object:
    app = open_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("b")
        await pilot.pause()
        assert isinstance(app.screen, BrowserScreen)
        table = app.screen.query_one(DataTable)
        for _ in range(40):  # (the matches are read in a worker)
            await pilot.pause(0.05)
            if table.row_count:
                break
        await pilot.press("down")  # from the search box to the results
        await pilot.pause()
        assert app.focused is table
        await pilot.press(key)
        for _ in range(10):
            await pilot.pause(0.05)
        return type(app.screen)


@pytest.mark.parametrize(
    ("keymap", "key", "opens"),
    [
        ('"browser.edit" = "e"', "enter", BrowserScreen),  # Enter taken off Edit
        ('"browser.edit" = "e"', "e", EditorScreen),
        ('"browser.edit" = "ctrl+e,enter"', "enter", EditorScreen),
        ("", "enter", EditorScreen),  # the defaults: Enter edits
    ],
)
async def test_enter_on_a_row_edits_only_while_the_keymap_gives_it_to_edit(
    retain_home: Path, open_app: OpenApp, keymap: str, key: str, opens: type
) -> None:
    if keymap:
        _keymap(retain_home, keymap)
    assert await _press_on_a_row(open_app, key) is opens
