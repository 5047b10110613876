"""The history index's SQLite file: open it, check it is ours and current, or start it afresh.

`cache/history.sqlite3` (WAL) holds one row per journal event plus, per
journal file, how far it has been read (see `ingest`). It is derived data: the
TOML journals stay the only source of truth, and anything unexpected about the
file is answered by rebuilding it, never by trusting it:

- not a database, damaged, or missing our tables: deleted and rebuilt, with a
  one-line message;
- written by another schema or another build of retain (`PRAGMA user_version`
  and the code fingerprint in `meta`): rebuilt, never read; with a one-line
  message when it was a newer retain's, or another program's SQLite file;
- not a file where the index belongs (a broken symbolic link, a directory, a
  FIFO; the same for its `-wal`/`-shm`/`-journal` companions): the link or
  special file removed, a directory moved aside (`history.sqlite3.moved`,
  `.moved-2`, ...; an empty one removed), with one line, and the index built
  in its place, so the next start finds it (a symbolic link to a file
  elsewhere is the user's choice and is followed);
- cannot be created or written (read-only or full disk, or the spot cannot be
  cleared): an in-memory index is used for this process, with a one-line
  message, and the app goes on;
- damaged where the checks made on opening do not look (a page deep in a
  table): the query that meets it gets an error or a value the index never
  wrote (`damaged`), and `History` replaces the file then and asks again.

Checking and (re)creating the tables is one `BEGIN IMMEDIATE` transaction, so
processes opening a missing or stale index at once never see (and never replace)
each other's half-made one: one creates it, the others find it current.
"""

from __future__ import annotations

import contextlib
import errno
import os
import sqlite3
import stat
import time
from collections.abc import Iterator
from pathlib import Path

from retain.core.state import EVENT_KINDS
from retain.store.index.daily import COLUMNS
from retain.store.index.derivedcache import code_fingerprint

__all__ = [
    "INDEX_NAME",
    "REBUILT_DAMAGED",
    "SCHEMA_VERSION",
    "TEMPORARY",
    "IndexUnavailable",
    "clear_spot",
    "connect",
    "create_indexes",
    "damaged",
    "remove",
    "reset",
    "unusable",
    "unwritable",
]

INDEX_NAME = "history.sqlite3"
_COMPANIONS = ("", "-wal", "-shm", "-journal")  # the file and what SQLite keeps beside it
SCHEMA_VERSION = 6  # 2: events gained the local hour, daily the buttons by card type and the hours; 3: no (deck, day) index; 4: events_new; 5: files.holes; 6: blast, bdue, bdays
_BUSY_MS = 15_000

