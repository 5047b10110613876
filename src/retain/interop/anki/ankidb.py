"""Read notes, note types, decks, cards and the review log from an Anki collection file.

The file is a temp copy opened read-only (`file:...?mode=ro`) with
`trusted_schema` off, and it must pass `PRAGMA quick_check` before any query.
Both schemas are handled: 11 (JSON in `col`) and 18 (`notetypes`, `fields`,
`templates` and `decks` tables with protobuf configs).

A collection is a stranger's program as much as data: a view named `notes`
can recurse for ever, a trigger or a virtual table can run code. So the
schema must hold only plain tables and indexes, with Anki's tables and the
columns retain reads; every query runs under a progress-handler deadline and
a row limit, and every SQLite error, raised while a query starts or while its
rows are read, becomes a one-line `InteropError`.

SQLite keeps any value in any column, so every integer column is checked where
its row is read (`_whole`, `_count`): a note, card or review-log row whose ids
are not whole numbers, or a review-log row whose numbers are not numbers, is
left out and counted in `left_out`; a card whose scheduling numbers are not
numbers keeps its place but has `sched_ok` false. A finite float in a
scheduling column is rounded, as Anki's Check Database does.

SQLite keeps any bytes as TEXT, and Python's sqlite3 refuses a value that is not
UTF-8 (the whole package, for one damaged note). Text is read with U+FFFD for
bytes that are not UTF-8 (`_text`): a damaged note costs no deck; the notes and the
names (decks, note types, fields, templates) read so are counted in `mended`,
and `text_warning` gives the one warning line.
"""

from __future__ import annotations

import math
import sqlite3
import struct
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple
from urllib.parse import quote

from retain.interop.anki import jsontext
from retain.interop.anki.protowire import first, messages, read_fields, strings
from retain.interop.errors import InteropError, LimitError

__all__ = ["MAX_ROWS", "QUERY_SECONDS", "AnkiCard", "AnkiDb", "NoteType", "open_db"]

QUERY_SECONDS = 10.0  # one query, rows included; quick_check gets CHECK_SECONDS
CHECK_SECONDS = 60.0
MAX_ROWS = 5_000_000  # any one query (the review log is the longest table)
_PROGRESS_STEPS = 10_000  # SQLite VM instructions between deadline checks
_FETCH = 512  # rows fetched at a time (the deadline counts only the fetching)
# a deck's own "This deck" options: limits (Anki 2.1.55+) and desired retention (Anki 23.10+):
# legacy deck JSON key, or `Deck.Normal` field number (`optional`: present only when set), -> retain
# key. The legacy JSON holds the retention in percent, the protobuf as a float. The "today only"
# limits are left.
_OWN_LIMITS_11 = {
    "newLimit": "new_per_day",
    "reviewLimit": "reviews_per_day",
    "desiredRetention": "desired_retention",
}
_OWN_LIMITS_18 = {7: "new_per_day", 6: "reviews_per_day", 10: "desired_retention"}

# Anki's tables and the columns retain reads from them; schema 18 adds the last four.
_COLUMNS: dict[str, set[str]] = {
    "col": {"ver", "crt", "models", "decks"},
    "notes": {"id", "guid", "mid", "tags", "flds"},
    "cards": {"id", "nid", "did", "ord", "type", "queue", "due", "ivl", "factor", "reps", "lapses", "data"}
    | {"odid", "odue"},  # a card in a filtered deck: its home deck and real due
    "revlog": {"id", "cid", "ease", "ivl", "factor", "time", "type"},
}
_COLUMNS_18: dict[str, set[str]] = {
    "notetypes": {"id", "name", "config"},
    "fields": {"ntid", "ord", "name"},
    "templates": {"ntid", "ord", "name", "config"},
    "decks": {"id", "name", "kind"},
}


class _Guard:
    """A time budget per query, checked by SQLite's progress handler: past it, the query is interrupted.

    Only time inside SQLite counts: while the caller works on a row (a big
    import converts each note's HTML), the clock is paused, so a large but
    honest collection on a slow or busy machine is not taken for a hostile one.
    """

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.deadline = 0.0
        self.seconds = QUERY_SECONDS
        self._left = QUERY_SECONDS
        self._since = 0.0
        conn.set_progress_handler(self._tick, _PROGRESS_STEPS)

    def start(self, seconds: float | None = None) -> None:
        self.seconds = QUERY_SECONDS if seconds is None else seconds
        self._left = self.seconds
        self.resume()

    def resume(self) -> None:
        self._since = time.monotonic()
        self.deadline = self._since + self._left

    def pause(self) -> None:
        self._left -= time.monotonic() - self._since
        self.deadline = float("inf")

    def _tick(self) -> int:
        return 1 if time.monotonic() > self.deadline else 0


