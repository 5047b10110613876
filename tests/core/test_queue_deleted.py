"""A card deleted while a session runs leaves its queue at once (normal and custom study); a deck
whose file does not load for a moment keeps its cards."""

from __future__ import annotations

from datetime import timedelta

import pytest
from queue_helpers import NOW, TODAY, basic, learning, review, settings_map

from retain.core.custom_study import CustomQueue
from retain.core.queue import DayLog, StudyQueue, build_queue


def _drain(queue: StudyQueue | CustomQueue) -> list[str]:
    seen: list[str] = []
    while (unit := queue.next(NOW)) is not None and len(seen) < 20:
        seen.append(unit.key)
        queue.apply(unit.key, review(timedelta(days=5)), NOW)  # rated: out for today
    return seen


UNITS = [basic("d", "new1"), basic("d", "new2"), basic("d", "due"), basic("d", "learn"), basic("e", "other")]
STATES = {"d/due": review(timedelta(days=-1)), "d/learn": learning(timedelta(minutes=-1))}


@pytest.mark.parametrize("kind", ["study", "custom"])
def test_deleted_cards_of_any_pile_leave_the_queue(kind: str) -> None:
    queue: StudyQueue | CustomQueue = (
        build_queue(UNITS, STATES, DayLog(), settings_map(), NOW, TODAY)
        if kind == "study"
        else CustomQueue(UNITS, STATES, TODAY)
    )
    fresh = {u.key: u for u in UNITS if u.key not in ("d/new1", "d/due", "d/learn")}
    queue.refresh_units(fresh)
    assert "d/new1" not in queue and "d/new2" in queue
    assert sorted(_drain(queue)) == ["d/new2", "e/other"]


def test_a_deck_that_does_not_load_for_a_moment_keeps_its_cards() -> None:
    queue = build_queue(UNITS, STATES, DayLog(), settings_map(), NOW, TODAY)
    queue.refresh_units({u.key: u for u in UNITS if u.deck_id == "e"})  # d.toml half saved
    assert sorted(_drain(queue)) == ["d/due", "d/learn", "d/new1", "d/new2", "e/other"]