_TABLES = """
CREATE TABLE IF NOT EXISTS meta (k TEXT PRIMARY KEY, v TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS files (
    id INTEGER PRIMARY KEY,
    device TEXT NOT NULL,
    name TEXT NOT NULL,
    ino INTEGER NOT NULL,
    size INTEGER NOT NULL,     -- bytes read (the end of the last complete record)
    tail INTEGER NOT NULL,     -- CRC-32 of the bytes just before `size` (see ingest)
    holes TEXT NOT NULL DEFAULT '',  -- where damaged records left out start (offsets, space-separated)
    UNIQUE (device, name)
);
CREATE TABLE IF NOT EXISTS events (
    file INTEGER NOT NULL,     -- files.id
    off INTEGER NOT NULL,      -- byte offset of the record in its file
    t INTEGER NOT NULL,        -- event time, microseconds since the Unix epoch (UTC)
    device TEXT NOT NULL,
    eid TEXT NOT NULL,
    kind INTEGER NOT NULL,     -- index into core.state.EVENT_KINDS
    key TEXT NOT NULL,
    deck TEXT NOT NULL,
    rating INTEGER NOT NULL,
    ms INTEGER NOT NULL,
    undoes TEXT,
    day INTEGER NOT NULL,      -- study day (date.toordinal) under meta 'studyday'
    hour INTEGER NOT NULL DEFAULT 0,  -- local hour of day (0-23) in the same zone
    bstate INTEGER,            -- state before the event (NULL: not recorded)
    blast INTEGER,             -- last review before the event, microseconds (NULL: none)
    bdue INTEGER,              -- due date before the event, microseconds (NULL: none)
    bdays INTEGER,             -- the interval before the event in study days (under meta 'studyday')
    astate INTEGER,            -- state after the event (NULL: back to new)
    astab REAL,                -- FSRS stability after the event
    undone INTEGER NOT NULL DEFAULT 0
);
"""
# Counted ratings (undone ones left out) per deck and study day; the columns and what each
# counts are defined in `daily` (COLUMNS, tally_columns).
_TABLES += (
    "CREATE TABLE IF NOT EXISTS daily (deck TEXT NOT NULL, day INTEGER NOT NULL, "
    + ", ".join(f"{name} INTEGER NOT NULL" for name in COLUMNS)
    + ", PRIMARY KEY (deck, day)) WITHOUT ROWID;\n"
)
_INDEXES = """
CREATE INDEX IF NOT EXISTS events_t ON events (t);
CREATE INDEX IF NOT EXISTS events_key ON events (key, t);
CREATE INDEX IF NOT EXISTS events_undoes ON events (undoes) WHERE undoes IS NOT NULL;
CREATE INDEX IF NOT EXISTS events_forgets ON events (t) WHERE kind = {reset} AND astate IS NULL;
CREATE INDEX IF NOT EXISTS events_new ON events (key, t) WHERE kind = 0 AND coalesce(bstate, 0) = 0;
""".format(reset=EVENT_KINDS.index("reset"))
# events_forgets: the forgets, a few rows, where moves are found (`moves`); events_new: the ratings of
# new cards, one or two per card, where a card studied new more than once is found (`History.day_rows`)


class IndexUnavailable(Exception):
    """The index file cannot be used at all (the caller falls back to memory)."""


def _configure(db: sqlite3.Connection) -> None:
    db.execute(f"PRAGMA busy_timeout = {_BUSY_MS}")
    db.execute("PRAGMA synchronous = OFF")  # disposable: a torn index is detected and rebuilt
    db.execute("PRAGMA temp_store = MEMORY")
    db.execute("PRAGMA cache_size = -16000")


# What SQLite says when the trouble is the place, not the file: busy (another process holds
# it longer than the wait), read-only, full, an I/O error, cannot open. Anything else while
# opening means the file is not a sound index of ours.
_UNWRITABLE = (
    "SQLITE_BUSY",
    "SQLITE_LOCKED",
    "SQLITE_READONLY",
    "SQLITE_FULL",
    "SQLITE_IOERR",
    "SQLITE_CANTOPEN",
    "SQLITE_NOMEM",
    "SQLITE_PERM",
    "SQLITE_AUTH",
    "SQLITE_INTERRUPT",
    "SQLITE_NOLFS",
)
_DAMAGED = ("SQLITE_CORRUPT", "SQLITE_NOTADB", "SQLITE_FORMAT")


def _code(exc: BaseException) -> str:
    return str(getattr(exc, "sqlite_errorname", "") or "")


def unwritable(exc: BaseException) -> bool:
    """Whether an SQLite error is about where the index lives (full, read-only, busy), not its content."""
    return isinstance(exc, sqlite3.Error) and _code(exc).startswith(_UNWRITABLE)


def damaged(exc: BaseException) -> bool:
    """Whether an error met while reading the index can come from a damaged file: SQLite found
    a malformed page, a constraint the index keeps failed, or a value read back is not one the
    index writes (a garbled page SQLite cannot tell: text that is not UTF-8, a NULL or a
    number out of range where Python expected another). A caller rebuilds and asks once more,
    so a genuine bug still raises."""
    if isinstance(exc, sqlite3.Error):
        code = _code(exc)
        if not code:  # raised by Python converting a value (text that is not UTF-8)
            return True
        return code.startswith(_DAMAGED) or isinstance(exc, sqlite3.IntegrityError)
    return isinstance(exc, (TypeError, ValueError, OverflowError, IndexError, KeyError))