class _Mended(str):
    """Text whose bytes were not all UTF-8, read with U+FFFD in their place (so it is counted)."""

    __slots__ = ()


def _text(raw: bytes) -> str:
    """SQLite's TEXT value (the connection's `text_factory`): UTF-8, else `_Mended`."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return _Mended(raw.decode("utf-8", "replace"))


def _name(value: Any, db: AnkiDb) -> str:
    """A name column's value as text; one read with U+FFFD is counted in `db.mended`."""
    if isinstance(value, _Mended):
        db.mended["names"] += 1
    return str(value)


def _damaged(exc: sqlite3.Error, guard: _Guard) -> InteropError:
    if "interrupted" in str(exc):
        return LimitError(
            f"embedded database query ran longer than {guard.seconds:.0f} s; refused (hostile collection?)"
        )
    return InteropError(f"embedded database is damaged or not an Anki collection: {str(exc)[:120]}")


@dataclass(slots=True)
class NoteType:
    name: str
    is_cloze: bool
    fields: list[str]
    qfmts: list[str]
    afmts: list[str] = field(default_factory=list)  # the answer templates, in order
    tnames: list[str] = field(default_factory=list)  # the templates' names, in order


class AnkiCard(NamedTuple):  # (a tuple: made ~4x faster than a frozen dataclass, one per card)
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
    odid: int = 0  # in a filtered deck (`did`): the home deck; 0 otherwise
    odue: int = 0  # in a filtered deck: the real due (`due` is then a queue position); 0 otherwise
    sched_ok: bool = True  # False: a scheduling column held no number (its values above are then 0)
    flags: int = 0  # Anki's flag colour (1 red ... 7 purple), 0 for none

    @property
    def home_did(self) -> int:
        """The deck the card belongs to: a card in a filtered deck goes back to `odid`, as Anki does."""
        return self.odid or self.did

    @property
    def home_due(self) -> int:
        """The card's real due (as `due`): in a filtered deck it is kept in `odue`, as Anki restores it."""
        return self.odue if self.odid and self.odue else self.due

    @property
    def new_position(self) -> int | None:
        """A new card's place in Anki's new-card queue, else None (a studied card, or one whose
        numbers are no numbers). Anki keeps it in `due` of a new card (`type` 0, suspended or
        buried too): note creation order at first, set anew by "Reposition" (how shared decks
        put frequent words first). In a filtered deck `due` is the filtered queue's and the
        position waits in `odue` (0 is a position there)."""
        if self.type != 0 or not self.sched_ok:
            return None
        return self.odue if self.odid else self.due


def _whole(value: Any) -> int | None:
    """An id column's value: an integer (or a float holding one), else None (text, a blob, NULL)."""
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return None


def _count(value: Any) -> int | None:
    """A scheduling column's value: an integer, a finite float rounded (Anki's Check Database rounds
    them: a few old clients wrote them), else None (text, a blob, NULL, inf, NaN)."""
    if isinstance(value, int):
        return value
    if isinstance(value, float) and math.isfinite(value):
        return round(value)
    return None


def _all_integers(*columns: str) -> str:
    """An SQL expression that is 1 when every one of `columns` holds an integer (a literal like
    `0` counts), so rows of plain numbers skip the check of each value in Python."""
    return "(" + " AND ".join(f"typeof({c}) = 'integer'" for c in columns) + ")"


def _plain_card(r: Any) -> AnkiCard:
    """A `cards` row whose number columns all hold integers (SQLite said so): no check per value."""
    cid, nid, did, ord_, typ, queue, due, ivl, factor, reps, lapses, data, odid, odue, flags = r[:15]
    data = data if isinstance(data, str) else ""
    return AnkiCard(
        cid, nid, did, ord_, typ, queue, due, ivl, factor, reps, lapses, data, odid, odue, True, flags & 7
    )


def _card(r: Any) -> AnkiCard | None:
    """A `cards` row as an AnkiCard; None when its ids (id, nid, did, ord, odid) are not whole numbers."""
    ids = [_whole(v) for v in (r[0], r[1], r[2], r[3], r[12])]
    sched = [_count(v) for v in (r[4], r[5], r[6], r[7], r[8], r[9], r[10], r[13])]
    cid, nid, did, ord_, odid = ids
    if cid is None or nid is None or did is None or ord_ is None or odid is None:
        return None
    typ, queue, due, ivl, factor, reps, lapses, odue = (v or 0 for v in sched)
    data = r[11] if isinstance(r[11], str) else ""
    ok = None not in sched
    flags = (_whole(r[14]) or 0) & 0b111 if len(r) > 14 else 0  # the low 3 bits: the colour
    return AnkiCard(
        cid, nid, did, ord_, typ, queue, due, ivl, factor, reps, lapses, data, odid, odue, ok, flags
    )


