"""Records that repeat an event the index already holds: counted once.

An event is its device, id, card and time (an older retain could give two cards'
events one id). A journal line copied whole (by hand, a sync tool,
`cat journal journal`) keeps its CRC, so the scanner reads it as a good record; as a
second row it counted as another review in the day's log and the stats. A feed keeps
the first row of each event (the lowest rowid: the one read first) and deletes the
rows it added that repeat one, saying where they are in one line per file.

A repeat has the same card and time too. A cold build first counts the distinct
times (one pass over `events_t`, 16 ms for 285k events) and, only when two rows share
one (a bulk action's events do), the distinct card-and-times (52 ms); rows are compared
one by one only when those fall short of the row count. A feed of appended records
probes the `(key, t)` index once per new row (0.5 us a row).
"""

from __future__ import annotations

import sqlite3

__all__ = ["drop_repeats", "repeated_line"]

_ROWS = "SELECT count(*) FROM events"
_TIMES = "SELECT count(DISTINCT t) FROM events"  # (walks `events_t`: 16 ms at 285k rows)
_CARD_TIMES = "SELECT count(*) FROM (SELECT DISTINCT key, t FROM events)"  # (`events_key`: 52 ms)
_REPEATS = """
SELECT e.rowid, f.device, f.name, e.off FROM events e JOIN files f ON f.id = e.file
WHERE e.rowid >= ? AND EXISTS (
    SELECT 1 FROM events d
    WHERE d.key = e.key AND d.t = e.t AND d.device = e.device AND d.eid = e.eid AND d.rowid < e.rowid
)
ORDER BY e.rowid
"""


def drop_repeats(db: sqlite3.Connection, first: int) -> dict[str, list[int]]:
    """Delete the rows from rowid `first` on that repeat an event held before them; where they
    were: the byte offsets of their records, by "<device>/<file>"."""
    if first == 1 and not _shared(db):
        return {}
    found = db.execute(_REPEATS, (first,)).fetchall()
    if not found:
        return {}
    db.executemany("DELETE FROM events WHERE rowid = ?", [(rowid,) for rowid, *_ in found])
    where: dict[str, list[int]] = {}
    for _rowid, device, name, offset in found:
        where.setdefault(f"{device}/{name}", []).append(offset)
    return where


def _shared(db: sqlite3.Connection) -> bool:
    """Whether two rows of the index share a card and a time (a build's first look: the rows
    are compared one by one only then). Most histories have no two rows at one time at all;
    a bulk action's events share one, so card and time are counted next."""
    rows = db.execute(_ROWS).fetchone()[0]
    return bool(db.execute(_TIMES).fetchone()[0] < rows and db.execute(_CARD_TIMES).fetchone()[0] < rows)


def repeated_line(label: str, offsets: list[int]) -> str:
    """One line for a file's records that repeat earlier ones (the file is left as it is)."""
    shown = ", ".join(map(str, offsets[:3])) + (f" and {len(offsets) - 3} more" if len(offsets) > 3 else "")
    where = f"byte {shown}" if len(offsets) == 1 else f"bytes {shown}"
    return (
        f"{label}: {len(offsets)} record(s) at {where} repeat an event already read (a copied line?); "
        "each event counts once"
    )
