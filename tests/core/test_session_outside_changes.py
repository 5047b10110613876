"""Card states another screen changes while a session waits (the browser above a study screen)."""

from __future__ import annotations

from datetime import timedelta

from queue_helpers import NOW, basic, review
from test_review_session import MemoryRecorder, open_session

from retain.core.custom_study import CustomQueue
from retain.core.model import Unit
from retain.core.session import ReviewSession
from retain.core.state import CardState


def _current(session: ReviewSession) -> Unit | None:
    return session.current  # (read again: a call changes it, which mypy's narrowing cannot see)


def _suspend(states: dict[str, CardState], key: str) -> None:
    states[key] = (states.get(key) or CardState()).with_flags(suspended=True)


def test_a_queued_card_suspended_elsewhere_is_never_served() -> None:
    units = [basic("d", "a"), basic("d", "b"), basic("d", "c")]
    states: dict[str, CardState] = {}
    session = open_session(units, states, MemoryRecorder())
    assert session.current == units[0]
    _suspend(states, "d/b")  # in the browser, while "d/a" is shown
    assert not session.sync_states(NOW)  # the card shown did not change
    seen = []
    t = NOW
    for _ in range(10):
        unit = _current(session)
        if unit is None:
            break
        seen.append(unit.key)
        session.reveal()
        session.rate(4, t)
        t += timedelta(seconds=10)
    assert seen == ["d/a", "d/c"]
    assert states["d/b"].suspended


def test_the_current_card_suspended_elsewhere_leaves_and_keeps_its_suspension() -> None:
    units = [basic("d", "a"), basic("d", "b")]
    states: dict[str, CardState] = {"d/a": review(-timedelta(hours=1))}
    session = open_session(units, states, MemoryRecorder())
    assert session.current is not None and session.current.key == "d/a"
    session.reveal()
    session.labels(NOW)  # the previews are made from the unsuspended state
    _suspend(states, "d/a")
    assert session.sync_states(NOW) is True
    assert session.current is not None and session.current.key == "d/b" and session.phase == "front"
    assert states["d/a"].suspended


def test_a_reset_elsewhere_gives_the_rating_buttons_the_new_state() -> None:
    """A rating after a reset on another screen was made from the previews of the old state, so
    it put the old progress back."""
    units = [basic("d", "a")]
    states: dict[str, CardState] = {"d/a": review(-timedelta(hours=1), stability=40.0)}
    session = open_session(units, states, MemoryRecorder())
    session.reveal()
    long = session.labels(NOW)[3]
    del states["d/a"]  # reset: back to new
    assert session.sync_states(NOW) is True
    assert session.current is not None and session.current.key == "d/a"
    assert session.labels(NOW)[3] != long
    session.rate(3, NOW)
    assert states["d/a"].reps == 1  # a first rating, not the old card's fourth


def test_a_rating_without_a_sync_still_uses_the_state_now() -> None:
    units = [basic("d", "a")]
    states: dict[str, CardState] = {"d/a": review(-timedelta(hours=1), stability=40.0)}
    session = open_session(units, states, MemoryRecorder())
    session.reveal()
    session.labels(NOW)
    del states["d/a"]
    session.rate(3, NOW)
    assert states["d/a"].reps == 1


def test_a_custom_queue_drops_a_card_suspended_elsewhere() -> None:
    units = [basic("d", "a"), basic("d", "b"), basic("d", "c")]
    states: dict[str, CardState] = {}
    recorder = MemoryRecorder()
    recorder.states = states
    queue = CustomQueue(units, states, NOW.date())
    from retain.core.scheduler import Scheduler
    from retain.core.settings import StudySettings

    session = ReviewSession(
        queue, states, lambda deck: Scheduler(StudySettings()), recorder, {u.key: u for u in units}, NOW
    )
    _suspend(states, "d/b")
    _suspend(states, "d/a")
    assert session.sync_states(NOW) is True
    assert session.current is not None and session.current.key == "d/c"


def test_the_current_card_rated_elsewhere_leaves_and_is_not_rated_twice() -> None:
    """Attacker 25: a custom study from the browser over a session rated the card on screen; the
    session underneath still showed it and took a second rating of it today."""
    units = [basic("d", "a"), basic("d", "b")]
    states: dict[str, CardState] = {}
    recorder = MemoryRecorder()
    session = open_session(units, states, recorder)
    assert session.current is not None and session.current.key == "d/a"
    session.reveal()
    shown = session.labels(NOW)
    inner = open_session([units[0]], states, recorder)  # the custom study above it: rates "d/a"
    assert inner.current is not None and inner.current.key == "d/a"
    inner.reveal()
    inner.rate(4, NOW + timedelta(seconds=5))
    rated = states["d/a"]
    assert session.sync_states(NOW + timedelta(seconds=10)) is True
    assert _current(session) is not None and session.current.key == "d/b"
    assert session.phase == "front" and shown
    assert states["d/a"] is rated  # its rating stands, and no second one
    assert sum(1 for e in recorder.events if e.key == "d/a") == 1


def test_a_reschedule_elsewhere_keeps_the_card_on_screen() -> None:
    """A change that is no rating (a reschedule keeps the card's reviews) leaves the card shown,
    with new intervals on its buttons."""
    units = [basic("d", "a")]
    states: dict[str, CardState] = {"d/a": review(-timedelta(hours=1), stability=40.0)}
    session = open_session(units, states, MemoryRecorder())
    session.reveal()
    states["d/a"] = states["d/a"].with_flags(stability=4.0)
    assert session.sync_states(NOW) is True
    assert _current(session) is not None and session.current.key == "d/a"  # type: ignore[union-attr]