@dataclass(slots=True)
class AnkiDb:
    conn: sqlite3.Connection
    crt: int
    guard: _Guard
    notetypes: dict[int, NoteType] = field(default_factory=dict)
    decks: dict[int, tuple[str, str]] = field(default_factory=dict)  # id -> (name with ::, description)
    max_rows: int = MAX_ROWS
    creation_offset: int | None = None  # Anki's `creationOffset`: crt's zone, minutes west of UTC
    left_out: Counter[str] = field(default_factory=Counter)  # rows left out ("notes", "cards", "revlog")
    mended: Counter[str] = field(default_factory=Counter)  # read with U+FFFD ("notes", "names")
    ver: int = 0  # `col.ver`: 11 (JSON in `col`) or 15+ (schema 18: tables with protobuf configs)
    deck_conf: dict[int, int] = field(default_factory=dict)  # deck id -> its options preset's id
    # deck id -> its own "This deck" limits, as Anki wrote them (`deck_options.deck_limits`)
    deck_limits: dict[int, dict[str, object]] = field(default_factory=dict)

    def query(self, sql: str) -> Iterator[Any]:
        """Rows of `sql`, under the deadline and the row limit; any SQLite error is an InteropError."""
        guard = self.guard
        guard.start()
        n = 0
        try:
            cursor = self.conn.execute(sql)
            while rows := cursor.fetchmany(_FETCH):
                n += len(rows)
                if n > self.max_rows:
                    raise LimitError(f"embedded database has more than {self.max_rows} rows in one table")
                guard.pause()  # the caller's time with the rows is not the query's
                yield from rows
                guard.resume()
        except sqlite3.Error as exc:
            raise _damaged(exc, guard) from None
        finally:
            guard.pause()

    def note_count(self) -> int:
        for row in self.query("SELECT count(*) FROM notes"):
            return int(row[0])
        return 0

    def notes(self) -> Iterator[tuple[int, str, int, str, str]]:
        """(id, guid, mid, tags, flds) in id order; a row whose id or mid is no whole number is left out."""
        for nid, guid, mid, tags, flds in self.query(
            "SELECT id, guid, mid, tags, flds FROM notes ORDER BY id"
        ):
            nid, mid = _whole(nid), _whole(mid)
            if nid is None or mid is None:
                self.left_out["notes"] += 1
                continue
            if type(flds) is _Mended or type(tags) is _Mended or type(guid) is _Mended:
                self.mended["notes"] += 1
            yield nid, str(guid), mid, str(tags), str(flds)

    def text_warning(self) -> str:
        """One warning line counting the notes and names read with U+FFFD for bytes that are not
        UTF-8 (the notes once `notes` has been read through); '' when there were none."""
        parts = [f"{self.mended[k]} {k[:-1]}(s)" for k in ("notes", "names") if self.mended[k]]
        return f"{' and '.join(parts)} had bytes that are not UTF-8; shown as \ufffd" if parts else ""

    def cards(self) -> list[AnkiCard]:
        """The cards by note and ord; a row whose ids are no whole numbers is left out."""
        columns = {str(row[1]) for row in self.query("PRAGMA table_info(cards)")}
        flags = "flags" if "flags" in columns else "0"  # (a trimmed collection may lack it)
        rows = self.query(
            "SELECT id, nid, did, ord, type, queue, due, ivl, factor, reps, lapses, data, odid, odue,"
            f" {flags}, {_all_integers('id', 'nid', 'did', 'ord', 'type', 'queue', 'due', 'ivl', 'factor', 'reps', 'lapses', 'odid', 'odue', flags)}"
            " FROM cards ORDER BY nid, ord"
        )
        out: list[AnkiCard] = []
        for r in rows:
            found = _plain_card(r) if r[15] else _card(r)  # r[15]: every number an integer
            if found is None:
                self.left_out["cards"] += 1
            else:
                out.append(found)
        return out

    def revlog(self) -> Iterator[tuple[int, int, int, int, int, int, int]]:
        """(id ms, cid, ease, ivl, factor, time ms, type) in time order; a row with a value that is
        no number (its id or cid no whole number) is left out."""
        columns = ("id", "cid", "ease", "ivl", "factor", "time", "type")
        sql = f"SELECT {', '.join(columns)}, {_all_integers(*columns)} FROM revlog ORDER BY id"
        for row in self.query(sql):
            if row[7]:  # every value an integer (SQLite says so): ~0.5 s less over 117k rows
                yield row[:7]
                continue
            rid, cid = _whole(row[0]), _whole(row[1])
            ease, ivl, factor, ms, typ = (_count(v) for v in row[2:7])
            if rid is None or cid is None or None in (ease, ivl, factor, ms, typ):
                self.left_out["revlog"] += 1
            else:
                yield rid, cid, ease or 0, ivl or 0, factor or 0, ms or 0, typ or 0

    def close(self) -> None:
        self.conn.close()


