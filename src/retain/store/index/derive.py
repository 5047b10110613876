"""What the index stores beside each record's own values: its study day, local hour and deck,
and the per (deck, day) sums of a batch, computed where the batch was decoded.

On a cold build the batches are decoded in worker processes (`parallel`), so this
work is done there too, and so is making the rows (`pack`: a serialized in-memory
SQLite database the inserting process copies with one `INSERT ... SELECT`, instead
of binding ~15 values a row from Python, ~1 s of its time at 50k cards). A
`StudyDay` whose zone cannot be sent to a worker (a zone read from a file) is
applied here instead (`portable`).
"""

from __future__ import annotations

import sqlite3
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import compress
from operator import sub
from typing import Any

from retain.core.studyday import StudyDay
from retain.store.index.daily import Tally, logged_days, tally_columns
from retain.store.state.recordfast import IndexCols

__all__ = [
    "BATCH_COLUMNS",
    "BATCH_WIDTH",
    "CAN_PACK",
    "Derived",
    "derive",
    "pack",
    "portable",
    "row_columns",
    "study_days_between",
]

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_US = timedelta(microseconds=1)
_SLOT_US = 900 * 1_000_000  # UTC offsets are whole quarter hours: a slot mostly lies in one study day
_SLOT_LAST = timedelta(microseconds=_SLOT_US - 1)  # a slot's last instant, from its first
_REVIEW = 0  # core.state.EVENT_KINDS.index("review")


@dataclass(slots=True)
class Derived:
    days: list[int]  # study day (date.toordinal) of each record
    hours: list[int]  # local hour of each record
    decks: list[str]
    # the interval before each record in study days, a (re)learning step's as Anki logs it at the
    # rating (`daily.logged_days`: 0 for a `10m` step past the rollover); None: no state before
    bdays: list[int | None]
    sums: Tally  # the batch's ratings (kind review) per (deck, day), as if none were undone
    rows: bytes | None = None  # packed (`pack`): the batch's rows as a serialized database; days etc. empty
    count: int = 0  # rows in `rows`


def derive(cols: IndexCols, day: StudyDay) -> Derived:
    days, hours = _days_hours(cols.t, day)
    gaps = study_days_between(cols.blast, cols.bdue, day)
    bdays = logged_days(cols.bstate, cols.blast, cols.bdue, gaps, cols.t, days, day)
    decks = [k.partition("/")[0] for k in cols.key]
    c = (decks, days, cols.bstate, bdays, cols.rating, hours, cols.ms)
    if any(cols.kind):  # other kinds than reviews (flags, resets): only ratings are summed
        keep = [k == _REVIEW for k in cols.kind]
        c = tuple(list(compress(col, keep)) for col in c)  # type: ignore[assignment]
    return Derived(days, hours, decks, bdays, tally_columns(*c))


def study_days_between(
    starts: Sequence[int | None], ends: Sequence[int | None], day: StudyDay
) -> list[int | None]:
    """Per row, the study days from `starts` to `ends` (microseconds; None when either is None):
    the interval before a rating as Anki counts it (a 21-day interval across a DST change is 21,
    a `1d` learning step 1), where the hours between them may say 19.98 or 0.3."""
    if None in starts or None in ends:
        pairs = [(s, e) for s, e in zip(starts, ends, strict=True) if s is not None and e is not None]
    else:
        pairs = list(zip(starts, ends, strict=True))  # type: ignore[arg-type]
    if not pairs:
        return [None] * len(starts)
    found = _study_days([s for s, _e in pairs] + [e for _s, e in pairs], day)
    gaps = iter(map(sub, found[len(pairs) :], found[: len(pairs)]))
    return [None if s is None or e is None else next(gaps) for s, e in zip(starts, ends, strict=True)]


_MAX_SPAN_DAYS = 40 * 366  # dates further apart (odd ones: a due date in year 9000) ask the rule one by one


