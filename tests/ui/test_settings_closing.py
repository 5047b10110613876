"""Leaving the settings screen right after a save ended retain with a traceback
(`NoMatches: '#settings-hint'`): the hint was scheduled after a refresh by a focus change, and ran
while the screen was being taken down, its widgets already gone. Seen in the installed app under
load (`,` ctrl+n, a field typed into, ctrl+s, esc); here the closing state is made directly."""

from __future__ import annotations

from retain.ui.screens.settings import SettingsScreen

from .conftest import OpenApp
from .test_settings import open_settings, settle


async def test_a_hint_that_runs_while_the_screen_is_taken_down_does_nothing(open_app: OpenApp) -> None:
    app = open_app()
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_settings(pilot)
        assert isinstance(screen, SettingsScreen)
        await screen.query_one("#settings-hint").remove()  # (as while the screen is taken down)
        screen._show_hint()  # the call a focus change scheduled: no NoMatches
        await pilot.press("escape")
        await settle(pilot)
        assert app.is_running and not isinstance(app.screen, SettingsScreen)
