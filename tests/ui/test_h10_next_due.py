"""What a week of use found in the daily loop: the custom-study summary's "Next due" (a review is
served from the start of its study day), and what bury says before the 4 am rollover."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from retain.core.custom_study import CustomStudy
from retain.core.state import REVIEW, CardState, Event
from retain.store.collection import Collection
from retain.store.home import open_home
from retain.ui.app import RetainApp
from retain.ui.screens.study import StudyScreen
from retain.ui.screens.summary import SummaryScreen

from .conftest import OpenApp
from .screen import screen_text
from .test_h5_time import Clock, wait_for
from .test_study_day import served

MORNING = datetime(2025, 3, 10, 9, 15, tzinfo=UTC)  # study day 2025-03-10 (rollover 4 am, UTC)
DUE = datetime(2025, 3, 11, 19, 0, tzinfo=UTC)  # the next study day, in the evening
NIGHT = datetime(2025, 3, 11, 2, 30, tzinfo=UTC)  # still study day 2025-03-10: 04:00 is 90 min away


def _listen(app: RetainApp, notes: list[str]) -> None:
    """Keep every message the app shows in `notes` (and show it)."""
    real = app.notify

    def notify(message: str, **kw: Any) -> None:
        notes.append(str(message))
        real(message, **kw)

    app.notify = notify  # type: ignore[method-assign]


def _kafka_reviews_due(home: Path, due: datetime, at: datetime) -> list[str]:
    """Every kafka card in review, due at `due` (reviewed 10 days before `at`)."""
    col = Collection.open(open_home(), at, tz=UTC)
    try:
        keys = [u.key for u in col.units if u.deck_id == "kafka"]
        last = at - timedelta(days=10)
        for key in keys:
            state = CardState(REVIEW, None, 10.0, 5.0, due, last, 2, 0)
            col.record(Event(col.new_event_id(last), "review", key, last, state, None, 3, 1000))
    finally:
        col.close(at)
    return keys


async def test_cram_summary_says_when_a_review_is_next_served(retain_home: Path, open_app: OpenApp) -> None:
    """A Kafka cram at 09:15 of cards due tomorrow at 19:00 said "Next due  in 1d" (the raw due
    time); a review is served from the start of its study day, 04:00: "in 19h"."""
    _kafka_reviews_due(retain_home, DUE, MORNING)
    clock = Clock(MORNING)
    app = open_app(clock=clock)
    study = CustomStudy("cram", deck_ids=("kafka",), label="Kafka")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        app.start_custom_study(study)
        await pilot.pause()
        assert isinstance(app.screen, StudyScreen), screen_text(app)
        await pilot.press("space", "3")  # one card, then Esc with the others left
        await pilot.pause()
        await pilot.press("escape")
        shown = await wait_for(app, pilot, "Session summary")
        assert isinstance(app.screen, SummaryScreen), shown
        assert "Next due  in 19h" in shown, shown


async def test_bury_before_the_rollover_says_the_card_comes_back_at_4_am(
    retain_home: Path, open_app: OpenApp
) -> None:
    """`b` at 02:30 said "Card buried until tomorrow": it comes back at 04:00 the same morning."""
    clock = Clock(NIGHT)
    app = open_app(["kafka"], start_in_review=True, clock=clock)
    notes: list[str] = []
    async with app.run_test(size=(100, 30)) as pilot:
        key = served(app)
        assert key is not None
        _listen(app, notes)
        await pilot.press("b")
        await pilot.pause()
        assert app.collection.states[key].buried_until == "2025-03-11"
    assert notes, notes
    said = notes[-1]
    assert "tomorrow" not in said, said
    assert said == "Card buried until 04:00 (u to undo)", said


async def test_bury_in_the_evening_says_tomorrow_at_4_am(retain_home: Path, open_app: OpenApp) -> None:
    """`b` at 21:00: the card comes back tomorrow at 04:00."""
    clock = Clock(datetime(2025, 3, 10, 21, 0, tzinfo=UTC))
    app = open_app(["kafka"], start_in_review=True, clock=clock)
    notes: list[str] = []
    async with app.run_test(size=(100, 30)) as pilot:
        _listen(app, notes)
        await pilot.press("b")
        await pilot.pause()
    assert notes and notes[-1] == "Card buried until tomorrow 04:00 (u to undo)", notes


async def test_browser_preview_says_until_when_a_card_is_buried(retain_home: Path, open_app: OpenApp) -> None:
    """The browser's preview of a card buried at 02:30 says it comes back at 04:00."""
    col = Collection.open(open_home(), NIGHT, tz=UTC)
    try:
        session = col.start_session(["kafka"], NIGHT)
        assert session.current is not None
        key = session.current.key
        session.bury(NIGHT)
    finally:
        col.close(NIGHT)
    app = open_app(clock=Clock(NIGHT))
    async with app.run_test(size=(160, 40)) as pilot:
        await pilot.pause()
        from retain.ui.authoring import open_browser

        open_browser(app, "is:buried")
        await pilot.pause(0.3)
        shown = screen_text(app)
    assert "buried until 04:00" in shown, (key, shown)
