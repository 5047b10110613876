"""Records that repeat an event the index already holds: counted once.

Also a review of a history imported on two computers before they synced (`_IMPORTED_TWICE`).

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

__all__ = ["drop_repeats", "imported_twice_line", "repeated_line"]

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


# One history imported on two computers before they synced: each import has a device folder of
# its own (`import-<date>-<hash>`), so the same review is in two folders under two ids. An
# imported event with the card, time, kind and rating of one another import folder holds is
# that review again (Anki's times are whole milliseconds, unique per collection).
_IMPORTED_TWICE = """
SELECT e.rowid, f.device, f.name, e.off FROM events e JOIN files f ON f.id = e.file
WHERE e.rowid >= ? AND substr(e.device, 1, 7) = 'import-' AND EXISTS (
    SELECT 1 FROM events d
    WHERE d.key = e.key AND d.t = e.t AND d.kind = e.kind AND d.rating = e.rating
    AND d.device <> e.device AND substr(d.device, 1, 7) = 'import-' AND d.rowid < e.rowid
)
ORDER BY e.rowid
"""


def drop_repeats(db: sqlite3.Connection, first: int) -> dict[str, str]:
    """Delete the rows from rowid `first` on that repeat an event held before them (a copied line,
    or a review another import of the same history holds); one line per "<device>/<file>"."""
    if first == 1 and not _shared(db):
        return {}
    lines: dict[str, str] = {}
    for query, line in ((_REPEATS, repeated_line), (_IMPORTED_TWICE, imported_twice_line)):
        found = db.execute(query, (first,)).fetchall()
        if not found:
            continue
        db.executemany("DELETE FROM events WHERE rowid = ?", [(rowid,) for rowid, *_ in found])
        where: dict[str, list[int]] = {}
        for _rowid, device, name, offset in found:
            where.setdefault(f"{device}/{name}", []).append(offset)
        for label, offsets in where.items():
            lines[label] = (
                f"{lines[label]}; {line(label, offsets)}" if label in lines else line(label, offsets)
            )
    return lines


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


def imported_twice_line(label: str, offsets: list[int]) -> str:
    """One line for a file's imported reviews that another import of the same history holds."""
    return (
        f"{label}: {len(offsets)} imported review(s) another import folder holds too (the same "
        "history imported on two computers?); each counts once"
    )
