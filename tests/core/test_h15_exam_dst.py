"""`cap_many` caps as `cap_state` does on the day of a fall-back (h15).

`cap_many` sends only the caps that a UTC offset change lies between (or on) through
`cap_moment`; the changes were found to within a second, a fraction of a second late. A review
at 03:00 in Berlin (rollover 3) the day before the 2026 fall-back, capped to one day, has its
cap 24 hours on at 01:00 UTC, the change itself: `cap_many` missed the change and left the card
due at 02:00 CET, still its last review's study day (due again at once), where `cap_state` (and
the previews) put it at the next study day's 03:00.
"""

from __future__ import annotations

from datetime import date, timedelta
from zoneinfo import ZoneInfo

import fsrs
import pytest

from retain.core.exam import ExamPlan, cap_many, cap_state, days_to_recall
from retain.core.state import REVIEW, CardState
from retain.core.studyday import StudyDay

DECAY = float(fsrs.scheduler.DEFAULT_PARAMETERS[20])


@pytest.mark.parametrize(
    ("zone", "change", "rollover"),
    [("Europe/Berlin", date(2026, 10, 25), 3), ("America/New_York", date(2026, 11, 1), 2)],
)
def test_a_cap_that_falls_on_the_fall_back_itself_is_on_the_next_study_day(
    zone: str, change: date, rollover: int
) -> None:
    day = StudyDay(rollover, ZoneInfo(zone))
    last = day.start_of(change - timedelta(days=1))  # the review at the rollover, the day before
    stability = 1.5 / days_to_recall(1.0, 0.95, DECAY)  # t* = 1.5 days: capped to 1
    plan = ExamPlan(last + timedelta(days=60), 0.95, DECAY, None, day)
    state = CardState(REVIEW, None, stability, 5.0, last + timedelta(days=2), last, 3, 0)
    capped = cap_state(state, plan, last)
    assert capped.due is not None and day.of(capped.due) == day.of(last) + timedelta(days=1)
    many = cap_many({"d/c": state}, ["d/c"], plan, last)["d/c"]
    assert many == capped
