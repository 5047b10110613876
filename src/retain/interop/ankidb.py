"""Read notes, note types, decks, cards and the review log from an Anki collection file.

The file is a temp copy opened read-only (`file:...?mode=ro`) with
`trusted_schema` off, and it must pass `PRAGMA quick_check` before any query.
Both schemas are handled: 11 (JSON in `col`) and 18 (`notetypes`, `fields`,
`templates` and `decks` tables with protobuf configs).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

from retain.interop.errors import InteropError
from retain.interop.protowire import first, messages, strings

__all__ = ["AnkiCard", "AnkiDb", "NoteType", "open_db"]


@dataclass(slots=True)
class NoteType:
    name: str
    is_cloze: bool
    fields: list[str]
    qfmts: list[str]


@dataclass(frozen=True, slots=True)
class AnkiCard:
    id: int
    nid: int
    did: int
    ord: int
    type: int
    queue: int
    due: int
    ivl: int
    factor: int
    reps: int
    lapses: int
    data: str


@dataclass(slots=True)
class AnkiDb:
    conn: sqlite3.Connection
    crt: int
    notetypes: dict[int, NoteType] = field(default_factory=dict)
    decks: dict[int, tuple[str, str]] = field(default_factory=dict)  # id -> (name with ::, description)

    def note_count(self) -> int:
        return int(self.conn.execute("SELECT count(*) FROM notes").fetchone()[0])

    def notes(self) -> Iterator[tuple[int, str, int, str, str]]:
        """(id, guid, mid, tags, flds) in id order."""
        yield from self.conn.execute("SELECT id, guid, mid, tags, flds FROM notes ORDER BY id")

    def cards(self) -> list[AnkiCard]:
        rows = self.conn.execute(
            "SELECT id, nid, did, ord, type, queue, due, ivl, factor, reps, lapses, data FROM cards ORDER BY nid, ord"
        )
        return [
            AnkiCard(
                r[0],
                r[1],
                r[2],
                r[3],
                r[4],
                r[5],
                r[6],
                r[7],
                r[8],
                r[9],
                r[10],
                r[11] if isinstance(r[11], str) else "",
            )
            for r in rows
        ]

    def revlog(self) -> Iterator[tuple[int, int, int, int, int, int, int]]:
        """(id ms, cid, ease, ivl, factor, time ms, type) in time order."""
        yield from self.conn.execute("SELECT id, cid, ease, ivl, factor, time, type FROM revlog ORDER BY id")

    def close(self) -> None:
        self.conn.close()


def _json(raw: Any, what: str) -> dict[str, Any]:
    try:
        data = json.loads(raw) if isinstance(raw, str | bytes) else None
    except (ValueError, RecursionError):
        data = None
    if not isinstance(data, dict):
        raise InteropError(f"collection is damaged: `{what}` is not a JSON object")
    return data


def _schema11(db: AnkiDb, models_raw: Any, decks_raw: Any) -> None:
    for mid, m in _json(models_raw, "models").items():
        if not isinstance(m, dict):
            continue
        flds = sorted((f for f in m.get("flds", []) if isinstance(f, dict)), key=lambda f: f.get("ord", 0))
        tmpls = [t for t in m.get("tmpls", []) if isinstance(t, dict)]
        db.notetypes[int(mid)] = NoteType(
            str(m.get("name", "")),
            m.get("type") == 1,
            [str(f.get("name", "")) for f in flds],
            [str(t.get("qfmt", "")) for t in tmpls],
        )
    for did, d in _json(decks_raw, "decks").items():
        if isinstance(d, dict):
            db.decks[int(did)] = (str(d.get("name", "")), str(d.get("desc", "")))


def _schema18(db: AnkiDb) -> None:
    c = db.conn
    fields: dict[int, list[str]] = {}
    for ntid, name in c.execute("SELECT ntid, name FROM fields ORDER BY ntid, ord"):
        fields.setdefault(ntid, []).append(str(name))
    qfmts: dict[int, list[str]] = {}
    for ntid, config in c.execute("SELECT ntid, config FROM templates ORDER BY ntid, ord"):
        qfmts.setdefault(ntid, []).append((strings(config or b"", 1) or [""])[0])
    for ntid, name, config in c.execute("SELECT id, name, config FROM notetypes"):
        kind = first(config or b"", 1)
        db.notetypes[ntid] = NoteType(str(name), kind == 1, fields.get(ntid, []), qfmts.get(ntid, []))
    for did, name, kind in c.execute("SELECT id, name, kind FROM decks"):
        normal = messages(kind or b"", 1)
        desc = (strings(normal[0], 4) or [""])[0] if normal else ""
        db.decks[did] = (str(name).replace("\x1f", "::"), desc)


def _unicase(a: str, b: str) -> int:
    x, y = a.casefold(), b.casefold()
    return (x > y) - (x < y)


def open_db(path: Path) -> AnkiDb:
    """Open read-only, refuse if `quick_check` fails, load note types and decks."""
    try:
        conn = sqlite3.connect(f"file:{quote(str(path))}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise InteropError(f"embedded database cannot be opened: {exc}") from None
    try:
        conn.create_collation("unicase", _unicase)  # Anki's schema 18 declares it
        conn.execute("PRAGMA trusted_schema = OFF")
        conn.execute("PRAGMA cell_size_check = ON")
        check = conn.execute("PRAGMA quick_check").fetchall()
        if check != [("ok",)]:
            raise InteropError(f"embedded database is damaged (quick_check: {str(check[0][0])[:80]})")
        ver, crt, models, decks = conn.execute("SELECT ver, crt, models, decks FROM col").fetchone()
        db = AnkiDb(conn, int(crt))
        if int(ver) >= 15:
            _schema18(db)
        else:
            _schema11(db, models, decks)
    except sqlite3.Error as exc:
        conn.close()
        raise InteropError(f"embedded database is damaged or not an Anki collection: {exc}") from None
    except (TypeError, ValueError) as exc:
        conn.close()
        raise InteropError(f"embedded database is not an Anki collection: {exc}") from None
    except BaseException:
        conn.close()
        raise
    return db
