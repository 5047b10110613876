"""A custom study's header counts a card in (re)learning under Learning, as the home screen does.

A review card forgotten (Again, a 10 minute relearning step) is "Learn 1" on the
home screen and in `retain due` once its step is due; `retain review --forgotten`
(or `--ahead`) said "Learning 0  Due 1" for the same card.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from queue_helpers import NOW, TODAY, basic, learning, review

from retain.core.custom_study import CustomQueue
from retain.core.queue import Counts
from retain.core.state import RELEARNING, CardState


def test_relearning_and_learning_cards_count_as_learning() -> None:
    units = [basic("d", "forgot"), basic("d", "learn"), basic("d", "rev"), basic("d", "new")]
    states: dict[str, CardState] = {
        "d/forgot": replace(review(-timedelta(minutes=2)), state=RELEARNING, step=0),
        "d/learn": learning(-timedelta(minutes=1)),
        "d/rev": review(-timedelta(days=1)),
    }
    queue = CustomQueue(units, states, TODAY)
    assert queue.counts(NOW) == Counts(new=1, learning=2, review=1)
    for _ in range(4):  # each counted one fewer as it is shown and rated
        unit = queue.next(NOW)
        assert unit is not None
        queue.apply(unit.key, review(timedelta(days=3)), NOW)
    assert queue.counts(NOW) == Counts(new=0, learning=0, review=0)
