"""The browser's Interval column counts a review's interval in study days, as its rating button
said (`Scheduler.label`) and as its due date is placed: a review rated the night before a
spring-forward is due 8 study days on, fewer than 8 x 24 hours later, and the column said 7d."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from retain.core.model import Unit
from retain.core.state import LEARNING, REVIEW, CardState
from retain.core.studyday import StudyDay
from retain.store.decks.browse import BrowseIndex

BERLIN = ZoneInfo("Europe/Berlin")
DAY = StudyDay(4, BERLIN)
UNIT = Unit("d/c", "d", "c", "", "basic", "front", "back")


def _row(state: CardState, now: datetime) -> str:
    return BrowseIndex([UNIT], {UNIT.key: state}, BERLIN, studyday=DAY).row(UNIT, now, DAY.of(now)).interval


@pytest.mark.parametrize("days", [1, 2, 8, 40])
def test_a_review_across_the_spring_forward_shows_its_study_days(days: int) -> None:
    rated = datetime(2027, 3, 27, 3, 30, tzinfo=BERLIN).astimezone(UTC)  # study day 26 March
    due = DAY.days_after(rated, days)
    assert (DAY.of(due) - DAY.of(rated)).days == days
    state = CardState(REVIEW, None, 10.0, 5.0, due, rated, 3, 0)
    assert _row(state, rated + timedelta(minutes=1)) == {1: "1d", 2: "2d", 8: "8d", 40: "1.3mo"}[days]


def test_a_learning_step_keeps_its_minutes() -> None:
    rated = datetime(2027, 3, 27, 3, 50, tzinfo=BERLIN).astimezone(UTC)
    state = CardState(LEARNING, 0, 1.0, 5.0, rated + timedelta(minutes=10), rated, 1, 0)
    assert _row(state, rated) == "<10m"  # (as its button said it)
