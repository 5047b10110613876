"""Reviews that come due while a session is open join it (the screen promised "next card in
<1m" and then never showed it)."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from queue_helpers import NOW, TODAY, basic, review, settings_map

from retain.core.queue import DayLog, build_queue
from retain.core.settings import StudySettings


def test_a_review_that_comes_due_during_the_session_is_shown() -> None:
    units = [basic("d", "soon"), basic("d", "later"), basic("d", "due")]
    states = {
        "d/due": review(timedelta(minutes=-5)),
        "d/soon": review(timedelta(minutes=10)),
        "d/later": review(timedelta(days=3)),
    }
    queue = build_queue(units, states, DayLog(), settings_map(), NOW, TODAY)
    first = queue.next(NOW)
    assert first is not None and first.key == "d/due"
    queue.apply("d/due", review(timedelta(days=4)), NOW)
    assert queue.next(NOW) is None and queue.next_due_after(NOW) == NOW + timedelta(minutes=10)
    at = NOW + timedelta(minutes=11)
    assert queue.counts(at).review == 1
    arrived = queue.next(at)
    assert arrived is not None and arrived.key == "d/soon"  # was None: never joined
    queue.apply("d/soon", review(timedelta(days=4)), at)
    assert queue.next(at) is None and queue.next_due_after(at) == NOW + timedelta(days=3)


def test_an_arrival_keeps_the_review_limit_and_skips_a_changed_card() -> None:
    units = [basic("d", "a"), basic("d", "b"), basic("d", "c")]
    states = {f"d/{c}": review(timedelta(minutes=5 + i)) for i, c in enumerate("abc")}
    limits = settings_map(StudySettings(reviews_per_day=1))
    queue = build_queue(units, states, DayLog(), limits, NOW, TODAY)
    queue.apply("d/b", review(timedelta(days=9)), NOW)  # changed meanwhile (a reschedule, an edit)
    at = NOW + timedelta(minutes=30)
    shown = queue.next(at)
    assert shown is not None and shown.key == "d/a"
    queue.apply("d/a", replace(review(timedelta(days=4)), reps=4), at)  # a rating
    assert queue.next(at) is None  # the limit of 1 is used: c waits for tomorrow