def _is_current(db: sqlite3.Connection) -> bool:
    if db.execute("PRAGMA user_version").fetchone()[0] != SCHEMA_VERSION:
        return False
    try:
        row = db.execute("SELECT v FROM meta WHERE k = 'code'").fetchone()
        db.execute("SELECT file, off, t, device, eid, kind, key, deck, day, hour, undone FROM events LIMIT 1")
        db.execute("SELECT deck, day, reviews, young_pass, mature_fail, m4, p23 FROM daily LIMIT 1")
        db.execute("SELECT id, device, name, ino, size, tail, holes FROM files LIMIT 1")
    except sqlite3.DatabaseError as exc:
        if _code(exc).startswith(_DAMAGED + _UNWRITABLE):
            raise  # (damaged: replaced and said; busy, unreadable: a temporary index)
        return False  # a table or column missing: another schema
    return row is not None and row[0] == code_fingerprint()


def _recreate(db: sqlite3.Connection) -> None:
    """Drop everything and create empty tables stamped with this build, in the caller's
    transaction (`executescript` would commit it first)."""
    for table in ("daily", "events", "files", "meta"):
        db.execute(f"DROP TABLE IF EXISTS {table}")
    for statement in _TABLES.split(";\n"):
        if statement.strip():
            db.execute(statement)
    db.execute("INSERT INTO meta (k, v) VALUES ('code', ?)", (code_fingerprint(),))
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")


@contextlib.contextmanager
def _immediate(db: sqlite3.Connection) -> Iterator[None]:
    """One `BEGIN IMMEDIATE` transaction: committed at the end, rolled back on any error (SQLite
    may have rolled it back itself: a full disk)."""
    db.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        with contextlib.suppress(sqlite3.Error):
            db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")


def reset(db: sqlite3.Connection) -> None:
    """Drop everything and create empty tables stamped with this build (indexes made later)."""
    with _immediate(db):
        _recreate(db)


_INDEX_NAMES = tuple(line.split()[5] for line in _INDEXES.strip().splitlines())


def create_indexes(db: sqlite3.Connection) -> None:
    """The lookup indexes, in the caller's transaction (a feed makes them after its rows: after a
    bulk build that is several times cheaper, and no reader ever sees the rows without them)."""
    for statement in _INDEXES.strip().splitlines():
        db.execute(statement)


def _indexes_missing(db: sqlite3.Connection) -> bool:
    marks = ",".join("?" * len(_INDEX_NAMES))
    found = db.execute(
        f"SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name IN ({marks})", _INDEX_NAMES
    )
    return bool(found.fetchone()[0] != len(_INDEX_NAMES))


def remove(path: Path) -> None:
    """The index file and its companions gone (a connection still open keeps its own copy)."""
    for suffix in _COMPANIONS:
        with contextlib.suppress(FileNotFoundError):
            Path(f"{path}{suffix}").unlink()


def _stranger(db: sqlite3.Connection) -> str:
    """Why a sound SQLite file that is not current is rebuilt, when the user should hear it:
    "newer" (a later schema), "foreign" (tables, but not an index of ours), "" (empty, or ours
    from an earlier schema or build: an upgrade rebuilds it without a word)."""
    version = db.execute("PRAGMA user_version").fetchone()[0]
    if version > SCHEMA_VERSION:
        return "newer"
    tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if not tables:
        return ""
    try:
        ours = version >= 1 and db.execute("SELECT v FROM meta WHERE k = 'code'").fetchone() is not None
    except sqlite3.DatabaseError:
        ours = False
    return "" if ours else "foreign"


