"""Custom study (core/custom_study.py): the four selections and the fixed-list queue."""

from __future__ import annotations

from datetime import timedelta

import pytest
from queue_helpers import NOW, TODAY, basic, learning, review
from test_review_session import MemoryRecorder

from retain.core.custom_study import (
    CustomQueue,
    CustomStudy,
    select_ahead,
    select_cram,
    select_forgotten,
    select_search,
)
from retain.core.model import Unit
from retain.core.scheduler import Scheduler
from retain.core.search import QueryError
from retain.core.session import ReviewSession
from retain.core.settings import StudySettings
from retain.core.state import RELEARNING, CardState, Event

UNITS = [basic("a", f"c{i}") for i in range(6)] + [basic("b", "x")]
STATES = {
    "a/c0": review(timedelta(days=-1)),  # due
    "a/c1": review(timedelta(days=2)),
    "a/c2": review(timedelta(days=9)),
    "a/c3": review(timedelta(days=1), suspended=True),
    "a/c4": learning(timedelta(minutes=5)),
    # a/c5 new
    "b/x": review(timedelta(hours=5)),
}


def keys(units: list) -> list[str]:  # type: ignore[type-arg]
    return [u.key for u in units]


def test_search_takes_the_browser_language_and_leaves_suspended_out() -> None:
    assert keys(select_search(UNITS, STATES, "deck:a is:review", NOW, TODAY)) == ["a/c0", "a/c1", "a/c2"]
    assert keys(select_search(UNITS, STATES, "is:due", NOW, TODAY)) == ["a/c0"]
    assert keys(select_search(UNITS, STATES, "is:new", NOW, TODAY)) == ["a/c5"]
    with pytest.raises(QueryError):
        select_search(UNITS, STATES, "is:bogus", NOW, TODAY)


def test_ahead_is_due_within_n_days_soonest_first_without_new_or_suspended() -> None:
    assert keys(select_ahead(UNITS, STATES, NOW, 3, TODAY)) == ["a/c0", "a/c4", "b/x", "a/c1"]
    assert keys(select_ahead(UNITS, STATES, NOW, 10, TODAY))[-1] == "a/c2"
    for bad in (0, -2, 366):
        with pytest.raises(ValueError, match="1 to 365 days"):
            select_ahead(UNITS, STATES, NOW, bad, TODAY)


def test_forgotten_keeps_failure_order_once_each() -> None:
    failed = ["b/x", "a/c1", "b/x", "gone/card", "a/c3"]
    assert keys(select_forgotten(UNITS, STATES, failed, TODAY)) == ["b/x", "a/c1"]


def test_cram_is_every_card_of_the_decks_new_ones_too() -> None:
    assert keys(select_cram(UNITS, STATES, ["a"], TODAY)) == ["a/c0", "a/c1", "a/c2", "a/c4", "a/c5"]


def test_titles_say_which_mode_is_on() -> None:
    assert CustomStudy("search", query="tag:x").title() == "Custom study · search: tag:x"
    assert CustomStudy("ahead", days=1).title() == "Custom study · ahead: due in the next 1 day"
    assert "forgotten" in CustomStudy("forgotten").title()
    assert (
        CustomStudy("cram", deck_ids=("a",), label="Deck A").title() == "Cram · Deck A · schedule untouched"
    )


def test_queue_shows_each_card_once_and_learning_steps_come_back() -> None:
    units = UNITS[:3]
    queue = CustomQueue(units, STATES, TODAY)
    assert queue.counts(NOW).review == 3
    first = queue.next(NOW)
    assert first is not None and first.key == "a/c0"
    relearn = CardState(
        state=RELEARNING, step=0, stability=1.0, difficulty=6.0, due=NOW + timedelta(minutes=10)
    )
    queue.apply("a/c0", relearn, NOW)
    shown = []
    while (unit := queue.next(NOW)) is not None and unit.key != "a/c0":
        shown.append(unit.key)
        queue.apply(unit.key, STATES[unit.key], NOW)
    assert shown == ["a/c1", "a/c2"]
    assert unit is not None and unit.key == "a/c0"  # within learn-ahead once nothing else is left
    assert queue.next_due_after(NOW) == NOW + timedelta(minutes=10)
    queue.apply("a/c0", STATES["a/c0"], NOW)
    assert queue.next(NOW + timedelta(hours=1)) is None


def test_cram_queue_puts_again_at_the_end() -> None:
    queue = CustomQueue(UNITS[:3], STATES, TODAY, cram=True)
    order = []
    for _ in range(4):
        unit = queue.next(NOW)
        assert unit is not None
        order.append(unit.key)
        queue.apply(unit.key, STATES[unit.key], NOW)  # cram: the state is unchanged
        if unit.key == "a/c0" and order.count("a/c0") == 1:
            queue.again(unit.key)
    assert order == ["a/c0", "a/c1", "a/c2", "a/c0"]
    assert queue.next(NOW) is None


class CramRecorder(MemoryRecorder):
    """Undo reaches cram ratings too, as the store's does."""

    def last_undoable(self) -> Event | None:
        undone = {e.undoes for e in self.events if e.kind == "undo"}
        return next((e for e in reversed(self.events) if e.kind != "undo" and e.id not in undone), None)


def custom_session(units: list[Unit], states: dict[str, CardState], *, cram: bool = False) -> ReviewSession:
    recorder = CramRecorder()
    recorder.states.update(states)
    queue = CustomQueue(units, recorder.states, TODAY, cram=cram)
    return ReviewSession(
        queue, recorder.states, lambda d: Scheduler(StudySettings()), recorder, {u.key: u for u in units}, NOW
    )


@pytest.mark.parametrize("mode", ["suspend", "bury"])
def test_a_learning_card_suspended_or_buried_in_custom_study_stays_away(mode: str) -> None:
    unit = basic("a", "x")
    session = custom_session([unit], {unit.key: learning(timedelta(minutes=-1))})
    assert session.current is not None and session.current.key == unit.key
    getattr(session, mode)(NOW)
    assert session.refresh(NOW + timedelta(hours=1)) is None
    assert session.counts(NOW + timedelta(hours=1)).total == 0


@pytest.mark.parametrize("cram", [False, True])
def test_every_card_undone_in_custom_study_comes_back(cram: bool) -> None:
    units = [basic("a", f"c{i}") for i in range(3)]
    session = custom_session(units, {}, cram=cram)
    for _ in range(2):
        assert session.current is not None
        session.reveal()
        session.rate(4, NOW)
    assert session.undo(NOW) is not None and session.undo(NOW) is not None  # both ratings taken back
    shown: list[str] = []
    while session.current is not None and len(shown) < 6:
        shown.append(session.current.key)
        session.reveal()
        session.rate(4, NOW)
    assert shown == ["a/c0", "a/c1", "a/c2"]
