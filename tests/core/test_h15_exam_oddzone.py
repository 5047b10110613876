"""`cap_many` caps as `cap_state` does in a zone whose offset is no whole quarter hour (h15).

`cap_many` decided a DST change's cap once per UTC quarter hour of the last review, taking a
quarter hour to lie in one study day. In a zone with an offset like +0:07:30 (a POSIX `TZ` such
as `LMT-0:07:30`, with DST) the rollover splits a quarter hour: the cards reviewed after it
were given the cap of the cards reviewed before it, a whole study day early.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, tzinfo

import fsrs
from hypothesis import given, settings
from hypothesis import strategies as st

from retain.core.exam import ExamPlan, cap_many, cap_state, days_to_recall
from retain.core.state import REVIEW, CardState
from retain.core.studyday import StudyDay

DECAY = float(fsrs.scheduler.DEFAULT_PARAMETERS[20])
CHANGE = datetime(2026, 3, 29, 1, 0, tzinfo=UTC)  # its clocks go forward an hour here


class _Odd(tzinfo):
    """A fixed odd offset, an hour more from `CHANGE` on."""

    def __init__(self, offset: timedelta) -> None:
        self.offset = offset

    def _at(self, utc: datetime) -> timedelta:
        return self.offset + (timedelta(hours=1) if utc >= CHANGE.replace(tzinfo=None) else timedelta(0))

    def utcoffset(self, dt: datetime | None) -> timedelta | None:
        if dt is None:
            return None
        after = dt.replace(tzinfo=None) >= (CHANGE + self.offset + timedelta(hours=1)).replace(tzinfo=None)
        return self.offset + timedelta(hours=1) if after else self.offset

    def fromutc(self, dt: datetime) -> datetime:
        utc = dt.replace(tzinfo=None)
        return (utc + self._at(utc)).replace(tzinfo=self)

    def dst(self, dt: datetime | None) -> timedelta:
        return timedelta(0)

    def tzname(self, dt: datetime | None) -> str:
        return "ODD"


@settings(max_examples=60, deadline=None)
@given(
    offset_s=st.sampled_from([450, -450, 7 * 60 + 31, 3600 + 450, -(3 * 3600 + 450)]),
    rollover=st.integers(0, 23),
    days=st.integers(1, 4),
)
def test_every_card_of_a_split_quarter_hour_gets_its_own_cap(offset_s: int, rollover: int, days: int) -> None:
    day = StudyDay(rollover, _Odd(timedelta(seconds=offset_s)))
    start = day.start_of(day.of(CHANGE) - timedelta(days=days))  # a rollover `days` before the change
    stability = (days + 0.5) / days_to_recall(1.0, 0.95, DECAY)  # t* = days + 0.5: capped to `days`
    plan = ExamPlan(start + timedelta(days=60), 0.95, DECAY, None, day)
    now = start - timedelta(hours=2)
    states = {
        f"d/c{i}": CardState(REVIEW, None, stability, 5.0, last + timedelta(days=30), last, 3, 0)
        for i, last in enumerate(start + timedelta(seconds=s) for s in range(-900, 900, 20))
    }
    many = cap_many(states, list(states), plan, now)
    for key, state in states.items():
        assert many.get(key, state) == cap_state(state, plan, now), key
