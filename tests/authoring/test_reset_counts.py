"""The reset's message counts the cards it changed, not the cards marked: "Progress of 139 cards
reset" was said when 4 of them had progress (and the undo then said "Undid reset of 4 cards")."""

from __future__ import annotations

from datetime import UTC
from pathlib import Path

from authoring_data import FIXED_NOW, SIZE, OpenApp
from test_h4_reset_undo_browser import BIG_KEYS, big, open_browser, toasts

from retain.core.state import CardState
from retain.store.collection import Collection
from retain.store.home import open_home
from retain.store.state.progress_edits import reset_progress

__all__ = ["big"]  # (the fixture, used by name)


async def test_a_reset_of_marked_cards_counts_those_it_changed(
    big: dict[str, CardState], retain_home: Path, open_app: OpenApp
) -> None:
    with Collection.open(open_home(), FIXED_NOW, tz=UTC) as col:
        reset_progress(col, BIG_KEYS[:1], FIXED_NOW)  # one card new already
    app = open_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_browser(pilot, "deck:big")
        await pilot.press("asterisk", "r", "y")
        await pilot.pause(0.2)
        said = toasts(app)
        assert (
            "Progress of 49 of 50 cards reset (1 was new already): they are new again (ctrl+z to undo)"
            in said
        )
        await pilot.press("r", "y")  # the same 50 still marked
        await pilot.pause(0.2)
        assert "Nothing was reset: the 50 cards are new already" in toasts(app), toasts(app)
        await pilot.press("ctrl+z")  # undo takes back the one reset that changed something
        await pilot.pause(0.2)
        assert "Undid reset of 49 cards" in toasts(app), toasts(app)