def _json(raw: Any, what: str) -> dict[str, Any]:
    try:
        data = jsontext.loads(raw) if isinstance(raw, str | bytes) else None
    except (ValueError, RecursionError):
        data = None
    if not isinstance(data, dict):
        raise InteropError(f"collection is damaged: `{what}` is not a JSON object")
    return data


def _schema11(db: AnkiDb, models_raw: Any, decks_raw: Any) -> None:
    _schema11_json(db, models_raw, decks_raw)
    for raw, names in (
        (models_raw, [n for t in db.notetypes.values() for n in (t.name, *t.fields, *t.tnames)]),
        (decks_raw, [name for name, _desc in db.decks.values()]),
    ):
        if isinstance(raw, _Mended):  # (the JSON text held bytes that are not UTF-8)
            db.mended["names"] += sum("\ufffd" in n for n in names)


def _schema11_json(db: AnkiDb, models_raw: Any, decks_raw: Any) -> None:
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
            [str(t.get("afmt", "")) for t in tmpls],
            [str(t.get("name", "")) for t in tmpls],
        )
    for did, d in _json(decks_raw, "decks").items():
        if isinstance(d, dict):
            db.decks[int(did)] = (str(d.get("name", "")), str(d.get("desc", "")))
            if (conf := _whole(d.get("conf"))) is not None and not d.get("dyn"):
                db.deck_conf[int(did)] = conf
                own = {key: d[name] for name, key in _OWN_LIMITS_11.items() if d.get(name) is not None}
                if isinstance(pct := own.get("desired_retention"), int | float) and not isinstance(pct, bool):
                    own["desired_retention"] = pct / 100
                if own:
                    db.deck_limits[int(did)] = own


def _schema18(db: AnkiDb) -> None:
    _check_tables(db, _COLUMNS_18)
    fields: dict[int, list[str]] = {}
    for ntid, name in db.query("SELECT ntid, name FROM fields ORDER BY ntid, ord"):
        if (ntid := _whole(ntid)) is not None:  # a row of no note type's id belongs to none
            fields.setdefault(ntid, []).append(_name(name, db))
    qfmts: dict[int, list[str]] = {}
    afmts: dict[int, list[str]] = {}
    tnames: dict[int, list[str]] = {}
    for ntid, tname, config in db.query("SELECT ntid, name, config FROM templates ORDER BY ntid, ord"):
        if (ntid := _whole(ntid)) is not None:
            qfmts.setdefault(ntid, []).append((strings(_blob(config), 1) or [""])[0])
            afmts.setdefault(ntid, []).append((strings(_blob(config), 2) or [""])[0])
            tnames.setdefault(ntid, []).append(_name(tname, db))
    for ntid, name, config in db.query("SELECT id, name, config FROM notetypes"):
        if (ntid := _whole(ntid)) is not None:  # no note's `mid` can name it
            kind = first(_blob(config), 1)
            db.notetypes[ntid] = NoteType(
                _name(name, db),
                kind == 1,
                fields.get(ntid, []),
                qfmts.get(ntid, []),
                afmts.get(ntid, []),
                tnames.get(ntid, []),
            )
    for did, name, kind in db.query("SELECT id, name, kind FROM decks"):
        if (did := _whole(did)) is not None:  # no card's `did` can name it
            normal = messages(_blob(kind), 1)
            desc = (strings(normal[0], 4) or [""])[0] if normal else ""
            db.decks[did] = (_name(name, db).replace("\x1f", "::"), desc)
            if normal and isinstance(conf := first(normal[0], 1, -1), int) and conf >= 0:
                db.deck_conf[did] = conf  # (a filtered deck has no preset)
                if own := _own_limits(normal[0]):
                    db.deck_limits[did] = own


