"""Study ahead under "a review is due all its study day": day 1 is tomorrow, and what is due today
(later today, or overdue) comes too, first, as docs/custom-study.md says; what `is:due` finds is
always part of it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from queue_helpers import NOW, basic, review

from retain.core.custom_study import select_ahead, select_search
from retain.core.studyday import StudyDay

NOON = NOW  # 2026-03-28 12:00 UTC
DAY = StudyDay(4, UTC)
UNITS = [basic("d", f"c{i}") for i in range(6)]
STATES = {
    "d/c0": review(timedelta(hours=9)),  # this evening: due now (all its study day)
    "d/c1": review(timedelta(hours=15)),  # 03:00: still today's study day
    "d/c2": review(timedelta(hours=17)),  # tomorrow 05:00: day 1
    "d/c3": review(-timedelta(days=2)),  # overdue
    "d/c4": review(timedelta(days=1, hours=17)),  # day 2
    "d/c5": review(timedelta(hours=34)),  # tomorrow 22:00: day 1, though more than 24 hours away
}


def test_ahead_one_day_is_today_then_tomorrow_soonest_first() -> None:
    ahead = select_ahead(UNITS, STATES, NOON, 1, DAY.today(NOON), DAY.of)
    assert [u.key for u in ahead] == ["d/c3", "d/c0", "d/c1", "d/c2", "d/c5"]
    due = select_search(UNITS, STATES, "is:due", NOON, DAY.today(NOON), day_of=DAY.of)
    assert {u.key for u in due} == {"d/c3", "d/c0", "d/c1"} <= {u.key for u in ahead}


def test_just_before_and_at_the_rollover() -> None:
    before = datetime(2026, 3, 29, 3, 59, tzinfo=UTC)  # still the 28th's study day
    at = before + timedelta(minutes=1)
    assert [u.key for u in select_ahead(UNITS, STATES, before, 1, DAY.today(before), DAY.of)] == [
        "d/c3", "d/c0", "d/c1", "d/c2", "d/c5",
    ]  # fmt: skip
    assert [u.key for u in select_ahead(UNITS, STATES, at, 1, DAY.today(at), DAY.of)] == [
        "d/c3", "d/c0", "d/c1", "d/c2", "d/c5", "d/c4",
    ]  # fmt: skip
