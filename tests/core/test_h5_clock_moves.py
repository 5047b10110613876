"""The clock moves between the preview shown on the rating buttons and the rating: the stored
state keeps the interval shown, counted from the rating (a clock set back by NTP, a laptop that
slept), never from before the card's previous review."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from hypothesis import given, settings
from hypothesis import strategies as st
from queue_helpers import NOW, at, basic, learning, review
from test_review_session import MemoryRecorder, open_session

from retain.core.settings import StudySettings
from retain.core.state import CardState

STUDY = StudySettings(fuzz=False)


def interval(state: CardState) -> timedelta:
    assert state.due is not None and state.last_review is not None
    return state.due - state.last_review


@settings(max_examples=40, deadline=None)
@given(
    back=st.integers(min_value=1, max_value=3 * 3600),
    rating=st.integers(min_value=1, max_value=4),
    start=st.sampled_from(["new", "learning", "review"]),
)
def test_a_clock_set_back_after_the_reveal_keeps_the_interval_shown(
    back: int, rating: int, start: str
) -> None:
    """Good "<10m" shown at 12:00, the clock set back an hour, rated at 11:00: the step was due at
    12:10 (1 h 10 min away, "next card in 1h" right after pressing "<10m"); it is due at 11:10."""
    units = [basic("d", "a")]
    states: dict[str, CardState] = {}
    if start == "learning":
        states["d/a"] = replace(learning(-timedelta(minutes=1)), last_review=NOW - timedelta(hours=4))
    elif start == "review":
        # last reviewed 6 days 4 hours ago: set back up to 3 h, still 6 whole days elapsed (these
        # schedulers have no study days: py-fsrs counts 24-hour periods), so nothing else changes
        states["d/a"] = replace(
            review(-timedelta(days=1), stability=5), last_review=NOW - timedelta(days=6, hours=4)
        )
    session = open_session(units, states, MemoryRecorder(), study=STUDY)
    shown = session.previews(NOW)[rating]
    session.reveal()
    rated_at = NOW - timedelta(seconds=back)
    event = session.rate(rating, rated_at)
    after = event.after
    assert after is not None and after.last_review is not None
    assert after.last_review == rated_at
    assert interval(after) == interval(shown)
    assert replace(after, due=shown.due, last_review=shown.last_review) == shown


def test_a_clock_set_back_before_the_previous_review_counts_from_that_review() -> None:
    """Never a review dated before the card's previous one (the scheduler's rule for a clock
    moved backwards): the interval shown is counted from that review."""
    units = [basic("d", "a")]
    last = NOW - timedelta(minutes=30)
    states = {"d/a": replace(learning(-timedelta(minutes=20)), last_review=last)}
    session = open_session(units, states, MemoryRecorder(), study=STUDY)
    shown = session.previews(NOW)[3]
    session.reveal()
    event = session.rate(3, NOW - timedelta(hours=2))  # before `last`
    after = event.after
    assert after is not None and after.last_review == last
    assert interval(after) == interval(shown)


def test_a_later_rating_still_counts_from_the_rating() -> None:
    """(as before) rated two minutes after the preview: the interval from the rating."""
    units = [basic("d", "a")]
    session = open_session(units, {}, MemoryRecorder(), study=STUDY)
    shown = session.previews(NOW)[1]
    session.reveal()
    after = session.rate(1, at(2)).after
    assert after is not None and after.last_review == at(2) and interval(after) == interval(shown)
