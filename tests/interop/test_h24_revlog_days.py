"""A review card's revlog interval, when its due date is a study day (as an Anki import or a "Set
due date" gives it), counts study days: a last review late in the day said a day less."""

from __future__ import annotations

from datetime import UTC, date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from retain.core.state import REVIEW, CardState
from retain.core.studyday import StudyDay
from retain.interop.anki.apkg_revlog import _revlog_ivl

DAY = StudyDay(4, UTC)


@given(
    hour=st.integers(0, 23),
    minute=st.integers(0, 59),
    days=st.integers(1, 400),
)
def test_a_due_study_day_counts_study_days_whatever_the_hour(hour: int, minute: int, days: int) -> None:
    reviewed = DAY.start_of(date(2026, 11, 2)) + timedelta(hours=hour, minutes=minute)  # 04:00 + ...
    due = DAY.start_of(DAY.of(reviewed) + timedelta(days=days))
    state = CardState(REVIEW, None, 30.0, 5.0, due, reviewed, 3, 0)
    assert _revlog_ivl(state, reviewed, DAY) == days


@given(days=st.integers(1, 400), hour=st.integers(0, 23))
def test_a_due_time_an_answer_gave_rounds_its_hours(days: int, hour: int) -> None:
    reviewed = DAY.start_of(date(2026, 11, 2)) + timedelta(hours=hour, minutes=17)
    state = CardState(REVIEW, None, 30.0, 5.0, reviewed + timedelta(days=days), reviewed, 3, 0)
    assert _revlog_ivl(state, reviewed, DAY) == days
