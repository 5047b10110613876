"""An undo gives a slot back only when today's count is under the limit again.

With `new_per_day = 1`, one new card studied, and two more in a custom study
(`--query is:new`: limits do not apply there, yet they count), a normal session
rightly said "daily limit reached". An undo of a custom-study rating then made
it serve a new card (header "New 1") while `retain due` said New 0: the lane's
room was clamped at zero, and the undo took its count below that.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from queue_helpers import NOW, TODAY, basic, learning, review, settings_map

from retain.core.queue import Counts, DayLog, build_queue, count_due
from retain.core.settings import StudySettings
from retain.core.state import CardState


@pytest.mark.parametrize("kind", ["new", "rev"])
def test_an_undo_while_over_the_limit_serves_nothing(kind: str) -> None:
    units = [basic("d", f"c{i}") for i in range(6)]
    limits = StudySettings(new_per_day=1, reviews_per_day=1)
    if kind == "new":
        rated = learning(timedelta(hours=3), reps=1, last_review=NOW - timedelta(minutes=5))
        states: dict[str, CardState] = {"d/c0": rated}
        log, after = DayLog(new_seen={"d": 3}), DayLog(new_seen={"d": 2})
        back: CardState | None = None
    else:
        states = {f"d/c{i}": review(-timedelta(days=1)) for i in range(6)}
        before = states["d/c0"]
        states["d/c0"] = review(
            timedelta(days=5), reps=before.reps + 1, last_review=NOW - timedelta(minutes=5)
        )
        log, after = DayLog(reviews_done={"d": 3}), DayLog(reviews_done={"d": 2})
        back = before
    queue = build_queue(units, states, log, settings_map(limits), NOW, TODAY)
    assert queue.next(NOW) is None
    if back is None:
        del states["d/c0"]
    else:
        states["d/c0"] = back
    queue.apply("d/c0", back, NOW)  # the undo: today's count goes from 3 to 2, still over 1
    assert queue.counts(NOW) == Counts(new=0, learning=0, review=0)
    assert queue.next(NOW) is None
    assert count_due(units, states, after, settings_map(limits), NOW, TODAY)["d"].total == 0
