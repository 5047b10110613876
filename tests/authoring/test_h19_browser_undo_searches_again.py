"""ctrl+z in the browser searches again (h19): the cards it puts back may match the search again.

Marked cards reset under `-is:new` left the results (they are new); ctrl+z gave their progress
back, but the page was only drawn again from the old results: "0 of … cards · 50 marked", an
empty table, and `*` could not even clear the marks.
"""

from __future__ import annotations

from typing import Any

import pytest
from authoring_data import SIZE, OpenApp
from test_h4_reset_undo_browser import BIG_KEYS, big, open_browser, toasts  # noqa: F401 (the fixture)

from retain.ui.screens.browser import BrowserScreen


@pytest.mark.usefixtures("big")
async def test_undoing_a_reset_of_marked_cards_shows_them_again(open_app: OpenApp) -> None:
    app = open_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_browser(pilot, "deck:big -is:new")
        screen: Any = app.screen
        assert isinstance(screen, BrowserScreen) and len(screen.matches) == len(BIG_KEYS)
        await pilot.press("asterisk", "r", "y")
        await pilot.pause(0.2)
        assert screen.matches == []  # reset: new, out of the search
        await pilot.press("ctrl+z")
        await pilot.pause(0.2)
        assert "Undid reset of 50 cards" in toasts(app)
        assert sorted(u.key for u in screen.matches) == BIG_KEYS
        assert f"{len(BIG_KEYS)} of" in str(screen.query_one("#browser-status").render())
