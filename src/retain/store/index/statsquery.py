"""SQL behind the statistics: per study day sums over chosen decks, and ratings per local hour.

`daily_rows` reads the `daily` table (a few thousand rows even at 300k events);
`hour_counts` reads `events` for the period only, grouped by quarter hour (UTC
offsets are whole quarter hours), and maps each quarter hour to its local hour.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta, tzinfo

from retain.core.statsfigures import DayRow

__all__ = ["daily_rows", "hour_counts"]

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_SLOT_US = 900 * 1_000_000
_COLUMNS = (
    "reviews, ms, new, learning, review, relearning, "
    "l1, l2, l3, l4, y1, y2, y3, y4, m1, m2, m3, m4, young_pass, young_fail, mature_pass, mature_fail"
)
_SUMS = ", ".join(f"sum({c.strip()})" for c in _COLUMNS.split(","))


def _deck_filter(decks: Sequence[str] | None, column: str = "deck") -> tuple[str, list[object]]:
    if decks is None:
        return "", []
    return f" AND {column} IN ({','.join('?' * len(decks))})", list(decks)


def daily_rows(db: sqlite3.Connection, decks: Sequence[str] | None) -> list[DayRow]:
    """One `DayRow` per study day with counted ratings in `decks` (None: every deck, removed ones too)."""
    where, args = _deck_filter(decks)
    sql = f"SELECT day, {_SUMS} FROM daily WHERE 1{where} GROUP BY day ORDER BY day"
    out = []
    for row in db.execute(sql, args):
        v = [int(x or 0) for x in row[1:]]
        out.append(
            DayRow(
                date.fromordinal(row[0]),
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
            )
        )
    return out


def hour_counts(
    db: sqlite3.Connection, decks: Sequence[str] | None, since_day: date, tz: tzinfo
) -> list[tuple[int, int, int]]:
    """(local hour, ratings, ratings not Again) of the counted ratings from study day `since_day` on."""
    where, args = _deck_filter(decks)
    sql = (
        f"SELECT t / {_SLOT_US}, count(*), sum(rating > 1) FROM events"
        f" WHERE kind = 0 AND undone = 0 AND day >= ?{where} GROUP BY 1"
    )
    per_hour: dict[int, list[int]] = {}
    for slot, count, passed in db.execute(sql, [since_day.toordinal(), *args]):
        hour = (_EPOCH + timedelta(microseconds=slot * _SLOT_US)).astimezone(tz).hour
        acc = per_hour.setdefault(hour, [0, 0])
        acc[0] += count
        acc[1] += int(passed or 0)
    return [(h, c, p) for h, (c, p) in sorted(per_hour.items())]
