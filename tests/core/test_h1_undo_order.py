"""Undo several ratings, then study on: the cards come back in the order they were first shown
(undo is a stack), not the last-undone-but-one first (a0, a2, a1 after rating a0, a1, a2)."""

from __future__ import annotations

from datetime import timedelta

from hypothesis import given, settings
from hypothesis import strategies as st
from queue_helpers import NOW, basic, review
from test_review_session import MemoryRecorder, open_session

from retain.core.settings import StudySettings
from retain.core.state import CardState

NO_STEPS = StudySettings(learning_steps=(), relearning_steps=(), fuzz=False)


def _served_order(session: object, count: int) -> list[str]:
    out: list[str] = []
    for i in range(count):
        current = session.current  # type: ignore[attr-defined]
        if current is None:
            break
        out.append(current.key)
        session.reveal()  # type: ignore[attr-defined]
        session.rate(3, NOW + timedelta(seconds=i))  # type: ignore[attr-defined]
    return out


def test_three_new_cards_undone_come_back_in_their_order() -> None:
    units = [basic("ia", f"a{i}") for i in range(5)]
    recorder = MemoryRecorder()
    session = open_session(units, {}, recorder, study=NO_STEPS)
    first = _served_order(session, 3)
    assert first == ["ia/a0", "ia/a1", "ia/a2"]
    for _ in range(3):
        session.undo(NOW + timedelta(minutes=1))
    assert _served_order(session, 3) == first


@settings(max_examples=60, deadline=None)
@given(
    new=st.integers(min_value=0, max_value=5),
    due=st.integers(min_value=0, max_value=5),
    ratings=st.lists(st.sampled_from([2, 3, 4]), min_size=1, max_size=8),
    data=st.data(),
)
def test_undoing_the_last_k_ratings_serves_those_cards_again_in_the_same_order(
    new: int, due: int, ratings: list[int], data: st.DataObject
) -> None:
    """New cards and due reviews, rated 2-4 (no learning steps: nothing comes back today by
    itself); undo the last k ratings; the next k cards are the same k, in the same order."""
    units = [basic("d", f"n{i}") for i in range(new)] + [basic("d", f"r{i}") for i in range(due)]
    states: dict[str, CardState] = {
        f"d/r{i}": review(-timedelta(days=i + 1), stability=5.0 + i) for i in range(due)
    }
    recorder = MemoryRecorder()
    session = open_session(units, states, recorder, study=NO_STEPS)
    served: list[str] = []
    for i, rating in enumerate(ratings):
        current = session.current
        if current is None:
            break
        served.append(current.key)
        session.reveal()
        session.rate(rating, NOW + timedelta(seconds=i))
    if not served:
        return
    k = data.draw(st.integers(min_value=1, max_value=len(served)), label="undos")
    for _ in range(k):
        session.undo(NOW + timedelta(minutes=5))
    assert _served_order(session, k) == served[-k:]
