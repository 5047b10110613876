"""Carrying reviews-today and the streak forward gives what the full history gives (`today_progress`)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from retain.core.progress import carry_progress, progress_with_today, reviews_today
from retain.core.state import Event
from retain.core.stats import today_progress

BASE = date(2026, 3, 1)
ROLLOVER = 4


def _noon(day: date, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, 12, minute, tzinfo=UTC)


def _review(n: int, day: date, minute: int = 0) -> Event:
    return Event(f"dev-{n:06d}", "review", f"d/c{n}", _noon(day, minute), None, None, 3, 1000)


def _undo(n: int, target: Event, day: date, minute: int) -> Event:
    return Event(f"dev-{n:06d}", "undo", target.key, _noon(day, minute), None, None, 0, 0, undoes=target.id)


def _history(days: list[int]) -> list[Event]:
    return [_review(i, BASE + timedelta(days=d)) for i, d in enumerate(sorted(days))]


@settings(max_examples=200, deadline=None)
@given(days=st.lists(st.integers(0, 20), max_size=30), last=st.integers(0, 20), later=st.integers(0, 5))
def test_carry_to_a_later_day_with_nothing_studied(days: list[int], last: int, later: int) -> None:
    events = _history([d for d in days if d <= last])
    day = BASE + timedelta(days=last)
    known = today_progress(events, _noon(day, 30), ROLLOVER, UTC)
    today = day + timedelta(days=later)
    assert carry_progress(day, known, today) == today_progress(events, _noon(today, 30), ROLLOVER, UTC)


@settings(max_examples=200, deadline=None)
@given(
    days=st.lists(st.integers(0, 19), max_size=30),
    first=st.integers(0, 4),
    more=st.integers(0, 4),
    undo=st.lists(st.integers(0, 8), max_size=4),
)
def test_same_day_reviews_and_undos(days: list[int], first: int, more: int, undo: list[int]) -> None:
    today = BASE + timedelta(days=20)
    earlier = _history(days)
    n = len(earlier)
    session = [_review(n + i, today, i) for i in range(first)]
    known = today_progress(earlier + session, _noon(today, 59), ROLLOVER, UTC)  # the figures at launch
    session += [_review(n + first + i, today, first + i) for i in range(more)]
    reviews = [e for e in session if e.kind == "review"]
    for j, pick in enumerate(undo):  # undo some of today's reviews
        if reviews:
            session.append(_undo(10_000 + j, reviews[pick % len(reviews)], today, 40 + j))
    count = reviews_today(session)
    assert count is not None
    expected = today_progress(earlier + session, _noon(today, 59), ROLLOVER, UTC)
    assert progress_with_today(known, count) == expected


def test_undo_of_an_earlier_days_review_is_unknown() -> None:
    yesterday = _review(1, BASE)
    today = BASE + timedelta(days=1)
    assert reviews_today([_review(2, today), _undo(3, yesterday, today, 5)]) is None
    assert reviews_today([_review(2, today)]) == 1


def test_carry_backwards_is_unknown() -> None:
    assert carry_progress(BASE, (3, 5), BASE - timedelta(days=1)) is None
