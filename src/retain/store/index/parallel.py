"""A cold build of the history index reads its journals in worker processes.

Decoding ~300k records is most of a cold build's Python time, and SQLite can
only take rows from one connection. So when there is much to read
(`PARALLEL_BYTES`), the journals are cut into chunks at line boundaries
(format 2 keeps one record per line), worker processes decode the chunks into
index columns (`scan_file(index=True)`: the same reader and checks) and make
their rows (`derive.pack`), and this process copies them in file order while the
workers go on. Workers are
started with `spawn`, never `fork`: the TUI builds the index from a thread.
Anything going wrong with the pool (no processes allowed, a worker killed,
a captured stderr without a file descriptor inside the TUI) falls back to
reading in this process; an error in the journals themselves is then raised
by that reading as it would be without workers.

Stopping (Ctrl-C, SIGTERM, SIGHUP; a terminal sends them to the workers too): a
worker starts with those signals blocked (no KeyboardInterrupt traceback from its
start-up) and then takes them as "stop": the chunk it is decoding ends at once
(never the sending of a result: a half-sent one would hang the pool), and any
chunk it is given after returns at once. `ChunkReader.close` stops its workers so
and waits the moment they take to end, so no worker outlives the build and
Python's exit has none to wait for.
"""

from __future__ import annotations

import contextlib
import functools
import os
import signal
import threading
import time
from collections import deque
from collections.abc import Callable, Generator, Iterator, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from retain.core.studyday import StudyDay
from retain.store.files import open_regular
from retain.store.index.derive import Derived, derive, pack
from retain.store.state.journal import scan_file
from retain.store.state.journal_format import HEAD, file_format
from retain.store.state.recordfast import IndexCols

if TYPE_CHECKING:
    from concurrent.futures import Executor, Future

__all__ = ["PARALLEL_BYTES", "Chunk", "ChunkReader", "Result", "chunks", "close_all", "scan_chunks"]

PARALLEL_BYTES = 24 << 20  # below this, one process reads it all (a worker costs ~0.1 s to start)
CHUNK_BYTES = 4 << 20
Chunk = tuple[Path, int, int | None]  # path, start, bytes to read (None: to the end)
# end, torn, columns, derived (None: not yet), where the damaged records the chunk left out start
Result = tuple[int, bool, IndexCols, Derived | None, tuple[int, ...]]


def chunks(path: Path, start: int, size: int, step: int | None = None) -> list[Chunk]:
    """`path` from `start` cut at line boundaries into pieces of about `step` bytes (format 2 only)."""
    step = step or CHUNK_BYTES
    out: list[Chunk] = []
    pos = start
    try:
        fh = open_regular(path)  # (never a FIFO swapped in since the file was listed)
    except OSError:  # read as one piece: its reader (`journal.scan_file`) says the one line
        return [(path, start, None)]
    with fh:
        if file_format(fh.read(HEAD)) == 2:
            while size - pos > step + step // 2:
                fh.seek(pos + step)
                nl = fh.read(1 << 16).find(b"\n")
                if nl < 0:
                    break
                end = pos + step + nl + 1
                out.append((path, pos, end - pos))
                pos = end
    out.append((path, pos, None))
    return out


def _read_chunk(
    path: Path, start: int, length: int | None, now: datetime
) -> tuple[int, bool, IndexCols, tuple[int, ...]]:
    """(end, torn, columns, damaged records' offsets) of one chunk; one to the end of the file
    (`length` None, a format-1 file) is still read a few MB at a time, so memory stays bounded."""
    if length is not None:
        scan = scan_file(path, start, now, max_bytes=length, index=True)
        cols = scan.index if scan.index is not None else IndexCols.empty()
        return scan.end, bool(scan.torn), cols, tuple(scan.bad_at)
    cols = IndexCols.empty()
    bad: list[int] = []
    while True:
        scan = scan_file(path, start, now, max_bytes=CHUNK_BYTES, index=True)
        got = scan.index if scan.index is not None else IndexCols.empty()
        cols.extend(got)
        bad += scan.bad_at
        if scan.end <= start or scan.torn or not got.t:
            return max(scan.end, start), bool(scan.torn), cols, tuple(bad)
        start = scan.end


