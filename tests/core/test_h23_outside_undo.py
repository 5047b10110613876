"""An undo made on another screen (the browser's ctrl+z over a study session) reaches the session
as its own undo does: the card comes back when the session serves it now, the day's limit gets
the rating's place back, and the summary counts only the ratings that stand."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime, timedelta

import pytest
from queue_helpers import NOW, basic, review
from test_review_session import MemoryRecorder, open_session

from retain.core.model import Unit
from retain.core.session import ReviewSession, record_undo_action
from retain.core.settings import StudySettings
from retain.core.state import CardState, Event

UNITS = [basic("d", "a"), basic("d", "b"), basic("d", "c"), basic("d", "e")]


Undos = Callable[[datetime], Iterable[Event]]


def undos_of(recorder: MemoryRecorder) -> Undos:
    """The journal's undo events since a moment, oldest first, as the study screen gives them."""

    def since(at: datetime) -> Iterable[Event]:
        return [e for e in recorder.events if e.kind == "undo" and e.time >= at]

    return since


def _current(session: ReviewSession) -> Unit | None:
    return session.current  # (read again: a call changes it, which mypy's narrowing cannot see)


def _rate(session: ReviewSession, rating: int, at: datetime) -> str:
    unit = _current(session)
    assert unit is not None
    session.reveal()
    session.rate(rating, at)
    return unit.key


def _undo(session: ReviewSession, recorder: MemoryRecorder, where: str, at: datetime) -> None:
    """Undo the last action in the session itself, or on another screen (the browser above it)."""
    if where == "session":
        assert session.undo(at) is not None
        return
    assert record_undo_action(recorder, recorder.states, at) is not None
    session.sync_states(at, undos_of(recorder))


def _drain(session: ReviewSession, at: datetime) -> list[str]:
    served: list[str] = []
    while _current(session) is not None and len(served) < 20:
        served.append(_rate(session, 4, at))
        at += timedelta(seconds=5)
    return served


@pytest.mark.parametrize("where", ["session", "browser"])
def test_a_rating_undone_anywhere_brings_the_new_card_back(where: str) -> None:
    """Rated Easy, then undone: the card is new again, shown next, counted as new in the header,
    and the session's ratings are only the ones that stand, wherever the undo was made."""
    recorder = MemoryRecorder()
    states: dict[str, CardState] = {}
    session = open_session(UNITS[:3], states, recorder)
    first = _rate(session, 4, NOW)
    assert session.counts(NOW).new == 2 and session.studied == 1
    _undo(session, recorder, where, NOW + timedelta(seconds=1))
    current = _current(session)
    assert current is not None and current.key == first and session.phase == "front"
    assert session.counts(NOW).new == 3
    assert session.studied == 0
    served = _drain(session, NOW + timedelta(seconds=2))
    assert sorted(served) == ["d/a", "d/b", "d/c"]
    assert session.summary().studied == 3  # the undone rating is not counted


@pytest.mark.parametrize("where", ["session", "browser"])
def test_the_undone_rating_gives_its_place_in_the_daily_limit_back(where: str) -> None:
    recorder = MemoryRecorder()
    states: dict[str, CardState] = {}
    session = open_session(UNITS, states, recorder, study=StudySettings(new_per_day=2))
    _rate(session, 4, NOW)
    _rate(session, 4, NOW)
    assert _current(session) is None  # the day's two new cards are used
    _undo(session, recorder, where, NOW + timedelta(seconds=1))
    assert session.counts(NOW).new == 1
    assert _drain(session, NOW + timedelta(seconds=2)) == ["d/b"]
    assert session.summary().studied == 2


@pytest.mark.parametrize("where", ["session", "browser"])
def test_a_bury_undone_anywhere_brings_the_card_back(where: str) -> None:
    recorder = MemoryRecorder()
    states: dict[str, CardState] = {}
    session = open_session(UNITS[:2], states, recorder)
    session.bury(NOW)
    assert session.counts(NOW).new == 1
    _undo(session, recorder, where, NOW + timedelta(seconds=1))
    current = _current(session)
    assert current is not None and current.key == "d/a"
    assert session.counts(NOW).new == 2
    assert sorted(_drain(session, NOW + timedelta(seconds=2))) == ["d/a", "d/b"]