TEMPORARY = "using a temporary one"  # how the lines about an index kept in memory end
REBUILT_DAMAGED = "the history index in the cache folder was damaged; it is being rebuilt"
_REBUILT = {
    "damaged": REBUILT_DAMAGED,
    "foreign": "the history index in the cache folder was not retain's; it is being rebuilt",
    "newer": "the history index in the cache folder was written by a newer retain; it is being rebuilt",
}


_NEW_FILE_S = 5.0  # seconds: a file of no bytes younger than this is another open's, being made


def _open_file(path: Path) -> tuple[sqlite3.Connection, bool, str]:
    """(connection, fresh, why): fresh when the tables were (re)created and must be filled; `why`
    a key of `_REBUILT` when the user should hear why ("" otherwise)."""
    try:  # a file of no bytes was cut short (a new one has its header from `_wal` on, at once;
        st = path.stat()  # one another first open made a moment ago is not: two opens at once)
        emptied = st.st_size == 0 and time.time() - st.st_mtime > _NEW_FILE_S
    except OSError:
        emptied = False
    db = sqlite3.connect(path, timeout=_BUSY_MS / 1000, isolation_level=None, check_same_thread=False)
    try:
        _configure(db)
        _wal(db)
        if _is_current(db) and not _indexes_missing(db):
            return db, False, ""
        # One process checks and (re)creates, in one transaction: the others wait, then find it
        # current (and never take a half-made file for a foreign or damaged one).
        with _immediate(db):
            current, why = _is_current(db), ""
            if current and _indexes_missing(db):  # a build stopped before its indexes (older retain)
                create_indexes(db)
            elif not current:
                why = _stranger(db) or ("damaged" if emptied else "")
                _recreate(db)
        return db, not current, why
    except BaseException:
        db.close()
        raise


def _wal(db: sqlite3.Connection) -> None:
    """WAL mode, persistent in the file. Switching a new file needs it alone: a process that
    opened it at the same moment can be told "locked" at once (SQLite calls no busy handler
    there), so it waits and tries again."""
    for attempt in range(200):
        try:
            db.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as exc:
            if not _code(exc).startswith(("SQLITE_BUSY", "SQLITE_LOCKED")) or attempt == 199:
                raise
            time.sleep(0.05)


def _aside(path: Path) -> Path:
    """A free name next to `path` to move a directory found there to."""
    n = 1
    while True:
        spot = path.with_name(f"{path.name}.moved" + (f"-{n}" if n > 1 else ""))
        if not os.path.lexists(spot):
            return spot
        n += 1


_SETTLED = (FileNotFoundError, NotADirectoryError)  # another process cleared the spot first


def _in_the_way(path: Path) -> bool:
    """Whether anything but a regular file sits where the index or a companion belongs."""
    for suffix in _COMPANIONS:
        try:
            if not stat.S_ISREG(os.lstat(f"{path}{suffix}").st_mode):
                return True
        except FileNotFoundError:
            continue
    return False