def _study_days(times: Sequence[int], day: StudyDay) -> list[int]:
    """The study day (date.toordinal) of each time (microseconds): due dates and last reviews are
    spread over years of quarter hours, so each is placed among the days' starts (one rule call a
    day of the span) rather than asked of the rule (one call per distinct quarter hour)."""
    first = day.of(_EPOCH + timedelta(microseconds=min(times)))
    span = (day.of(_EPOCH + timedelta(microseconds=max(times))) - first).days
    try:
        if span > _MAX_SPAN_DAYS:
            raise OverflowError
        starts = [(day.start_of(first + timedelta(days=i)) - _EPOCH) // _US for i in range(1, span + 1)]
    except OverflowError:  # (a study day at the calendar's end)
        return [day.of(_EPOCH + timedelta(microseconds=t)).toordinal() for t in times]
    base = first.toordinal()
    return [base + bisect_right(starts, t) for t in times]


def _days_hours(times: Sequence[int], day: StudyDay) -> tuple[list[int], list[int]]:
    """Study day (date.toordinal) and local hour of each time (microseconds since the epoch)."""
    slots = [us // _SLOT_US for us in times]
    day_of: dict[int, int] = {}
    hour_of: dict[int, int] = {}
    split: set[int] = set()
    for slot in set(slots):  # a few per hour of history, not one per record
        moment = _EPOCH + timedelta(microseconds=slot * _SLOT_US)
        day_of[slot] = day.of(moment).toordinal()
        hour_of[slot] = moment.astimezone(day.tz).hour
        last = moment + _SLOT_LAST
        if day.of(last).toordinal() != day_of[slot] or last.astimezone(day.tz).hour != hour_of[slot]:
            split.add(slot)  # a zone whose offset is no whole quarter hour: a new day or hour inside
    days = list(map(day_of.__getitem__, slots))
    hours = list(map(hour_of.__getitem__, slots))
    if split:  # (rare: such slots are dated record by record)
        for i, (slot, us) in enumerate(zip(slots, times, strict=True)):
            if slot in split:
                moment = _EPOCH + timedelta(microseconds=us)
                days[i] = day.of(moment).toordinal()
                hours[i] = moment.astimezone(day.tz).hour
    return days, hours


def portable(day: StudyDay) -> StudyDay | None:
    """`day` when it can be sent to a worker process (its zone pickles), else None."""
    import pickle  # (only when worker processes decode: not on a warm start)

    try:
        pickle.dumps(day.tz)
    except Exception:
        return None
    return day


# The `events` columns a batch fills besides its file and device, in the order `pack` writes them.
BATCH_COLUMNS = (
    "off, t, eid, kind, key, deck, rating, ms, undoes, day, hour, bstate, blast, bdue, bdays, astate, astab"
)
BATCH_WIDTH = BATCH_COLUMNS.count(",") + 1
CAN_PACK = hasattr(sqlite3.Connection, "serialize")  # SQLite built without it: rows go as columns


def row_columns(cols: IndexCols, d: Derived) -> tuple[list[Any], ...]:
    """A batch's `events` values column by column, in `BATCH_COLUMNS` order."""
    return (
        cols.offsets,
        cols.t,
        cols.eid,
        cols.kind,
        cols.key,
        d.decks,
        cols.rating,
        cols.ms,
        cols.undoes,
        d.days,
        d.hours,
        cols.bstate,
        cols.blast,
        cols.bdue,
        d.bdays,
        cols.astate,
        cols.astab,
    )


def pack(cols: IndexCols, d: Derived) -> Derived:
    """`d` with the batch's rows made: table `batch` (`BATCH_COLUMNS`, untyped: values kept as
    given) of an in-memory database, serialized (`d` itself when this SQLite cannot serialize)."""
    if not CAN_PACK:
        return d
    db = sqlite3.connect(":memory:", isolation_level=None)
    try:
        db.execute(f"CREATE TABLE batch ({BATCH_COLUMNS})")
        db.execute("BEGIN")
        db.executemany(
            f"INSERT INTO batch VALUES ({', '.join('?' * BATCH_WIDTH)})",
            zip(*row_columns(cols, d), strict=True),
        )
        db.execute("COMMIT")
        rows = db.serialize()
    finally:
        db.close()
    return Derived([], [], [], [], d.sums, rows, len(cols.t))