def test_a_reset_to_the_same_state_is_no_undo() -> None:
    """A forget in the browser gives a once-rated new card the state an undo would (no state), but
    the rating stands: it still counts, the day's new-card count stays, the card waits for tomorrow."""
    recorder = MemoryRecorder()
    states: dict[str, CardState] = {}
    session = open_session(UNITS[:3], states, recorder, study=StudySettings(new_per_day=2))
    _rate(session, 4, NOW)
    before = states["d/a"]
    recorder.record(Event("reset-1", "reset", "d/a", NOW + timedelta(seconds=1), None, before))
    assert not session.sync_states(NOW + timedelta(seconds=1), undos_of(recorder))
    assert session.studied == 1
    assert session.counts(NOW).new == 1  # one of the two slots is used
    assert _drain(session, NOW + timedelta(seconds=2)) == ["d/b"]


def test_an_undo_taken_back_in_the_session_is_not_taken_back_again() -> None:
    """The session's own undo is in the journal too: a later change of that card on another screen
    does not give the day's limit its place back a second time."""
    recorder = MemoryRecorder()
    states: dict[str, CardState] = {}
    session = open_session(UNITS, states, recorder, study=StudySettings(new_per_day=2))
    _rate(session, 4, NOW)
    assert session.undo(NOW + timedelta(seconds=1)) is not None
    states["d/b"] = CardState().with_flags(suspended=True)  # the browser suspends another card
    states["d/a"] = CardState().with_flags(suspended=True)  # ... and the one undone
    session.sync_states(NOW + timedelta(seconds=2), undos_of(recorder))
    assert session.counts(NOW).new == 2  # d/c and d/e: two slots, not three
    assert _drain(session, NOW + timedelta(seconds=3)) == ["d/c", "d/e"]


def test_several_undos_in_the_browser_come_back_in_the_order_they_were_shown() -> None:
    recorder = MemoryRecorder()
    states: dict[str, CardState] = {}
    session = open_session(UNITS[:3], states, recorder)
    _rate(session, 4, NOW)
    _rate(session, 4, NOW)
    at = NOW + timedelta(seconds=1)
    assert record_undo_action(recorder, states, at) is not None  # d/b
    assert record_undo_action(recorder, states, at) is not None  # d/a
    assert session.sync_states(at, undos_of(recorder)) is True
    assert session.studied == 0 and session.counts(at).new == 3
    assert _drain(session, at) == ["d/a", "d/b", "d/c"]


def test_an_undone_review_elsewhere_is_due_again() -> None:
    recorder = MemoryRecorder()
    states: dict[str, CardState] = {"d/a": review(-timedelta(hours=1)), "d/b": review(-timedelta(hours=2))}
    session = open_session(UNITS[:2], states, recorder, study=StudySettings(new_per_day=0))
    first = _rate(session, 3, NOW)
    assert session.counts(NOW).review == 1
    assert record_undo_action(recorder, states, NOW) is not None
    session.sync_states(NOW, undos_of(recorder))
    assert session.counts(NOW).review == 2
    current = _current(session)
    assert current is not None and current.key == first
    assert session.studied == 0


def test_an_undo_then_a_suspend_in_the_browser_leaves_the_card_out() -> None:
    """Undone, then suspended: the rating no longer counts, and the card is not served."""
    recorder = MemoryRecorder()
    states: dict[str, CardState] = {}
    session = open_session(UNITS[:3], states, recorder, study=StudySettings(new_per_day=2))
    _rate(session, 4, NOW)
    assert record_undo_action(recorder, states, NOW) is not None
    states["d/a"] = CardState().with_flags(suspended=True)
    session.sync_states(NOW, undos_of(recorder))
    assert session.studied == 0
    assert session.counts(NOW).new == 2  # the slot came back: b and c
    assert _drain(session, NOW) == ["d/b", "d/c"]


def test_without_the_journal_a_change_is_still_no_rating() -> None:
    """A screen that cannot read the journal: the change is placed as before (no undo taken)."""
    recorder = MemoryRecorder()
    states: dict[str, CardState] = {}
    session = open_session(UNITS[:3], states, recorder)
    _rate(session, 4, NOW)
    assert record_undo_action(recorder, states, NOW) is not None
    session.sync_states(NOW)
    assert session.studied == 1  # (it cannot tell)
    assert "d/a" not in [u for u in _drain(session, NOW)]