def _scan_chunk(path: Path, start: int, length: int | None, now: datetime, day: StudyDay | None) -> Result:
    """In a worker: one chunk's (end, torn, columns, and with `day` what follows from them). With
    `day` its rows are made here too (`derive.pack`): the columns then come back empty."""
    end, torn, cols, bad = _read_chunk(path, start, length, now)
    if day is None:
        return end, torn, cols, None, bad
    packed = pack(cols, derive(cols, day))
    return end, torn, IndexCols.empty() if packed.rows is not None else cols, packed, bad


class WorkerStopped(Exception):
    """A worker was told to stop (a signal) before its chunk was done."""


_STOP_SIGNALS = frozenset(getattr(signal, n) for n in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, n))
_busy = False  # in a worker: decoding a chunk (a stop signal may end it there, and only there)
_stopped = False  # in a worker: told to stop; every chunk from now on returns at once


def _worker_start(parent: int) -> None:
    """A worker's initializer: the stop signals, blocked since it was started, now stop it; and
    it ends with the process that started it (`_watch`)."""
    threading.Thread(target=_watch, args=(parent,), name="retain-parent-watch", daemon=True).start()
    for signum in _STOP_SIGNALS:
        signal.signal(signum, _worker_told_to_stop)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, _STOP_SIGNALS)


def _watch(parent: int) -> None:
    """In a worker: end at once when `parent` is gone (killed outright: SIGKILL, the OOM killer),
    whatever the worker is doing (decoding, or blocked sending a result nobody will read). Else
    it would go on forever, holding its memory and the end of a pipe its caller reads."""
    while os.getppid() == parent:
        time.sleep(_WATCH_SECONDS)
    os._exit(1)


_WATCH_SECONDS = 0.2


def _worker_told_to_stop(signum: int, frame: object) -> None:
    global _stopped
    first, _stopped = not _stopped, True
    if first and _busy:  # once: a second signal never lands in the `except` that handles the first
        raise KeyboardInterrupt


def _scan_in_worker(
    path: Path, start: int, length: int | None, now: datetime, day: StudyDay | None
) -> Result:
    """`_scan_chunk` in a worker, ended by a stop signal: WorkerStopped, never a half-sent result."""
    global _busy
    try:
        _busy = True
        if _stopped:
            raise WorkerStopped
        return _scan_chunk(path, start, length, now, day)
    except KeyboardInterrupt:
        raise WorkerStopped from None
    finally:
        _busy = False


@contextlib.contextmanager
def _signals_blocked() -> Iterator[None]:
    """The stop signals wait (in this thread and the processes it starts) until the end."""
    old = signal.pthread_sigmask(signal.SIG_BLOCK, _STOP_SIGNALS)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