@contextlib.contextmanager
def _clearing(folder: Path) -> Iterator[None]:
    """An OS lock on the cache folder itself while its index spot is cleared, so two retains
    starting at once do not both act on what each saw (the second waits, then looks again and
    finds the first's new file). There is no file to lock before the index exists, hence the
    folder. Best effort: where it cannot be locked (no `fcntl`, a file system without locks)
    or another holds it for over `_BUSY_MS`, the clearing goes on unlocked, each of its steps
    checking that what it acts on is still what it was."""
    try:
        import fcntl

        fd = os.open(folder, os.O_RDONLY)
    except (ImportError, OSError):
        yield
        return
    try:
        for _ in range(_BUSY_MS // 50):
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                time.sleep(0.05)
            except OSError:
                break  # (no locks here)
        yield
    finally:
        os.close(fd)  # (closing releases the lock)


def clear_spot(path: Path) -> str:
    """Make room for the index file at `path` (and its companions) when something that is not a
    file sits there: a broken symbolic link, a link to a directory or a special file, a FIFO or
    socket (removed), a directory (an empty one removed, else moved aside). One line saying what
    was done ("" when nothing was in the way); OSError when it cannot be done (a read-only folder).
    A symbolic link to a regular file elsewhere, or to one not made yet in a folder that exists,
    is left alone: SQLite follows it. What another retain starting at the same moment cleared
    first (and perhaps already replaced by its new index) is left to it, never moved or removed."""
    if not _in_the_way(path):
        return ""
    with _clearing(path.parent):
        said = [line for suffix in _COMPANIONS if (line := _clear_one(Path(f"{path}{suffix}")))]
    return "the history index in the cache folder: " + ", ".join(said) if said else ""


def _clear_one(spot: Path) -> str:
    """Clear one spot, looking at it again first; what was done ("" when nothing was needed)."""
    try:
        mode = os.lstat(spot).st_mode
    except FileNotFoundError:
        return ""
    if stat.S_ISREG(mode):
        return ""
    try:
        if stat.S_ISDIR(mode):
            try:
                spot.rmdir()  # (not a directory any more: NotADirectoryError, left alone)
                return f"{spot.name} was an empty folder; it was removed"
            except OSError as exc:
                if isinstance(exc, _SETTLED):
                    raise
            moved = _aside(spot)
            os.rename(f"{spot}{os.sep}", moved)  # (the trailing separator: only ever a directory)
            return f"{spot.name} was a folder; it was moved to {moved.name}"
        if stat.S_ISLNK(mode):
            try:
                if stat.S_ISREG(os.stat(spot).st_mode):
                    return ""  # a link to a file: the user's choice
                what = "a symbolic link to something that is not a file"
            except OSError as exc:
                if exc.errno == errno.ELOOP:  # (realpath of a loop ends inside it: never "yet to be made")
                    what = "a symbolic link that loops"
                elif os.path.isdir(os.path.dirname(os.path.realpath(spot))):
                    return ""  # a link to a file yet to be made, in a folder that is there: SQLite makes it
                else:
                    what = "a broken symbolic link"
        else:
            what = "not a file"
        spot.unlink()
        return f"{spot.name} was {what}; it was removed"
    except _SETTLED:
        return ""  # cleared by another retain meanwhile


def connect(cache_dir: Path | None) -> tuple[sqlite3.Connection, bool, str]:
    """(connection, fresh, message) for the index in `cache_dir` (None: in memory).

    `message` is one line for the user when the file had to be replaced or could
    not be used ("" otherwise).
    """
    if cache_dir is not None:
        path = cache_dir / INDEX_NAME
        try:
            cache_dir.mkdir(parents=True, exist_ok=True)
            cleared = clear_spot(path)
            try:
                db, fresh, why = _open_file(path)
                if cleared and fresh:
                    cleared += "; the index is being rebuilt"
                return db, fresh, cleared or _REBUILT.get(why, "")
            except sqlite3.DatabaseError as exc:
                if unwritable(exc):
                    raise
            remove(path)  # damaged or truncated: start it again
            db, fresh, _why = _open_file(path)
            return db, fresh, REBUILT_DAMAGED
        except (OSError, sqlite3.Error) as exc:
            message = unusable(exc)
    else:
        message = ""
    db = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
    _configure(db)
    reset(db)
    return db, True, message


def unusable(exc: BaseException) -> str:
    """The line said when the index file cannot be used and a temporary one is."""
    if _code(exc).startswith(("SQLITE_BUSY", "SQLITE_LOCKED")):
        return f"the history index is busy (another retain is building it); {TEMPORARY}"
    from retain.store.oserror import os_error_text

    return f"the history index cannot be written ({os_error_text(exc)}); {TEMPORARY}"
