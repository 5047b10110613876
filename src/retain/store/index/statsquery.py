"""SQL behind the statistics: per study day sums over chosen decks, and ratings per local hour.

`daily_rows` reads the `daily` table (a few thousand rows even at 300k events),
the hour-of-day counts included.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping, Sequence
from datetime import date
from operator import add

from retain.core.statsfigures import DayRow
from retain.store.index.daily import COLUMNS, Tally

__all__ = ["daily_rows"]

_COLUMNS = (
    "reviews, ms, new, learning, review, relearning, "
    "l1, l2, l3, l4, y1, y2, y3, y4, m1, m2, m3, m4, young_pass, young_fail, mature_pass, mature_fail, "
    + ", ".join(f"h{h}" for h in range(24))
    + ", "
    + ", ".join(f"p{h}" for h in range(24))
)
_SUMS = ", ".join(f"sum({c.strip()})" for c in _COLUMNS.split(","))
_PLACES = [COLUMNS.index(c.strip()) for c in _COLUMNS.split(",")]  # a `daily` row's values in this order


def _deck_filter(decks: Sequence[str] | None, column: str = "deck") -> tuple[str, list[object]]:
    if decks is None:
        return "", []
    return f" AND {column} IN ({','.join('?' * len(decks))})", list(decks)


def daily_rows(
    db: sqlite3.Connection,
    decks: Sequence[str] | None,
    moved: Tally | None = None,
    repeats: Mapping[tuple[str, int], int] | None = None,
) -> list[DayRow]:
    """One `DayRow` per study day with counted ratings in `decks` (None: every deck, removed ones
    too), `moved` (per deck and day, see `moves.moved_sums`) added for the decks in `decks`.

    `repeats` (per deck and day): ratings of new cards that were not the card's first (studied
    new before: forgotten, or on two devices), left out of `DayRow.added`."""
    where, args = _deck_filter(decks)
    sql = f"SELECT day, {_SUMS} FROM daily WHERE 1{where} GROUP BY day ORDER BY day"
    by_day = {row[0]: [int(x or 0) for x in row[1:]] for row in db.execute(sql, args)}
    if moved and decks is not None:  # over every deck a move changes nothing
        wanted = set(decks)
        for (deck, day), change in moved.items():
            if deck in wanted:
                v = by_day.setdefault(day, [0] * len(_PLACES))
                v[:] = map(add, v, [change[i] for i in _PLACES])
        by_day = {day: v for day, v in sorted(by_day.items()) if v[0] > 0}
    again: dict[int, int] = {}
    wanted_decks = None if decks is None else set(decks)
    for (deck, day), n in (repeats or {}).items():
        if wanted_decks is None or deck in wanted_decks:
            again[day] = again.get(day, 0) + n
    out = []
    for day, v in by_day.items():
        out.append(
            DayRow(
                date.fromordinal(day),
                reviews=v[0],
                ms=v[1],
                new=v[2],
                learning=v[3],
                review=v[4],
                relearning=v[5],
                buttons=tuple(v[6:18]),
                young_pass=v[18],
                young_fail=v[19],
                mature_pass=v[20],
                mature_fail=v[21],
                hours=tuple(v[22:70]),
                added=max(0, v[2] - again.get(day, 0)),
            )
        )
    return out
