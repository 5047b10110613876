"""The summary's "Next due" is when a card is next served, for every kind of session, by one rule
(`core.session.served_from`): a review from the start of its study day, a learning step from
learn-ahead before its due time, never before its study day, a buried card not before the day it
is buried until."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st
from queue_helpers import NOW, TODAY, basic, learning, review, settings_map
from test_review_session import MemoryRecorder, current_of

from retain.core.custom_study import CustomQueue
from retain.core.queue import DayLog, build_queue
from retain.core.scheduler import Scheduler
from retain.core.session import ReviewSession, next_served, served_from
from retain.core.settings import StudySettings
from retain.core.state import CardState
from retain.core.studyday import StudyDay

DAY = StudyDay(4, UTC)
AHEAD = timedelta(minutes=20)
TOMORROW_4AM = datetime(2026, 3, 29, 4, 0, tzinfo=UTC)
EVENING = datetime(2026, 3, 29, 19, 0, tzinfo=UTC)


def test_the_rule() -> None:
    assert served_from(EVENING, True, DAY, AHEAD) == TOMORROW_4AM  # a review: all its study day
    assert served_from(EVENING, False, DAY, AHEAD) == EVENING - AHEAD  # a step: learn-ahead early
    step = TOMORROW_4AM + timedelta(minutes=10)  # a step across the rollover: not before 04:00
    assert served_from(step, False, DAY, AHEAD) == TOMORROW_4AM
    assert served_from(EVENING, True, None, AHEAD) == EVENING  # no study day: its own time
    assert next_served(review(timedelta(hours=31), suspended=True), DAY, AHEAD) is None
    buried = learning(timedelta(minutes=10), buried_until="2026-03-29")
    assert next_served(buried, DAY, AHEAD) == TOMORROW_4AM


@given(
    minutes=st.integers(min_value=1, max_value=3 * 24 * 60),
    ahead=st.integers(min_value=0, max_value=120),
)
def test_a_step_is_served_at_the_first_moment_learn_ahead_reaches_it(minutes: int, ahead: int) -> None:
    """The rule agrees with the queue's cut-off (`StudyDay.learn_until`): served at `at`, not a
    minute before."""
    due = NOW + timedelta(minutes=minutes)
    at = served_from(due, False, DAY, timedelta(minutes=ahead))
    assert DAY.learn_until(at, timedelta(minutes=ahead)) >= due
    before = at - timedelta(minutes=1)
    assert before < NOW or DAY.learn_until(before, timedelta(minutes=ahead)) < due


def _session(queue: CustomQueue | object, states: dict[str, CardState], units: list) -> ReviewSession:  # type: ignore[type-arg]
    recorder = MemoryRecorder()
    recorder.states = states
    settings = settings_map(StudySettings(fuzz=False))
    return ReviewSession(
        queue,  # type: ignore[arg-type]
        states,
        lambda deck: Scheduler(settings(deck), DAY),
        recorder,
        {u.key: u for u in units},
        NOW,
    )


def test_a_cram_of_cards_due_tomorrow_evening_is_next_due_at_the_rollover() -> None:
    """Cram at noon of a card due tomorrow at 19:00: "Next due in 1d" (31 h); it is served from
    04:00 (16 h)."""
    units = [basic("d", "a")]
    states = {"d/a": review(EVENING - NOW)}
    queue = CustomQueue(units, states, TODAY, cram=True, studyday=DAY)
    session = _session(queue, states, units)
    session.reveal()
    session.rate(3, NOW)
    assert session.summary().next_due == TOMORROW_4AM


def test_the_daily_queue_dates_its_next_review_from_its_study_day() -> None:
    """A normal session: the one card left is a review due the day after tomorrow at 19:00 (no
    card the next day): the summary said 19:00, the card comes at 04:00."""
    units = [basic("d", "a"), basic("d", "b")]
    later = EVENING + timedelta(days=1)
    states = {"d/b": review(later - NOW)}
    span = DAY.span(NOW)
    settings = settings_map(StudySettings(fuzz=False))
    queue = build_queue(
        units,
        states,
        DayLog(),
        settings,
        NOW,
        TODAY,
        day_end=span[1] - timedelta(microseconds=1),
        day_span=span,
    )
    session = _session(queue, states, units)
    assert session.current is not None and session.current.key == "d/a"
    session.suspend(NOW)  # nothing rated: only the queue's next review counts
    assert current_of(session) is None
    assert session.summary().next_due == TOMORROW_4AM + timedelta(days=1)


def test_a_step_within_learn_ahead_is_next_due_now() -> None:
    """Study ahead, Again: the relearning step (10 min) is served at once (learn-ahead 20 min,
    as the session and the home screen's count have it), not "in 10m"."""
    units = [basic("d", "a")]
    states = {"d/a": review(EVENING - NOW)}
    queue = CustomQueue(units, states, TODAY, learn_ahead=AHEAD, studyday=DAY)
    session = _session(queue, states, units)
    session.reveal()
    session.rate(1, NOW)
    assert session.current is not None  # served again now: learn-ahead
    assert session.summary().next_due == NOW