def _own_limits(normal: bytes) -> dict[str, object]:
    """A schema-18 deck's own options (`_OWN_LIMITS_18`); none from a blob damaged past its preset."""
    try:
        own: dict[str, object] = {_OWN_LIMITS_18[n]: v for n, v in read_fields(normal) if n in _OWN_LIMITS_18}
    except InteropError:
        return {}
    if isinstance(raw := own.get("desired_retention"), bytes):  # (a float: fixed32; else left as it is)
        own["desired_retention"] = struct.unpack("<f", raw)[0] if len(raw) == 4 else raw
    return own


def _creation_offset(db: AnkiDb) -> int | None:
    """Anki's `creationOffset` setting (the zone `crt` was made in, minutes west of UTC), from
    `col.conf` (schema 11) or the `config` table (schema 18); None when missing or unusable."""
    raws: list[Any] = []
    for sql in (
        "SELECT conf FROM col LIMIT 1",
        "SELECT val FROM config WHERE key = 'creationOffset' LIMIT 1",
    ):
        try:
            raws += [row[0] for row in db.query(sql)]
        except LimitError:
            raise
        except InteropError:  # no such column or table (an older or a trimmed collection)
            continue
    for raw in raws:
        try:
            value = jsontext.loads(raw) if isinstance(raw, str | bytes) else None
        except (ValueError, RecursionError):
            continue
        if isinstance(value, dict):
            value = value.get("creationOffset")
        if isinstance(value, int) and not isinstance(value, bool) and -24 * 60 < value < 24 * 60:
            return value
    return None


def _blob(value: Any) -> bytes:
    return value if isinstance(value, bytes) else b""


def _check_schema(db: AnkiDb) -> None:
    """Only plain tables and indexes, and Anki's tables with the columns retain reads."""
    objects = list(db.query("SELECT type, name, sql FROM sqlite_master"))
    for kind, name, sql in objects:
        if kind not in ("table", "index") or str(sql or "").lstrip().upper().startswith("CREATE VIRTUAL"):
            what = "virtual table" if kind == "table" else str(kind)
            raise InteropError(
                f"embedded database holds a {what} ({str(name)[:40]!r}); an Anki collection has none; refused"
            )
    _check_tables(db, _COLUMNS)


def _check_tables(db: AnkiDb, wanted: dict[str, set[str]]) -> None:
    for table, columns in wanted.items():
        have = {str(row[1]) for row in db.query(f"PRAGMA table_info({table})")}
        if not have:
            raise InteropError(f"embedded database is not an Anki collection: no table `{table}`")
        missing = sorted(columns - have)
        if missing:
            raise InteropError(
                f"embedded database is not an Anki collection: table `{table}` has no column `{missing[0]}`"
            )


def _unicase(a: str, b: str) -> int:
    x, y = a.casefold(), b.casefold()
    return (x > y) - (x < y)


def open_db(path: Path) -> AnkiDb:
    """Open read-only, refuse if `quick_check` fails, load note types and decks."""
    try:
        conn = sqlite3.connect(f"file:{quote(str(path))}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise InteropError(f"embedded database cannot be opened: {exc}") from None
    guard = _Guard(conn)
    conn.text_factory = _text  # bytes that are not UTF-8 read as U+FFFD, never a refusal
    try:
        conn.create_collation("unicase", _unicase)  # Anki's schema 18 declares it
        conn.execute("PRAGMA trusted_schema = OFF")
        conn.execute("PRAGMA cell_size_check = ON")
        guard.start(CHECK_SECONDS)
        check = conn.execute("PRAGMA quick_check").fetchall()
        if check != [("ok",)]:
            raise InteropError(f"embedded database is damaged (quick_check: {str(check[0][0])[:80]})")
        db = AnkiDb(conn, 0, guard)
        _check_schema(db)
        row = next(db.query("SELECT ver, crt, models, decks FROM col"), None)
        if row is None:
            raise InteropError("embedded database is not an Anki collection: table `col` is empty")
        ver, crt, models, decks = (_whole(row[0]), _whole(row[1]), row[2], row[3])
        if ver is None or crt is None:
            raise InteropError(
                "embedded database is not an Anki collection: `col.ver` or `col.crt` is no number"
            )
        db.crt, db.ver = crt, ver
        db.creation_offset = _creation_offset(db)
        if ver >= 15:
            _schema18(db)
        else:
            _schema11(db, models, decks)
    except sqlite3.Error as exc:
        conn.close()
        raise _damaged(exc, guard) from None
    except (TypeError, ValueError) as exc:
        conn.close()
        raise InteropError(f"embedded database is not an Anki collection: {exc}") from None
    except BaseException:
        conn.close()
        raise
    return db
