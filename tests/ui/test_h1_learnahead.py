"""The study screen at 03:45: a relearning step of `1d` rated then is due from the 4 am rollover,
so learn-ahead (20 minutes) does not show it again today: the session ends, its summary says the
card is next due in under 15 minutes (at the rollover). It came back at once, 15 minutes before
its study day."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from retain.core.state import REVIEW, CardState, Event
from retain.store.collection import Collection
from retain.store.home import open_home
from retain.ui.screens.study import StudyScreen
from retain.ui.screens.summary import SummaryScreen

from .conftest import OpenApp
from .test_h5_time import Clock, wait_for
from .test_study_day import served

ROLLOVER = datetime(2025, 3, 11, 4, 0, tzinfo=UTC)  # study day 2025-03-11 begins (4 am, UTC)
LATE = ROLLOVER - timedelta(minutes=15)  # 03:45, still study day 2025-03-10


def _one_review_due(home: Path) -> str:
    """One kafka card in review, due at 03:45; relearning steps `1d`, no new cards."""
    (home / "config.toml").write_text(
        'learn_ahead_minutes = 20\n[study]\nfuzz = false\nnew_per_day = 0\nrelearning_steps = ["1d"]\n',
        encoding="utf-8",
    )
    col = Collection.open(open_home(), LATE, tz=UTC)
    try:
        key = next(u.key for u in col.units if u.deck_id == "kafka")
        last = LATE - timedelta(days=10)
        state = CardState(REVIEW, None, 10.0, 5.0, LATE, last, 2, 0)
        col.record(Event(col.new_event_id(last), "review", key, last, state, None, 3, 1000))
    finally:
        col.close(LATE)
    return key


async def test_a_day_step_rated_before_the_rollover_waits_for_it(
    retain_home: Path, open_app: OpenApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = _one_review_due(retain_home)
    monkeypatch.setattr(StudyScreen, "POLL_SECONDS", 0.01)
    clock = Clock(LATE)
    app = open_app(["kafka"], start_in_review=True, clock=clock)
    async with app.run_test(size=(100, 30)) as pilot:
        assert served(app) == key
        await pilot.press("space")
        await pilot.pause()
        await pilot.press("1")  # Again: the `1d` relearning step, due at 04:00
        shown = await wait_for(app, pilot, "Session summary")
        assert app.collection.states[key].due == ROLLOVER
        assert isinstance(app.screen, SummaryScreen), "the 1d step came back 15 minutes before its study day"
        assert "Next due  in <15m" in shown, shown
