"""Every place that applies learn-ahead agrees, around any rollover (property): `count_due`
(`retain due`, the deck list), a study queue's counts and what it serves, custom study's queue and
`is:due` all count a learning step due at `now` when it is due by `now`, or within learn-ahead and
on `now`'s study day; never a step of a later study day (a `1d` step due at the rollover, an
intraday step that ends after it). Learn-ahead was added to every step's due time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from retain.core.custom_study import CustomQueue
from retain.core.due import DayLog, count_due
from retain.core.model import Unit
from retain.core.queue import build_queue
from retain.core.search import compile_query, haystack
from retain.core.settings import StudySettings
from retain.core.state import LEARNING, RELEARNING, CardState
from retain.core.studyday import StudyDay, learn_ahead_until

ZONES = [
    UTC,
    timezone(timedelta(hours=5, minutes=45)),
    ZoneInfo("America/New_York"),
    ZoneInfo("Europe/Berlin"),
]
BASE = datetime(2026, 3, 7, 0, 0, tzinfo=UTC)  # New York and Berlin change their clocks in March


def _unit(i: int) -> Unit:
    return Unit(f"d/c{i}", "d", f"c{i}", "", "basic", "q", "a")


def _step(due: datetime, kind: int) -> CardState:
    return CardState(kind, 0, 1.0, 5.0, due, due - timedelta(minutes=10), 1, 0)


@settings(max_examples=300, deadline=None)
@given(
    zone=st.sampled_from(ZONES),
    rollover=st.integers(0, 23),
    now_minutes=st.integers(0, 60 * 24 * 30),
    ahead=st.sampled_from([0, 1, 20, 59, 60, 240, 1440]),
    offsets=st.lists(st.integers(-120, 24 * 60 + 60), min_size=1, max_size=8),
    relearning=st.booleans(),
)
def test_every_learn_ahead_agrees(
    zone: object, rollover: int, now_minutes: int, ahead: int, offsets: list[int], relearning: bool
) -> None:
    day = StudyDay(rollover, zone)  # type: ignore[arg-type]
    now = BASE + timedelta(minutes=now_minutes, seconds=7)
    window = timedelta(minutes=ahead)
    span = day.span(now)
    units = [_unit(i) for i in range(len(offsets))]
    kind = RELEARNING if relearning else LEARNING
    # dues near `now`, some at a study day's start exactly (steps of days: `day_step_due`)
    dues = [now + timedelta(minutes=m) for m in offsets]
    dues[0] = span[1]  # the next study day's start: a `1d` step rated today
    states = {u.key: _step(due, kind) for u, due in zip(units, dues, strict=True)}
    expected = {
        u.key
        for u, due in zip(units, dues, strict=True)
        if due <= now or (due <= now + window and day.of(due) <= day.of(now))
    }

    limit = day.learn_until(now, window)
    assert limit == learn_ahead_until(now, window, span[1])
    assert {k for k, s in states.items() if s.due is not None and s.due <= limit} == expected

    settings_for = lambda _d: StudySettings()  # noqa: E731
    counted = count_due(
        units, states, DayLog(), settings_for, now, day.today(now), learn_ahead=window, day_span=span
    )
    assert counted["d"].learning == len(expected)

    queue = build_queue(units, states, DayLog(), settings_for, now, day.today(now), window, day_span=span)
    assert queue.counts(now).learning == len(expected)
    assert {u.key for u in units if queue.ready(u.key, now)} == expected
    served = queue.next(now)
    assert (served.key in expected) if served is not None else not expected

    custom = CustomQueue(units, {}, day.today(now), learn_ahead=window, studyday=day)
    for u in units:
        custom.apply(u.key, states[u.key], now - timedelta(minutes=10))  # rated in this custom study
    assert custom.counts(now).learning == len(expected)
    shown = custom.next(now)
    assert (shown.key in expected) if shown is not None else not expected

    query = compile_query("is:due", day_of=day.of, learn_until=lambda at: day.learn_until(at, window))
    found = {u.key for u in units if query.matches(u, states[u.key], now, day.today(now), haystack(u))}
    assert found == expected
