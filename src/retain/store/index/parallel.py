"""A cold build of the history index reads its journals in worker processes.

Decoding ~300k records is most of a cold build's Python time, and SQLite can
only take rows from one connection. So when there is much to read
(`PARALLEL_BYTES`), the journals are cut into chunks at line boundaries
(format 2 keeps one record per line), worker processes decode the chunks into
index columns (`scan_file(index=True)`: the same reader and checks), and this
process inserts them in file order while the workers go on. Workers are
started with `spawn`, never `fork`: the TUI builds the index from a thread.
Anything going wrong with the pool (no processes allowed, a worker killed,
a captured stderr without a file descriptor inside the TUI) falls back to
reading in this process; an error in the journals themselves is then raised
by that reading as it would be without workers.
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Generator, Iterator, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from retain.store.state.journal import scan_file
from retain.store.state.journal_format import HEAD, file_format
from retain.store.state.recordfast import IndexCols

if TYPE_CHECKING:
    from concurrent.futures import Executor, Future

__all__ = ["PARALLEL_BYTES", "Chunk", "chunks", "scan_chunks"]

PARALLEL_BYTES = 24 << 20  # below this, one process reads it all (a worker costs ~0.1 s to start)
CHUNK_BYTES = 4 << 20
Chunk = tuple[Path, int, int | None]  # path, start, bytes to read (None: to the end)


def chunks(path: Path, start: int, size: int, step: int | None = None) -> list[Chunk]:
    """`path` from `start` cut at line boundaries into pieces of about `step` bytes (format 2 only)."""
    step = step or CHUNK_BYTES
    out: list[Chunk] = []
    pos = start
    with path.open("rb") as fh:
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


def _scan_chunk(path: Path, start: int, length: int | None, now: datetime) -> tuple[int, bool, IndexCols]:
    """In a worker: (end, torn, columns) of one chunk; one to the end of the file (`length` None,
    a format-1 file) is still read a few MB at a time, so memory stays bounded."""
    if length is not None:
        scan = scan_file(path, start, now, max_bytes=length, index=True)
        return scan.end, bool(scan.torn), scan.index if scan.index is not None else IndexCols.empty()
    cols = IndexCols.empty()
    while True:
        scan = scan_file(path, start, now, max_bytes=CHUNK_BYTES, index=True)
        got = scan.index if scan.index is not None else IndexCols.empty()
        cols.extend(got)
        if scan.end <= start or scan.torn or not got.t:
            return max(scan.end, start), bool(scan.torn), cols
        start = scan.end


def _scan_here(todo: Sequence[Chunk], now: datetime) -> Iterator[tuple[int, bool, IndexCols]]:
    for path, start, length in todo:
        yield _scan_chunk(path, start, length, now)


def workers() -> int:
    """How many worker processes a cold build uses (0: read in this process)."""
    return min(4, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1)


def scan_chunks(
    todo: Sequence[Chunk], now: datetime, processes: int
) -> Generator[tuple[int, bool, IndexCols], None, None]:
    """(end, torn, columns) per chunk, in order; decoded by `processes` workers when more than one."""
    if processes < 2 or len(todo) < 2:
        yield from _scan_here(todo, now)
        return
    import multiprocessing  # only for a cold build: not on every command's start-up path
    from concurrent.futures import ProcessPoolExecutor

    done = 0
    pool: Executor | None = None
    try:
        pool = ProcessPoolExecutor(processes, mp_context=multiprocessing.get_context("spawn"))
        ahead: deque[Future[tuple[int, bool, IndexCols]]] = deque()
        given = 0
        while done < len(todo):
            while given < len(todo) and len(ahead) < processes + 1:  # bounded: results wait in memory
                path, start, length = todo[given]
                ahead.append(pool.submit(_scan_chunk, path, start, length, now))
                given += 1
            result = ahead.popleft().result()
            done += 1
            yield result
    except Exception:  # no pool here (a TUI's captured stderr has no file descriptor), a worker lost:
        yield from _scan_here(todo[done:], now)  # the chunks not yet given, read here (errors again)
    finally:
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)