@contextlib.contextmanager
def _interrupt_after() -> Iterator[None]:
    """A Ctrl-C during the block is taken at its end (main thread; elsewhere none arrives)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    got: list[int] = []
    old = signal.signal(signal.SIGINT, lambda signum, frame: got.append(signum))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, old)
        if got and callable(old):
            old(signal.SIGINT, None)


_open: set[ChunkReader] = set()


def close_all() -> None:
    """Close every reader still open (a command stopped half-way through a build)."""
    for reader in list(_open):
        reader.close()


def _scan_here(todo: Sequence[Chunk], now: datetime) -> Iterator[Result]:
    for path, start, length in todo:
        yield _scan_chunk(path, start, length, now, None)  # derived by the caller, in this process


def workers() -> int:
    """How many worker processes a cold build uses (0: read in this process).

    As many as the machine has cores (up to 4): this process is busy too (reading the
    decks and states, then writing rows) but waits for the workers now and then, and
    two workers keep both cores of a small machine busy through those waits (measured
    at 50k cards on 2 cores: 6.0-6.2 s with two, 6.3-7.1 s with one). One core: none.
    """
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    return min(4, cores) if cores >= 2 else 0


class ChunkReader:
    """Chunks decoded by worker processes, handed out in order by `results`.

    Work is given to the workers as soon as the reader is made, so a caller can
    start it early (`History.prefetch`: while the deck files and card states are
    read) and take the results later. At most `ahead` chunks are given and not yet
    taken: their columns wait in this process's memory.
    """

    def __init__(
        self,
        todo: Sequence[Chunk],
        now: datetime,
        processes: int,
        day: StudyDay | None,
        ahead: int = 0,
        on_done: Callable[[int], None] | None = None,
    ) -> None:
        self.todo = list(todo)
        self.on_done = on_done  # told each chunk's index when a worker finished it (another thread)
        self.now = now
        self.day = day
        self.ahead = ahead or processes  # each waiting chunk: ~2.6 MB packed, ~7 MB as columns
        self._futures: deque[Future[Result]] = deque()
        self._given = 0
        self._pool: Executor | None = None
        if processes < 1 or len(self.todo) < 2:
            return
        try:
            import multiprocessing  # only for a cold build: not on every command's start-up path
            from concurrent.futures import ProcessPoolExecutor

            with _signals_blocked():  # and multiprocessing's resource tracker, started here
                self._pool = ProcessPoolExecutor(
                    processes,
                    mp_context=multiprocessing.get_context("spawn"),
                    initializer=_worker_start,
                    initargs=(os.getpid(),),
                )
            _open.add(self)
            self._fill()
        except Exception:  # no pool here (a TUI's captured stderr has no file descriptor): read here
            self.close()

    def _fill(self) -> None:
        assert self._pool is not None
        while self._given < len(self.todo) and len(self._futures) < self.ahead:
            path, start, length = self.todo[self._given]
            with _signals_blocked():  # a worker started here starts with them blocked
                future = self._pool.submit(_scan_in_worker, path, start, length, self.now, self.day)
            if self.on_done is not None:
                future.add_done_callback(functools.partial(_told, self.on_done, self._given))
            self._futures.append(future)
            self._given += 1

    def results(self) -> Generator[Result, None, None]:
        """(end, torn, columns, derived, damaged offsets) per chunk, in order (read in this process
        without a pool)."""
        done = 0
        try:
            while self._pool is not None and done < len(self.todo):
                self._fill()
                result = self._futures.popleft().result()
                done += 1
                yield result
        except Exception:  # a worker lost: the chunks not yet taken are read here (errors again)
            self.close()
        finally:
            self.close()
        yield from _scan_here(self.todo[done:], self.now)

    def close(self) -> None:
        """No more results: idle workers end; busy ones (a build stopped half-way) are told to stop
        and waited for, the moment that takes (a Ctrl-C meanwhile is taken right after)."""
        pool, self._pool = self._pool, None
        busy = any(not f.done() for f in self._futures)
        self._futures.clear()
        _open.discard(self)
        if pool is None:
            return
        if not busy:
            pool.shutdown(wait=False, cancel_futures=True)
            return
        processes = list(getattr(pool, "_processes", None) or {})
        manager = getattr(pool, "_executor_manager_thread", None)
        with _interrupt_after():
            pool.shutdown(wait=False, cancel_futures=True)  # what no worker took is not given
            for pid in processes:
                with contextlib.suppress(OSError):
                    os.kill(pid, signal.SIGINT)
            if isinstance(manager, threading.Thread):
                manager.join(timeout=10)  # it ends when the workers have (a moment)


def _told(on_done: Callable[[int], None], index: int, future: Future[Result]) -> None:
    if not future.cancelled() and future.exception() is None:
        on_done(index)


def scan_chunks(
    todo: Sequence[Chunk], now: datetime, processes: int, day: StudyDay | None = None
) -> Generator[Result, None, None]:
    """(end, torn, columns, derived, damaged offsets) per chunk, in order; decoded by `processes`
    workers when more than one, which also derive the study days and sums when given a (portable)
    `day`."""
    return ChunkReader(todo, now, processes, day).results()
