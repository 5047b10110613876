"""Reviews today and the streak, carried forward without re-reading the history.

`core.stats.today_progress` needs every review back to the streak's first gap:
at 50k cards and a 121-day streak that is seconds of work. But the figures
only change in simple ways. Within one study day, only today's reviews can be
added or undone, so the streak is the run of days before today (`before`)
plus one when today has a counted review. On a later day with nothing studied
since, today's count is 0 and the streak survives one day only if the last
study day had reviews. Both rules are checked against `today_progress` by a
property test (tests/core/test_progress_carry.py).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

from retain.core.state import Event

__all__ = ["carry_progress", "progress_with_today", "reviews_today"]

Progress = tuple[int, int]  # (counted reviews today, streak in days)


def reviews_today(events: Iterable[Event]) -> int | None:
    """Counted reviews among today's events (undone ones left out).

    None when an undo takes back an event that is not among them: a review of
    an earlier day was undone, which may break the streak before today.
    """
    todays = list(events)
    ids = {e.id for e in todays}
    undone = {e.undoes for e in todays if e.kind == "undo"}
    if any(u and u not in ids for u in undone):
        return None
    return sum(1 for e in todays if e.kind == "review" and e.id not in undone)


def progress_with_today(known: Progress, count_now: int) -> Progress:
    """The same study day's figures after its reviews changed from `known[0]` to `count_now`."""
    count, streak = known
    before = streak - (1 if count else 0)  # the run of days before today
    return count_now, before + (1 if count_now else 0)


def carry_progress(day: date, known: Progress, today: date) -> Progress | None:
    """`known` (the figures of study day `day`) on `today`, nothing studied since; None if today < day."""
    count, streak = known
    if today < day:
        return None
    if today == day:
        return known
    if today == day + timedelta(days=1):
        return 0, streak if count else 0
    return 0, 0
