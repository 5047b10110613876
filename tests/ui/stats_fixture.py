"""A known review history over 400 days for the statistics tests, and a hand-written replay of it.

Europe/Berlin, rollover at 4 am, "now" the day after the spring DST change
(2026-03-29, 02:00 -> 03:00); the autumn change (2025-10-26) is inside the
history too. Study day k days back has 1 + k % 3 ratings, at local 04:30, 23:30
and (the next calendar day) 03:30: all of them in study day k. Days 3, 7, 30-33
and 100-110 have none. One extra rating today is undone.

`replay` computes the figures from the event list with nothing but zoneinfo and
datetime arithmetic, independently of the index, `StudyDay` and core/statsfigures.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from retain.core.state import NEW, REVIEW, CardState, Event
from retain.store.collection import Collection
from retain.store.home import Home, open_home

__all__ = ["BERLIN", "NOW", "ROLLOVER", "TODAY", "build_fixture", "replay"]

BERLIN = ZoneInfo("Europe/Berlin")
ROLLOVER = 4
NOW = datetime(2026, 3, 30, 10, 0, tzinfo=UTC)  # 12:00 CEST, study day 2026-03-30
TODAY = date(2026, 3, 30)
SKIPPED = {3, 7, 30, 31, 32, 33, *range(100, 111)}
CARDS = 14  # fix/c0..c13: c0-c9 reviewed, c10-c13 new, c12 suspended, c9 a leech

DECK = 'format = 1\n\n[deck]\nid = "fix"\nname = "Fixture"\n' + "".join(
    f'\n[[cards]]\nid = "c{i}"\nfront = "Q{i}"\nback = "A{i}"\n' for i in range(CARDS)
)


def _local(day: date, clock: time) -> datetime:
    return datetime.combine(day, clock, BERLIN).astimezone(UTC)


def _events() -> list[tuple[datetime, str, int, CardState | None, CardState]]:
    """(time, key, rating, before, after) of every rating, oldest first."""
    out = []
    for k in range(399, -1, -1):
        if k in SKIPPED:
            continue
        day = TODAY - timedelta(days=k)
        moments = [
            _local(day, time(4, 30)),
            _local(day, time(23, 30)),
            _local(day + timedelta(days=1), time(3, 30)),
        ]
        for n in range(1 + k % 3):
            at = moments[n]
            if at > NOW:
                continue
            key = f"fix/c{(k + n) % 10}"
            rating = 1 if k % 9 == 0 else 4 if k % 13 == 0 else 2 if k % 11 == 0 else 3
            before = None
            if k % 4:
                ivl = (k % 40) + 1
                last = at - timedelta(days=ivl)
                before = CardState(REVIEW, None, float(ivl), 5.0, last + timedelta(days=ivl), last, 3, 0)
            ahead = (k % 50) + 1 + 25 * ((k + n) % 2)  # odd cards end mature
            leech = key == "fix/c9"
            after = CardState(
                REVIEW, None, float(ahead), 4.0 + n, at + timedelta(days=ahead), at, 4, 0, leech=leech
            )
            out.append((at, key, rating, before, after))
    return sorted(out, key=lambda e: e[0])


def build_fixture(root: Path) -> tuple[Home, list[Event]]:
    """A RETAIN_HOME at `root` with the fixture deck and history; the events as recorded."""
    (root / "decks").mkdir(parents=True, exist_ok=True)
    (root / "decks" / "fix.toml").write_text(DECK, encoding="utf-8")
    (root / "config.toml").write_text(
        f"rollover_hour = {ROLLOVER}\n[study]\nfuzz = false\n", encoding="utf-8"
    )
    home = open_home({"RETAIN_HOME": str(root)})
    col = Collection.open(home, NOW, tz=BERLIN, fsync=False)
    events: list[Event] = []
    try:
        for at, key, rating, before, after in _events():
            events.append(
                col.record(Event(col.new_event_id(at), "review", key, at, after, before, rating, 6000))
            )
        at = NOW - timedelta(minutes=30)
        extra = col.record(
            Event(
                col.new_event_id(at),
                "review",
                "fix/c0",
                at,
                events[-1].after,
                col.states.get("fix/c0"),
                1,
                500,
            )
        )
        at += timedelta(minutes=1)
        events.append(extra)
        events.append(
            col.record(
                Event(col.new_event_id(at), "undo", "fix/c0", at, extra.before, extra.after, undoes=extra.id)
            )
        )
        at += timedelta(minutes=1)
        events.append(
            col.record(
                Event(col.new_event_id(at), "suspend", "fix/c12", at, CardState(NEW, suspended=True), None)
            )
        )
    finally:
        col.close(NOW)
    return home, events


def _study_day(moment: datetime) -> date:
    return (moment.astimezone(BERLIN) - timedelta(hours=ROLLOVER)).date()


def replay(events: list[Event], days: int) -> dict[str, Any]:
    """The figures `retain stats --json --days N` must give, from the events alone."""
    undone = {e.undoes for e in events if e.kind == "undo"}
    ratings = [e for e in events if e.kind == "review" and e.id not in undone]
    first = TODAY - timedelta(days=days - 1)
    per_day: Counter[date] = Counter(_study_day(e.time) for e in ratings)
    in_period = [e for e in ratings if first <= _study_day(e.time) <= TODAY]
    by_state: dict[str, Counter[str]] = {}
    buttons = {"learning": [0] * 4, "young": [0] * 4, "mature": [0] * 4}
    hours = Counter[int]()
    passed_hours = Counter[int]()
    for e in in_period:
        day = _study_day(e.time).isoformat()
        kind = "new" if e.before is None else "review"
        by_state.setdefault(day, Counter())[kind] += 1
        if e.before is None or e.before.state != REVIEW:
            group = "learning"
        else:
            assert e.before.due and e.before.last_review
            group = "young" if (e.before.due - e.before.last_review).days < 21 else "mature"
        buttons[group][e.rating - 1] += 1
        hour = e.time.astimezone(BERLIN).hour
        hours[hour] += 1
        passed_hours[hour] += e.rating > 1
    spans = {}
    for name, near, far in (
        ("today", 0, 0),
        ("yesterday", 1, 1),
        ("week", 0, 6),
        ("month", 0, 29),
        ("year", 0, 364),
    ):
        acc = {"young": [0, 0], "mature": [0, 0]}
        for e in ratings:
            back = (TODAY - _study_day(e.time)).days
            if near <= back <= far and e.before is not None and e.before.state == REVIEW:
                assert e.before.due and e.before.last_review
                group = "young" if (e.before.due - e.before.last_review).days < 21 else "mature"
                acc[group][0 if e.rating > 1 else 1] += 1
        spans[name] = acc
    firsts: dict[str, Event] = {}  # each card's first rating as a new card: the day it was added
    for e in sorted(ratings, key=lambda e: (e.time, e.id)):
        if e.before is None:
            firsts.setdefault(e.key, e)
    added = Counter(
        _study_day(e.time).isoformat() for e in firsts.values() if first <= _study_day(e.time) <= TODAY
    )
    final: dict[str, CardState | None] = {}
    for e in sorted(events, key=lambda e: e.time):
        if e.kind != "undo" and e.id not in undone:
            final[e.key] = e.after
    forecast: Counter[int] = Counter()
    for state in final.values():
        if state is None or state.suspended or state.due is None:
            continue
        forecast[max(0, (_study_day(state.due) - TODAY).days)] += 1
    calendar_first = TODAY - timedelta(days=364)
    return {
        "per_day": {d.isoformat(): n for d, n in per_day.items() if first <= d <= TODAY},
        "calendar": {d.isoformat(): n for d, n in per_day.items() if calendar_first <= d <= TODAY},
        "by_state": by_state,
        "added": [{"date": d, "cards": n} for d, n in sorted(added.items())],
        "buttons": buttons,
        "hours": [{"hour": h, "reviews": hours[h], "passed": passed_hours[h]} for h in range(24)],
        "spans": spans,
        "forecast": forecast,
        "final": final,
    }
