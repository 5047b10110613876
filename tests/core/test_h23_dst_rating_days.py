"""A review is due as many study days after its rating as its button said, also when the answer
was read across a DST change's hour; read across the rollover, as many as the scheduler gives on
the rating's own study day (another elapsed day: test_h34_rating_time_previews).

`_anchored` moved the previewed due by the time the answer was on screen; the preview had set it
with the study-day rule (`StudyDay.days_after`: the same local time N days on, or the start of
that study day), so a shift crossing the rollover on either side landed it a day off: Hard said
`22d` at 02:59:52 (Berlin, a week before spring-forward) and, rated at 03:00:05, was due 23 study
days on.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st
from queue_helpers import basic
from test_review_session import MemoryRecorder

from retain.core.queue import DayLog, build_queue
from retain.core.scheduler import Scheduler
from retain.core.session import ReviewSession
from retain.core.settings import StudySettings
from retain.core.state import REVIEW, CardState
from retain.core.studyday import StudyDay

BERLIN = ZoneInfo("Europe/Berlin")


def _days_said_and_given(
    shown_at: datetime, rated_at: datetime, rating: int, tz: ZoneInfo
) -> tuple[int, int, int]:
    """(study days the button said, study days after the rating's the card is due, study days
    the scheduler gives at the rating's own time)."""
    day = StudyDay(4, tz)
    settings_ = StudySettings(fuzz=False)
    unit = basic("d", "a")
    state = CardState(
        REVIEW, None, 20.0, 5.0, shown_at - timedelta(hours=1), shown_at - timedelta(days=18), 3, 0
    )
    states = {unit.key: state}
    recorder = MemoryRecorder()
    recorder.states = states
    queue = build_queue([unit], states, DayLog(), lambda _d: settings_, shown_at, day.today(shown_at))
    session = ReviewSession(
        queue, states, lambda _d: Scheduler(settings_, day), recorder, {unit.key: unit}, shown_at
    )
    shown = session.previews(shown_at)[rating]
    session.reveal()
    event = session.rate(rating, rated_at)
    assert shown.due is not None and event.after is not None and event.after.due is not None
    assert event.after.state == REVIEW
    said = (day.of(shown.due) - day.of(shown_at)).days
    own = Scheduler(settings_, day).preview(unit.key, state, rated_at)[rating].due
    assert own is not None
    return said, (day.of(event.after.due) - day.of(rated_at)).days, (day.of(own) - day.of(rated_at)).days


def test_the_attackers_two_cases() -> None:
    before_three = datetime(2026, 3, 24, 2, 59, 52, tzinfo=BERLIN)
    said, given_, own = _days_said_and_given(before_three, before_three + timedelta(seconds=13), 2, BERLIN)
    assert given_ == said == own
    before_rollover = datetime(2026, 3, 24, 3, 59, 52, tzinfo=BERLIN)
    said, given_, own = _days_said_and_given(
        before_rollover, before_rollover + timedelta(seconds=13), 2, BERLIN
    )
    assert given_ == own  # rated on the next study day: one more elapsed day, that day's interval


@settings(max_examples=150, deadline=None)
@given(
    zone=st.sampled_from(["Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "America/Santiago"]),
    shown=st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2026, 12, 31)),
    wait=st.integers(0, 3 * 3600),
    rating=st.integers(2, 4),
)
def test_a_review_is_due_the_study_days_its_button_said_after_the_rating(
    zone: str, shown: datetime, wait: int, rating: int
) -> None:
    tz = ZoneInfo(zone)
    shown_at = shown.replace(tzinfo=UTC)
    rated_at = shown_at + timedelta(seconds=wait)
    said, given_, own = _days_said_and_given(shown_at, rated_at, rating, tz)
    assert given_ == own
    day = StudyDay(4, tz)
    if day.of(shown_at) == day.of(rated_at):  # (the card was due before: only the day matters)
        assert given_ == said
