"""Feed the history index from the journals, reading only what was appended since last time.

For each journal file the index remembers its inode, how many bytes it has read
(always the end of a complete record) and a CRC-32 of the bytes just before
that end. A file whose inode, length and that CRC still agree is read on from
where it stopped, so a closed month is never parsed again and the current one
only for its new records. Anything else (a file replaced, shortened, rewritten
with other line endings, or damaged at its end) drops that file's rows and reads
it again from the start. A file that disappeared loses its rows, and so does
one that is no longer a file (a broken symbolic link, a directory), with one
line (`IngestReport.problems`); damaged records a read finds are left out with
one line per file, and listed (`files.holes`): a file is read again from the
start when one of them is whole (a sync tool writing the file in place had not
reached it), which its end would not show.

Everything happens in one `BEGIN IMMEDIATE` transaction, and the file table is
read inside it, so two processes feeding the index at once (the TUI and
`retain due`) never insert the same record twice.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import threading
import zlib
from collections.abc import Callable, Generator, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from itertools import islice, repeat
from pathlib import Path

from retain.core.state import EVENT_KINDS, Event
from retain.core.stats import StepRule
from retain.core.studyday import StudyDay
from retain.store.files import open_regular
from retain.store.index import parallel
from retain.store.index.appended import Spans
from retain.store.index.daily import (
    UNDONE_ROWS,
    Tally,
    add_sums,
    recount_all,
    recount_since,
    restamp,
    restep,
    restep_all,
    steps_key,
    studyday_key,
    tally,
    write,
)
from retain.store.index.db import create_indexes
from retain.store.index.derive import (
    BATCH_COLUMNS,
    BATCH_WIDTH,
    CAN_PACK,
    Derived,
    derive,
    portable,
    row_columns,
)
from retain.store.index.repeats import drop_repeats
from retain.store.state.device import device_folders
from retain.store.state.journal import read_records, scan_file
from retain.store.state.journal_format import journal_entries
from retain.store.state.recordfast import IndexCols

__all__ = [
    "KIND",
    "IngestReport",
    "Prefetch",
    "ProgressFn",
    "damaged_line",
    "ingest",
    "micros",
    "prefetch",
    "read_event_at",
]

ProgressFn = Callable[[str, int, int], None]
KIND = {kind: i for i, kind in enumerate(EVENT_KINDS)}
_TAIL = 256
_CHUNK = 8 << 20  # bytes of journal decoded at a time (bounded memory on a cold build)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_US = timedelta(microseconds=1)
_INSERT = f"INSERT INTO events (file, device, {BATCH_COLUMNS}) VALUES ({', '.join('?' * (BATCH_WIDTH + 2))})"


def micros(moment: datetime) -> int:
    return (moment - _EPOCH) // _US


@dataclass(slots=True)
class IngestReport:
    events: int = 0  # rows added
    files: int = 0  # files read (wholly or in part)
    rebuilt: int = 0  # files read again from the start because they changed
    problems: dict[str, str] = field(default_factory=dict)  # "<device>/<file>": one line about it
    # "<device>/<file>": where the damaged records its line names start (that line begins `problems`')
    left_out: dict[str, tuple[int, ...]] = field(default_factory=dict)


def _tail(fh_path: Path, end: int) -> int:
    """The CRC of the last bytes before `end`: a file that changed below there is read again.
    Never waits on a FIFO swapped in since the file was listed (NotRegularFileError, an OSError)."""
    if end <= 0:
        return 0
    with open_regular(fh_path) as fh:
        fh.seek(max(0, end - _TAIL))
        return zlib.crc32(fh.read(min(end, _TAIL)))


def _tail_or_unknown(path: Path, end: int) -> int:
    """`_tail`, or -1 when the file cannot be read now (swapped for a FIFO since it was read):
    no CRC-32 is -1, so the file is read again from the start next time."""
    try:
        return _tail(path, end)
    except OSError:
        return -1


def _rows(file_id: int, device: str, cols: IndexCols, d: Derived) -> Iterator[tuple[object, ...]]:
    """The `events` rows of a batch, from its columns (a cold build makes ~300k of them)."""
    n = len(cols.t)
    return zip(repeat(file_id, n), repeat(device, n), *row_columns(cols, d), strict=True)


_BATCH = "packed_batch"  # the schema a worker's packed rows are read from


def _copy_batch(db: sqlite3.Connection, rows: bytes, file_id: int, device: str) -> None:
    """Insert a batch a worker packed (`derive.pack`) with one INSERT ... SELECT (`_BATCH` attached)."""
    db.deserialize(rows, name=_BATCH)  # replaces the previous batch (allowed inside the transaction)
    db.execute(
        f"INSERT INTO events (file, device, {BATCH_COLUMNS}) SELECT ?, ?, {BATCH_COLUMNS}"
        f" FROM {_BATCH}.batch ORDER BY rowid",
        (file_id, device),
    )


def _add(sums: Tally, more: Tally) -> None:
    for pair, v in more.items():
        found = sums.get(pair)
        if found is None:
            sums[pair] = v
        else:
            for i, x in enumerate(v):
                found[i] += x


Plan = tuple[str, Path, int, int, os.stat_result]  # device, path, file id or 0, start (-1: again), stat


_HEALED: dict[tuple[Path, int, int, int, str], bool] = {}  # (path, inode, size, mtime, holes): any whole


def _healed(path: Path, st: os.stat_result, holes: str, now: datetime) -> bool:
    """Whether a record the index left out of `path` (`holes`) is whole now: a sync tool that
    writes a file in place had not reached it. Decided once per version of the file."""
    key = (path, st.st_ino, st.st_size, st.st_mtime_ns, holes)
    found = _HEALED.get(key)
    if found is None:
        found = bool(read_records(path, {int(o) for o in holes.split()}, now))
        if len(_HEALED) > 64:
            _HEALED.clear()
        _HEALED[key] = found
    return found


def _plan(
    db: sqlite3.Connection, state_dir: Path, now: datetime
) -> tuple[list[Plan], list[int], dict[str, str], dict[int, str]]:
    """(files to read, ids of files that are gone, a line per journal that is not a file, the
    damaged records each file's rows leave out, by file id)."""
    rows = db.execute("SELECT id, device, name, ino, size, tail, holes FROM files").fetchall()
    known = {(d, n): (i, ino, size, tail) for i, d, n, ino, size, tail, _h in rows}
    holes = {i: h for i, _d, _n, _ino, _s, _t, h in rows if h}
    todo: list[Plan] = []
    seen: set[tuple[str, str]] = set()
    odd: dict[str, str] = {}
    for folder in device_folders(state_dir):
        files, others = journal_entries(folder)
        for path, why in others:  # (its rows, if any, go: "gone")
            label = f"{folder.name}/{path.name}"
            odd[label] = f"{label} {why}; its reviews cannot be read"
        for path in files:
            try:
                st = path.stat()
            except OSError:
                continue
            ident = (folder.name, path.name)
            seen.add(ident)
            row = known.get(ident)
            if row is None:
                todo.append((folder.name, path, 0, 0, st))
                continue
            file_id, ino, size, tail = row
            try:
                same = ino == st.st_ino and size <= st.st_size and _tail(path, size) == tail
            except OSError:
                continue
            if not same or (file_id in holes and _healed(path, st, holes[file_id], now)):
                todo.append((folder.name, path, file_id, -1, st))  # read again from the start
            elif size < st.st_size:
                todo.append((folder.name, path, file_id, size, st))
    gone = [row[0] for ident, row in known.items() if ident not in seen]
    return todo, gone, odd, holes


# end, columns, what a worker derived (None: not yet), where the damaged records left out start
Batch = tuple[int, IndexCols, Derived | None, tuple[int, ...]]


def damaged_line(label: str, offsets: Sequence[int]) -> str:
    """One line for a file's damaged records (`scan_file` sets them aside; the index never writes)."""
    shown = ", ".join(map(str, offsets[:3])) + (f" and {len(offsets) - 3} more" if len(offsets) > 3 else "")
    where = f"byte {shown}" if len(offsets) == 1 else f"bytes {shown}"
    return (
        f"{label}: {len(offsets)} damaged record(s) at {where} left out of the history; the file is unchanged"
    )


def _scan(path: Path, start: int, now: datetime) -> Iterator[Batch]:
    """(end, columns, None, damaged offsets) per chunk of complete records from `start`."""
    while True:
        scan = scan_file(path, start, now, max_bytes=_CHUNK, index=True)
        cols = scan.index if scan.index is not None else IndexCols.empty()
        yield scan.end, cols, None, tuple(scan.bad_at)
        if scan.end <= start or scan.torn or not cols.t:
            return
        start = scan.end


@dataclass(slots=True)
class Prefetch:
    """A cold build's journals, given to worker processes before the build asks for them.

    Its progress counts twice over the bytes: decoded (by the workers, from the start,
    while the caller reads the decks), then written into the index.
    """

    files: list[tuple[Path, int, int, int]]  # path, start, size, inode: what was planned
    chunks: list[list[parallel.Chunk]]  # per file
    reader: parallel.ChunkReader
    total: int = 0
    decoded: int = 0  # bytes the workers have finished
    progress: ProgressFn | None = None  # reported from the workers' callbacks until `ingest` takes over
    sizes: list[int] | None = None
    used: bool = False  # `ingest` took its results
    lock: threading.Lock = field(default_factory=threading.Lock)

    def done(self, index: int) -> None:
        with self.lock:  # the workers' callbacks run in the pool's thread
            self.decoded += self.sizes[index] if self.sizes else 0
            if self.progress is not None:
                self.progress("indexing history", self.decoded, 2 * self.total)

    def take_over(self, used: bool) -> None:
        """`ingest` reports from now on (the callbacks stop reporting)."""
        with self.lock:
            self.progress, self.used = None, used


def _chunk_sizes(chunks: list[list[parallel.Chunk]], files: list[tuple[Path, int, int, int]]) -> list[int]:
    sizes: list[int] = []
    for cs, (_path, _start, size, _ino) in zip(chunks, files, strict=True):
        sizes += [size - start if length is None else length for _p, start, length in cs]
    return sizes


def prefetch(
    db: sqlite3.Connection, state_dir: Path, now: datetime, day: StudyDay, progress: ProgressFn | None = None
) -> Prefetch | None:
    """Start decoding what `ingest` will read, when that is a lot (None: nothing started)."""
    todo, _gone, _odd, _holes = _plan(db, state_dir, now)
    files = [(path, max(start, 0), st.st_size, st.st_ino) for _d, path, _i, start, st in todo]
    total = sum(size - start for _p, start, size, _i in files)
    processes = parallel.workers() if total >= parallel.PARALLEL_BYTES else 0
    if processes < 1:
        return None
    per_file = [parallel.chunks(path, start, size) for path, start, size, _i in files]
    todo_chunks = [c for cs in per_file for c in cs]
    fetch = Prefetch(files, per_file, parallel.ChunkReader([], now, 0, None), total, 0, progress)
    fetch.sizes = _chunk_sizes(per_file, files)
    if progress is not None:
        progress("indexing history", 0, 2 * total)  # the bar shows from the start
    # Chunks given ahead: the workers go on while the caller reads the states and the decks (~2 s
    # at 50k cards), and stop when that many wait. A packed chunk waits as ~2.6 MB of bytes: 12 of
    # them (~31 MB) fill that time on 2 cores; unpacked (a zone that cannot be sent) as ~7 MB of
    # columns: more than 4 would pass 200 MB at 50k cards for the TUI.
    sendable = portable(day)
    ahead = processes + (10 if sendable is not None and CAN_PACK else 2)
    fetch.reader = parallel.ChunkReader(
        todo_chunks, now, processes, sendable, ahead=ahead, on_done=fetch.done
    )
    return fetch


def _feeds(
    files: list[tuple[Path, int, int, int]],
    now: datetime,
    total: int,
    day: StudyDay,
    prefetched: Prefetch | None,
) -> Generator[Iterator[Batch], None, None]:
    """Per file (path, start, size, inode), its batches: decoded in worker processes when there is much."""
    if prefetched is not None and prefetched.files == files:
        prefetched.take_over(used=True)
        per_file, results = prefetched.chunks, prefetched.reader.results()
    else:
        if prefetched is not None:
            prefetched.take_over(used=False)
            prefetched.reader.close()  # the files changed meanwhile: read them as they are now
        processes = parallel.workers() if total >= parallel.PARALLEL_BYTES else 0
        if processes < 1:
            for path, start, _size, _ino in files:
                yield _scan(path, start, now)
            return
        per_file = [parallel.chunks(path, start, size) for path, start, size, _ino in files]
        results = parallel.scan_chunks([c for cs in per_file for c in cs], now, processes, portable(day))
    try:
        for cs in per_file:
            yield ((end, cols, derived, bad) for end, _torn, cols, derived, bad in islice(results, len(cs)))
    finally:
        results.close()  # stops the workers if the build ends early


def _known(plans: list[Plan], spans: Spans) -> dict[int, Batch]:
    """The plans (by position) whose bytes to read are exactly a span this process appended."""
    out: dict[int, Batch] = {}
    for i, (device, path, _id, start, st) in enumerate(plans):
        span = spans.get((device, path.name))
        if span is not None and span.start == start and span.end == st.st_size and span.cols.t:
            out[i] = (span.end, span.cols, None, ())
    return out


def _stamped(db: sqlite3.Connection) -> tuple[str, str]:
    """The study-day rule and the decks' steps the rows were derived under (`meta`: `studyday`,
    `steps`; a missing one is "")."""
    found = dict(db.execute("SELECT k, v FROM meta WHERE k IN ('studyday', 'steps')").fetchall())
    return str(found.get("studyday", "")), str(found.get("steps", ""))


def ingest(
    db: sqlite3.Connection,
    state_dir: Path,
    now: datetime,
    day: StudyDay,
    progress: ProgressFn | None = None,
    prefetched: Prefetch | None = None,
    appended: Spans | None = None,
    steps: StepRule | None = None,
) -> IngestReport:
    """Bring the index up to date with every device's journal files (one transaction).

    `appended` holds records this process wrote (see `appended`): a file whose new bytes
    are exactly one of those spans takes its columns instead of being read. `steps` are the
    decks' learning and relearning steps, which the days of a (re)learning step depend on
    (`daily.restep`; None: none known); the index names them in `meta`, and gives every step
    its days again when they changed (`daily.restep_all`), as it restamps every event when the
    study day did.
    """
    report = IngestReport()
    key, step_key = studyday_key(day), steps_key(steps)
    todo, gone, report.problems, _holes = _plan(db, state_dir, now)  # outside the lock: most find nothing
    if not todo and not gone and _stamped(db) == (key, step_key):
        return report
    feeds: Generator[Iterator[Batch], None, None] | None = None
    attached = False  # a worker's packed rows are attached (`_copy_batch`)
    db.execute("BEGIN IMMEDIATE")
    try:
        stamped, stepped = _stamped(db)
        if stamped != key:
            restamp(db, day, steps)
        elif stepped != step_key:
            restep_all(db, day, steps)
        db.executemany(
            "INSERT OR REPLACE INTO meta (k, v) VALUES (?, ?)", [("studyday", key), ("steps", step_key)]
        )
        todo, gone, report.problems, holes = _plan(
            db, state_dir, now
        )  # again, under the lock (another process)
        total = sum(max(0, st.st_size - max(start, 0)) for _d, _p, _i, start, st in todo)
        done = 0
        for file_id in gone:
            db.execute("DELETE FROM events WHERE file = ?", (file_id,))
            db.execute("DELETE FROM files WHERE id = ?", (file_id,))
        plans: list[Plan] = []
        for device, path, file_id, start, st in todo:
            if start < 0:
                report.rebuilt += 1
                db.execute("DELETE FROM events WHERE file = ?", (file_id,))
                start = 0
            if file_id == 0:
                cur = db.execute(
                    "INSERT INTO files (device, name, ino, size, tail) VALUES (?, ?, ?, 0, 0)",
                    (device, path.name, st.st_ino),
                )
                file_id = int(cur.lastrowid or 0)
            plans.append((device, path, file_id, start, st))
        # The first row this feed adds: taken after the rows of files read again are deleted, as
        # a table without AUTOINCREMENT gives their rowids out again. Taken before, rows re-read
        # under those rowids were below it, and a repeated record among them was counted twice.
        first = (db.execute("SELECT max(rowid) FROM events").fetchone()[0] or 0) + 1
        cold = first == 1 and not gone and not report.rebuilt
        sums: Tally = {}  # the batches' daily sums (as if none were undone), added up batch by batch
        known = _known(plans, appended or {})
        files = [(p[1], p[3], p[4].st_size, p[4].st_ino) for i, p in enumerate(plans) if i not in known]
        feeds = _feeds(files, now, total, day, prefetched)
        for i, (device, path, file_id, start, st) in enumerate(plans):
            feed = iter([known[i]]) if i in known else next(feeds)
            end = start
            report.files += 1
            damaged: list[int] = []  # (rare: a list only grows when the scanner set records aside)
            for end_, cols, derived, bad in feed:
                if bad:
                    damaged += bad
                d = derived if derived is not None else derive(cols, day)
                if d.rows is not None:  # made by a worker: copied without a Python call per row
                    if not attached:
                        attached = True
                        if _BATCH not in {row[1] for row in db.execute("PRAGMA database_list")}:
                            db.execute(f"ATTACH ':memory:' AS {_BATCH}")  # (left by a failed DETACH)
                        if first == 1 and not report.events:
                            # Workers decode: this process would wait for them, so it keeps the
                            # indexes as the rows come (~15% more work than making them after,
                            # but not all of it left for the end, when the workers are done).
                            create_indexes(db)
                    _copy_batch(db, d.rows, file_id, device)
                else:
                    db.executemany(_INSERT, _rows(file_id, device, cols, d))
                _add(sums, d.sums)
                report.events += d.count if d.rows is not None else len(cols.t)
                if progress is not None and total:
                    written = done + max(0, end_ - start)
                    if prefetched is not None and prefetched.used:  # decoded, then written
                        progress("indexing history", min(prefetched.decoded, total) + written, 2 * total)
                    else:
                        progress("indexing history", written, total)
                end = max(end, end_)
            done += max(0, st.st_size - start)
            if damaged:
                label = f"{device}/{path.name}"
                report.problems[label] = damaged_line(label, damaged)
                report.left_out[label] = tuple(damaged)
            left_out = (holes.get(file_id, "").split() if start > 0 else []) + [str(o) for o in damaged]
            db.execute(  # (records left out before `start` are still damaged: else it was read again)
                "UPDATE files SET ino = ?, size = ?, tail = ?, holes = ? WHERE id = ?",
                (st.st_ino, end, _tail_or_unknown(path, end), " ".join(left_out), file_id),
            )
        if steps is not None and report.events:  # (the batches were derived without the decks' steps)
            restep(db, first, day, steps, sums)
        if first == 1:  # a build: its indexes in this transaction, so no reader sees rows without them
            create_indexes(db)  # (IF NOT EXISTS: made already when workers sent the rows)
        repeated = drop_repeats(db, first) if report.events else {}
        for label, line in repeated.items():  # (said with the file's other line, if any)
            said = report.problems.get(label)
            report.problems[label] = f"{said}; {line}" if said else line
        undo = KIND["undo"]
        if repeated and not (gone or report.rebuilt or first == 1):  # the batches' sums counted them
            _mark_undone(db, first)
            recount_all(db)
        elif gone or report.rebuilt or first == 1:
            if not cold:  # (a fresh table has none undone)
                db.execute("UPDATE events SET undone = 0 WHERE undone")  # only the rows that change
            db.execute(  # the undos through their (partial) index: no scan of the whole table for them
                "UPDATE events SET undone = 1 WHERE (key, eid) IN"  # (an undo takes back its own card's
                " (SELECT key, undoes FROM events WHERE undoes IS NOT NULL AND kind = ?)",  # event: an
                (undo,),  # older retain could give two cards' events one id, two runs at one instant)
            )
            if cold and not repeated:  # the batches' sums, less the ratings taken back (few)
                db.execute("DELETE FROM daily")
                write(db, tally(db.execute(UNDONE_ROWS), sums, sign=-1))
            else:
                recount_all(db)
        elif report.events:
            touched = _mark_undone(db, first)
            if touched or _undo_rows(db, first):
                recount_since(db, first, touched, day)
            else:  # rows appended, none an undo or undone: their batches' sums are the change
                add_sums(db, sums)
        db.execute("COMMIT")
    except BaseException:
        if feeds is not None:
            feeds.close()  # stops worker processes still reading
        if db.in_transaction:  # (SQLite may have rolled back already: a full disk, a damaged page)
            with contextlib.suppress(sqlite3.Error):  # the error that stopped the feed is raised
                db.execute("ROLLBACK")
        raise
    finally:
        if attached:  # (DETACH is not allowed inside the transaction)
            with contextlib.suppress(sqlite3.Error):  # it failed to attach: nothing to detach
                db.execute(f"DETACH {_BATCH}")
    if progress is not None and report.events:
        progress("indexing history", 1, 1)
    return report


def _mark_undone(db: sqlite3.Connection, first: int) -> list[tuple[str, int]]:
    """Flag what the rows from `first` on take back, and those rows an earlier undo took back.

    Only indexed lookups: a rating's feed must not scan the whole history. Returns the
    (deck, day) pairs of the events taken back (their daily rows change).
    """
    touched: list[tuple[str, int]] = []
    new_undos = db.execute(
        "SELECT key, undoes FROM events NOT INDEXED WHERE rowid >= ? AND undoes IS NOT NULL", (first,)
    ).fetchall()
    for key, target in new_undos:  # the target is an event of the same unit
        touched += db.execute(
            "SELECT deck, day FROM events WHERE key = ? AND eid = ?", (key, target)
        ).fetchall()
        db.execute("UPDATE events SET undone = 1 WHERE key = ? AND eid = ?", (key, target))
    db.execute(  # another device's file read after its undo was: rare, and the undo rows are few
        "UPDATE events NOT INDEXED SET undone = 1 WHERE rowid >= ? AND (key, eid) IN "
        "(SELECT key, undoes FROM events WHERE undoes IS NOT NULL)",
        (first,),
    )
    return touched


def _undo_rows(db: sqlite3.Connection, first: int) -> bool:
    """Whether a row from `first` on is an undo, or was taken back by one."""
    found = db.execute(
        "SELECT 1 FROM events NOT INDEXED WHERE rowid >= ? AND (undone OR undoes IS NOT NULL) LIMIT 1",
        (first,),
    )
    return found.fetchone() is not None


def read_event_at(path: Path, offset: int, now: datetime) -> Event | None:
    """The event whose record starts at `offset` in `path` (None when it is not there any more)."""
    scan = scan_file(path, offset, now, max_bytes=1 << 13)
    for pos, event in scan.events[:1]:
        if pos.offset == offset:
            return event
    return None
