"""Per deck and study day aggregates of the counted ratings, kept in step with the events.

Statistics read these (a few thousand rows) instead of the events (hundreds of
thousands). After every feed, the (deck, day) pairs that gained events or
whose events were undone are counted again from `events`; after a file was
read again from the start or removed, and when the study day's definition
changed (rollover hour, time zone), every pair is.

The study day of each event is stored with it (`events.day`), computed with
the `StudyDay` named in `meta` under `studyday`; `restamp` recomputes it.
"""

from __future__ import annotations

import functools
import sqlite3
from datetime import UTC, datetime, timedelta

from retain.core.studyday import StudyDay

__all__ = ["recount_all", "recount_since", "restamp", "studyday_key"]

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_YOUNG = 21  # days: Anki's line between young and mature cards
_B = "coalesce(bstate, 0)"
_IVL = "coalesce(bivl, 0)"
_SUMS = [
    "ms",
    f"{_B} = 0",
    f"{_B} = 1",
    f"{_B} = 2",
    f"{_B} = 3",
    "rating = 1",
    "rating = 2",
    "rating = 3",
    "rating = 4",
    f"{_B} = 2 AND {_IVL} < {_YOUNG} AND rating > 1",
    f"{_B} = 2 AND {_IVL} < {_YOUNG} AND rating = 1",
    f"{_B} = 2 AND {_IVL} >= {_YOUNG} AND rating > 1",
    f"{_B} = 2 AND {_IVL} >= {_YOUNG} AND rating = 1",
    # the answer buttons by card type: learning (new, learning, relearning), young, mature
    *(f"{_B} <> 2 AND rating = {r}" for r in range(1, 5)),
    *(f"{_B} = 2 AND {_IVL} < {_YOUNG} AND rating = {r}" for r in range(1, 5)),
    *(f"{_B} = 2 AND {_IVL} >= {_YOUNG} AND rating = {r}" for r in range(1, 5)),
    # ratings and ratings not Again per local hour (events.hour)
    *(f"hour = {h}" for h in range(24)),
    *(f"hour = {h} AND rating > 1" for h in range(24)),
]
_COUNT = (
    "SELECT deck, day, count(*), "
    + ", ".join(f"ifnull(sum({x}), 0)" for x in _SUMS)
    + " FROM events WHERE kind = 0 AND undone = 0"
)


@functools.lru_cache(maxsize=8)  # asked on every feed, i.e. on every rating: compute it once
def studyday_key(day: StudyDay) -> str:
    """A name for the study-day rule: the rollover hour and the zone's offsets over 1990-2060."""
    offsets = []
    for year in range(1990, 2061):
        for month in (1, 4, 7, 10):
            moment = datetime(year, month, 1, 12, tzinfo=day.tz)
            offsets.append(int((moment.utcoffset() or timedelta()).total_seconds()) // 60)
    return f"{day.rollover_hour}|{','.join(map(str, offsets))}"


def recount_all(db: sqlite3.Connection) -> None:
    db.execute("DELETE FROM daily")
    db.execute(f"INSERT INTO daily {_COUNT} GROUP BY deck, day")


def recount_since(db: sqlite3.Connection, first_rowid: int, undone: list[tuple[str, int]]) -> None:
    """Recount the pairs touched by the rows from `first_rowid` on, and the `undone` pairs."""
    # NOT INDEXED: walk the new rows by rowid (the planner would rather scan a whole index).
    new = db.execute("SELECT deck, day FROM events NOT INDEXED WHERE rowid >= ?", (first_rowid,))
    pairs = set(new.fetchall())
    for deck, day in pairs | set(undone):
        db.execute("DELETE FROM daily WHERE deck = ? AND day = ?", (deck, day))
        db.execute(f"INSERT INTO daily {_COUNT} AND deck = ? AND day = ? GROUP BY deck, day", (deck, day))


def restamp(db: sqlite3.Connection, day: StudyDay) -> None:
    """Recompute every event's study day and local hour under `day` (the rollover hour or the zone changed)."""

    def of(t: int) -> int:
        return day.of(_EPOCH + timedelta(microseconds=t)).toordinal()

    def hour(t: int) -> int:
        return (_EPOCH + timedelta(microseconds=t)).astimezone(day.tz).hour

    db.create_function("retain_day", 1, of, deterministic=True)
    db.create_function("retain_hour", 1, hour, deterministic=True)
    db.execute("UPDATE events SET day = retain_day(t), hour = retain_hour(t)")
    recount_all(db)
