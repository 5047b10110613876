"""File names and deck groups a stranger chose never reach the terminal raw through a suggestion.

The import dialog's path completion listed (and Tab filled in) a file named
`a\\x1b]52;c;…\\x07….toml`: its OSC 52 clipboard write and CSI codes went to the
terminal as they were. The new-deck dialog's group suggestion drew a shared
deck's group the same way.
"""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Input

from retain.ui.screens.share_import import ImportScreen
from retain.ui.widgets.path_complete import PathComplete

from .conftest import OpenApp

HOSTILE = "a\x1b]52;c;SGVsbG8=\x07\x1b[31m\x9b\u202eb"


async def test_a_file_name_with_controls_is_not_offered(open_app: OpenApp, tmp_path: Path) -> None:
    folder = tmp_path / "shared"
    folder.mkdir()
    (folder / f"{HOSTILE}.toml").write_text("x", encoding="utf-8")
    (folder / "a-plain.toml").write_text("x", encoding="utf-8")
    app = open_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("i")
        screen = app.screen
        assert isinstance(screen, ImportScreen)
        path_input = screen.query_one(Input)
        complete = screen.query_one(PathComplete)
        path_input.focus()
        path_input.value = f"{folder}/a"
        path_input.cursor_position = len(path_input.value)
        await pilot.pause()
        offered = [
            str(complete.option_list.get_option_at_index(i).prompt)
            for i in range(complete.option_list.option_count)
        ]
        assert offered == ["a-plain.toml"], offered


async def test_a_group_with_controls_is_not_suggested(open_app: OpenApp, tmp_path: Path) -> None:
    from textual.widgets import Input

    from retain.ui.screens.new_deck import NewDeckScreen

    screen = NewDeckScreen(lambda deck: None, set(), [f"G{HOSTILE}", "Good group"])
    app = open_app()
    async with app.run_test(size=(100, 30)) as pilot:
        app.push_screen(screen)
        await pilot.pause()
        group = screen.query_one("#new-deck-group", Input)
        group.focus()
        await pilot.press("G")
        await pilot.pause(0.2)
        assert group._suggestion == "Good group", repr(group._suggestion)
