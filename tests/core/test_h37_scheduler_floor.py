"""A review is due all its study day: the same rating on the same study day gives the same interval.

The floor of a passing review ("never shorter than the interval it had", for a card that was
due) used to ask whether the review came at or after the due *moment*: a card that had 30 days,
rated Good at 09:00 on its due study day (before the clock time of its previous review, 12:00)
got 28 days, and 30 at 12:00 the same study day.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from retain.core.scheduler import Scheduler
from retain.core.settings import StudySettings
from retain.core.state import REVIEW, CardState
from retain.core.studyday import StudyDay


def _review_card(day: StudyDay, last: datetime, days: int, stability: float, difficulty: float) -> CardState:
    return CardState(
        state=REVIEW,
        stability=stability,
        difficulty=difficulty,
        due=day.days_after(last, days),
        last_review=last,
        reps=5,
    )


@settings(max_examples=300, deadline=None)
@example(  # CI's: the due day is the spring-forward day, 23 hours long; 23:00 after its start is the next
    key="alpha/c0", days=54, stability=1.0, difficulty=1.0, late=3, hours=(0.0, 23.0), rollover=4,
    zone="America/New_York", maximum=30, fuzz=False, clock=0.0,
)  # fmt: skip
@given(
    key=st.sampled_from([f"alpha/c{i}" for i in range(40)]),
    days=st.integers(1, 400),
    stability=st.floats(0.5, 500),
    difficulty=st.floats(1, 10),
    late=st.integers(0, 3),
    hours=st.tuples(st.floats(0, 23.99), st.floats(0, 23.99)),
    rollover=st.sampled_from([0, 4, 12]),
    zone=st.sampled_from(["UTC", "America/New_York"]),
    maximum=st.sampled_from([30, 36500]),
    fuzz=st.booleans(),
    clock=st.floats(0, 23.99),
)
def test_same_study_day_any_hour_same_intervals(
    key: str,
    days: int,
    stability: float,
    difficulty: float,
    late: int,
    hours: tuple[float, float],
    rollover: int,
    zone: str,
    maximum: int,
    fuzz: bool,
    clock: float,
) -> None:
    day = StudyDay(rollover, ZoneInfo(zone))
    sched = Scheduler(replace(StudySettings(), maximum_interval=maximum, fuzz=fuzz), day)
    start = day.start_of(datetime(2025, 1, 10).date())
    last = start + timedelta(hours=clock)
    card = _review_card(day, last, days, stability, difficulty)
    assert card.due is not None
    due_day = day.of(card.due) + timedelta(days=late)
    ats = [day.start_of(due_day) + timedelta(hours=h) for h in hours]
    assume(all(day.of(at) == due_day for at in ats))  # (a 23-hour study day at a DST change)
    first, second = (sched.preview(key, card, at) for at in ats)
    for rating in (2, 3, 4):
        a, b = first[rating], second[rating]
        assert a.due is not None and b.due is not None
        assert (a.stability, a.difficulty, a.state) == (b.stability, b.difficulty, b.state)
        assert (day.of(a.due) - day.of(ats[0])).days == (day.of(b.due) - day.of(ats[1])).days, rating


def test_good_before_the_clock_time_of_the_last_review_keeps_the_interval() -> None:
    """The attacker's case (`maximum_interval = 30`): 30 days at 12:00, rated Good at 09:00 and at
    12:00 of the due day: 30 days both times (FSRS says 30, fuzz alone 27 to 30)."""
    day = StudyDay(4, UTC)
    sched = Scheduler(replace(StudySettings(), maximum_interval=30), day)
    last = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
    for i in range(200):
        key = f"alpha/c{i}"
        card = _review_card(day, last, 30, 31.0, 5.0)
        early = sched.preview(key, card, datetime(2026, 12, 1, 9, 0, tzinfo=UTC))[3]
        noon = sched.preview(key, card, datetime(2026, 12, 1, 12, 0, tzinfo=UTC))[3]
        assert early.due is not None and noon.due is not None
        assert (day.of(early.due) - day.of(noon.due)).days == 0, key
        assert (day.of(early.due) - day.of(early.last_review)).days == 30, key  # type: ignore[arg-type]
