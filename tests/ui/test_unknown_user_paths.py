"""A path typed with a `~user` that has no home (pathlib raises RuntimeError) is one line in
the share dialogs, never a crash of the app, and `plan_export` refuses it with InteropError."""

from __future__ import annotations

import pytest
from textual.widgets import Input, Select, Static

from retain.core.model import Card, Deck
from retain.interop.errors import InteropError
from retain.interop.group_export import bare_name_refused, is_folder_target, plan_export, progress_refused
from retain.ui.screens.share_export import ExportScreen
from retain.ui.screens.share_import import ImportScreen

from .conftest import OpenApp
from .test_share_screens import _until

NOBODY = "~no-such-user-retain-test"


@pytest.mark.parametrize("out", [f"{NOBODY}/k.toml", f"{NOBODY}/", f"{NOBODY}/folder", f"{NOBODY}"])
def test_plan_export_refuses_an_unknown_users_home_in_one_line(out: str) -> None:
    deck = Deck("k", "K", cards=(Card("a", front="q", back="a"),))
    is_folder_target(out)  # a question: never raises
    bare_name_refused(out)
    progress_refused(out)
    with pytest.raises(InteropError) as caught:
        plan_export([deck], out)
    assert NOBODY in str(caught.value) and "\n" not in str(caught.value)


async def test_the_import_dialog_refuses_an_unknown_users_home(open_app: OpenApp) -> None:
    app = open_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("i")
        screen = app.screen
        assert isinstance(screen, ImportScreen)
        screen.query_one(Input).value = f"{NOBODY}/cards.csv"
        await pilot.press("enter")
        status = screen.query_one("#share-diff", Static)
        await _until(lambda: "refused" in str(status.render()), pilot)
        assert NOBODY in str(status.render())
        assert app.is_running and app.return_code is None


async def test_the_export_dialog_refuses_an_unknown_users_home(open_app: OpenApp) -> None:
    app = open_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("x")
        screen = app.screen
        assert isinstance(screen, ExportScreen)
        path_input = screen.query_one("#share-path", Input)
        path_input.value = f"{NOBODY}/k.apkg"
        select = screen.query_one(Select)
        options = [value for _label, value in select._options if isinstance(value, str)]
        select.value = options[-1]  # choosing a deck renames the file in the path typed
        await pilot.pause()
        assert path_input.value.startswith(f"{NOBODY}/")
        path_input.focus()
        await pilot.press("enter")
        status = screen.query_one("#share-diff", Static)
        await _until(lambda: NOBODY in str(status.render()), pilot)
        assert app.is_running and app.return_code is None
