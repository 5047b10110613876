"""A review interval of N days lands on the study day N days after the review's, also across a
DST change. The scheduler added N x 24 hours: on the day New York's clocks go back (25 hours),
a card reviewed in the hour after the 4 am rollover and given 1 day came due at 03:30 the next
night, still the study day it was reviewed on, so with reviews due all their study day the
session served it again at once; on the day clocks go forward a due landed a day late."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from retain.core.scheduler import Scheduler
from retain.core.settings import StudySettings
from retain.core.state import REVIEW, CardState
from retain.core.studyday import StudyDay

ZONES = ("America/New_York", "Europe/Berlin", "Australia/Lord_Howe", "UTC")
# the 2026 DST changes of those zones, in UTC
CHANGES = (
    datetime(2026, 3, 8, 7, tzinfo=UTC),
    datetime(2026, 11, 1, 6, tzinfo=UTC),
    datetime(2026, 3, 29, 1, tzinfo=UTC),
    datetime(2026, 10, 25, 1, tzinfo=UTC),
    datetime(2026, 4, 4, 15, tzinfo=UTC),
    datetime(2026, 10, 3, 15, tzinfo=UTC),
)


def test_a_review_in_the_hour_after_the_rollover_on_the_fall_back_eve_is_due_the_next_study_day() -> None:
    day = StudyDay(4, ZoneInfo("America/New_York"))
    at = datetime(2026, 10, 31, 8, 30, tzinfo=UTC)  # 04:30 EDT, study day Oct 31
    state = CardState(REVIEW, None, 1.0, 5.0, at, at - timedelta(days=1), 3, 0)
    for rating, after in Scheduler(StudySettings(fuzz=False), day).preview("k/a", state, at).items():
        if after.state == REVIEW and after.due is not None:
            days = round((after.due - at) / timedelta(days=1))
            assert day.of(after.due) == day.of(at) + timedelta(days=days), (rating, after.due)


def test_a_review_just_before_the_rollover_on_the_spring_forward_eve_is_not_a_day_late() -> None:
    """Berlin, rollover 3 am: a review at 02:59 CET on 28 March is study day 27 March. Hard gives
    3 days: study day 30 March (from 03:00 CEST). 72 hours later is 03:59 CEST on the 31st,
    past that day's rollover: study day 31 March, a day late."""
    day = StudyDay(3, ZoneInfo("Europe/Berlin"))
    at = datetime(2026, 3, 28, 1, 59, tzinfo=UTC)
    state = CardState(REVIEW, None, 1.0, 5.0, at, at - timedelta(days=1), 3, 0)
    hard = Scheduler(StudySettings(fuzz=False), day).preview("k/a", state, at)[2]
    assert day.of(at) == date(2026, 3, 27) and hard.due is not None
    assert day.of(hard.due) == date(2026, 3, 30), hard.due


@settings(max_examples=150, deadline=None)
@given(
    zone=st.sampled_from(ZONES),
    rollover=st.integers(0, 23),
    change=st.sampled_from(CHANGES),
    shift=st.integers(-48 * 60, 48 * 60),
    stability=st.floats(0.5, 40.0),
)
def test_a_review_interval_lands_on_a_later_study_day_at_its_time_or_its_start(
    zone: str, rollover: int, change: datetime, shift: int, stability: float
) -> None:
    """Never on the study day of the review; either N x 24 hours later on the study day N days
    on, or (a DST change between) at the start of a study day; Hard <= Good <= Easy by day."""
    day = StudyDay(rollover, ZoneInfo(zone))
    at = change + timedelta(minutes=shift)
    state = CardState(REVIEW, None, stability, 5.0, at, at - timedelta(days=max(1.0, stability)), 3, 0)
    days = []
    for _rating, after in sorted(Scheduler(StudySettings(fuzz=False), day).preview("k/a", state, at).items()):
        if after.state != REVIEW or after.due is None or after.due - at < timedelta(hours=20):
            continue
        on = day.of(after.due)
        assert on > day.of(at), (at, after.due)
        whole = (after.due - at) / timedelta(days=1)
        kept = whole == round(whole) and on == day.of(at) + timedelta(days=round(whole))
        assert kept or after.due == day.start_of(on), (at, after.due)
        days.append(on)
    assert days == sorted(days)
