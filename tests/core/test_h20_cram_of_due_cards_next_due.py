"""A cram of cards that are due says they are next due now, not "nothing scheduled".

Cram leaves a card's schedule as it was: a card due or overdue when crammed is
still due after it. The summary counted only cards due later, so a cram of a
deck's due cards said "Next due: nothing scheduled" while `retain due` counted
them, and with one card due later it named that card's day.
"""

from __future__ import annotations

from datetime import timedelta

from queue_helpers import NOW, TODAY, basic, review
from test_h10_next_served import DAY, _session

from retain.core.custom_study import CustomQueue


def test_a_cram_of_due_cards_is_next_due_now() -> None:
    units = [basic("d", "a"), basic("d", "b")]
    states = {"d/a": review(-timedelta(days=2)), "d/b": review(timedelta(days=3))}
    queue = CustomQueue(units, states, TODAY, cram=True, studyday=DAY)
    session = _session(queue, states, units)
    for _ in units:
        session.reveal()
        session.rate(3, NOW)
    assert session.summary().next_due == NOW
