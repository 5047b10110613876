"""The append-only review journal: one `[[review]]` block per event, per device, per month.

Layout: `state/devices/<device-id>/journal-YYYY-MM.toml`. Each file starts with
`format = 1` and then holds complete blocks (see `statecodec.encode_event`).
Only the device that owns a folder ever writes to it, so two machines syncing
the data folder never write the same file.

- `JournalWriter.append` writes one block with a single `write`, then flushes
  and fsyncs it before returning: once it returns, the event survives SIGKILL
  or a power cut. A rating never rewrites a file.
- `scan_file` reads blocks from a byte offset on. A torn final block (no
  newline-terminated, matching CRC line) is reported in `FileScan.torn`;
  `repair_tail` copies those bytes aside (`*.torn-<time>`) and truncates the
  file to its last complete block. A damaged block in the middle is skipped
  with a message and the file is left alone (the history is never rewritten).
- Events are kept forever; only a torn tail is ever cut off.
"""

from __future__ import annotations

import contextlib
import os
import re
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from retain.core.state import Event, StateError
from retain.store.files import atomic_write, fsync_dir
from retain.store.statecodec import BLOCK_HEADER, block_end, decode_event, encode_event

__all__ = [
    "JOURNAL_FORMAT",
    "FileScan",
    "JournalError",
    "JournalWriter",
    "Position",
    "journal_files",
    "journal_name",
    "parse_toml",
    "read_recent",
    "recent_in_file",
    "repair_tail",
    "scan_file",
]

JOURNAL_FORMAT = 1
_NAME_RE = re.compile(r"^journal-(\d{4})-(\d{2})\.toml$")
_HEADER = (
    f"# retain review journal: append-only, one [[review]] block per event\nformat = {JOURNAL_FORMAT}\n\n"
)
_SPLIT = b"\n" + BLOCK_HEADER
_TIME_RE = re.compile(rb"^time = ([0-9T:.+Z-]+)$", re.MULTILINE)


class JournalError(Exception):
    """A journal cannot be used (a newer format, or it cannot be written); one line for the user."""


@dataclass(frozen=True, slots=True, order=True)
class Position:
    """A place in one device's journal: events before it (file name order, then byte offset)."""

    file: str
    offset: int


@dataclass(slots=True)
class FileScan:
    path: Path
    events: list[tuple[Position, Event]] = field(default_factory=list)
    end: int = 0  # byte offset just past the last complete block
    torn: bytes = b""  # bytes after `end` that do not form a complete block
    problems: list[str] = field(default_factory=list)
    bad_blocks: list[bytes] = field(default_factory=list)


def parse_toml(text: str) -> dict[str, Any]:
    """Parse trusted-shape TOML fast (rtoml when installed, else tomllib); raises ValueError."""
    try:
        import rtoml
    except ImportError:  # pragma: no cover - rtoml is a dependency, tomllib is the fallback
        return tomllib.loads(text)
    try:
        result: dict[str, Any] = rtoml.loads(text)
        return result
    except Exception:
        return tomllib.loads(text)  # the stdlib's message (and verdict) on bad text


def journal_name(moment: datetime) -> str:
    m = moment.astimezone(UTC)
    return f"journal-{m.year:04d}-{m.month:02d}.toml"


def journal_files(folder: Path) -> list[Path]:
    """The folder's journal files, oldest month first."""
    try:
        names = [p for p in folder.iterdir() if _NAME_RE.match(p.name)]
    except OSError:
        return []
    return sorted(names, key=lambda p: p.name)


def _check_header(path: Path, head: bytes) -> str:
    """A problem with the file's header ("" when fine); a newer format raises JournalError.

    A damaged header is only reported: every block carries its own CRC, so the
    events after it are still read (and the file is never cut because of it).
    """
    try:
        data = tomllib.loads(head.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError):
        return f"{path.name}: the journal header is damaged; its events are read anyway"
    fmt = data.get("format")
    if isinstance(fmt, int) and not isinstance(fmt, bool) and fmt > JOURNAL_FORMAT:
        raise JournalError(
            f"{path} has journal format {fmt}, written by a newer retain; upgrade retain to open it"
        )
    if fmt != JOURNAL_FORMAT:
        return f"{path.name}: unknown journal format {fmt!r}; its events are read anyway"
    return ""


def _blocks(data: bytes, base: int) -> Iterator[tuple[int, bytes]]:
    """(offset, bytes) of each `[[review]]` block in `data`, which starts at a block."""
    start = 0
    while start < len(data):
        nxt = data.find(_SPLIT, start)
        end = len(data) if nxt < 0 else nxt + 1
        yield base + start, data[start:end]
        start = end


def _decode_all(path: Path, blocks: list[tuple[int, bytes]], now: datetime, scan: FileScan) -> None:
    records: list[Any] | None = None
    try:
        records = parse_toml(b"".join(b for _, b in blocks).decode("utf-8"))["review"]
        if not isinstance(records, list) or len(records) != len(blocks):
            records = None
    except (ValueError, UnicodeDecodeError, KeyError):
        records = None
    name = path.name
    for i, (offset, block) in enumerate(blocks):
        try:
            rec = records[i] if records is not None else tomllib.loads(block.decode("utf-8"))["review"][0]
            scan.events.append((Position(name, offset), decode_event(rec, now)))
        except (StateError, ValueError, UnicodeDecodeError, KeyError, IndexError, TypeError) as exc:
            scan.problems.append(f"{path.name}: event at byte {offset} set aside: {exc}")
            scan.bad_blocks.append(block)


def scan_file(path: Path, start: int, now: datetime) -> FileScan:
    """Read and decode every complete block from byte `start` (0: the whole file, header checked)."""
    scan = FileScan(path)
    try:
        with path.open("rb") as fh:
            if start > 0:
                fh.seek(start)
            data = fh.read()
    except OSError as exc:
        scan.problems.append(f"{path}: cannot read journal: {exc.strerror or exc}")
        return scan
    base = max(start, 0)
    begin = 0
    if base == 0:
        if data.startswith(BLOCK_HEADER):
            begin = 0
        else:
            split = data.find(_SPLIT)
            begin = split + 1 if split >= 0 else len(data)
        head = data[:begin]
        if begin == len(data) and (not head.endswith(b"\n") or b"format" not in head):
            scan.torn = data  # no event at all, and not even a whole header
            return scan
        problem = _check_header(path, head)
        if problem:
            scan.problems.append(problem)
    scan.end = base + begin
    good: list[tuple[int, bytes]] = []
    pending_bad: list[tuple[int, bytes]] = []
    for offset, chunk in _blocks(data[begin:], base + begin):
        size = block_end(chunk)
        if size > 0:
            for bad_offset, bad in pending_bad:
                scan.problems.append(f"{path.name}: damaged event at byte {bad_offset} set aside")
                scan.bad_blocks.append(bad)
            pending_bad = []
            good.append((offset, chunk[:size]))
            scan.end = offset + size
            if size < len(chunk):  # junk after a complete event: a torn header, or damage
                pending_bad.append((offset + size, chunk[size:]))
        else:
            pending_bad.append((offset, chunk))
    scan.torn = data[scan.end - base :]
    if good:
        _decode_all(path, good, now, scan)
    return scan


def repair_tail(path: Path, end: int, torn: bytes, now: datetime) -> str:
    """Keep a copy of the torn bytes, truncate the file to `end`; return a message."""
    stamp = now.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    copy = path.with_name(f"{path.name}.torn-{stamp}")
    atomic_write(copy, torn)
    if end == 0:
        atomic_write(path, _HEADER)
    else:
        with path.open("r+b") as fh:
            fh.truncate(end)
            fh.flush()
            os.fsync(fh.fileno())
    return (
        f"{path.name}: an unfinished event at the end (from a crash) was cut off; "
        f"its bytes are kept in {copy.name}"
    )


def read_recent(folder: Path, since: datetime, now: datetime) -> list[Event]:
    """Events of one device folder with time >= `since`, reading files from the end backwards."""
    found: list[Event] = []
    for path in reversed(journal_files(folder)):
        events, reached = recent_in_file(path, since, now)
        found = events + found
        if reached:
            break
    return found


def _block_time(block: bytes) -> datetime | None:
    m = _TIME_RE.search(block)
    if m is None:
        return None
    try:
        return datetime.fromisoformat(m[1].decode("ascii"))
    except (ValueError, UnicodeDecodeError):
        return None


def recent_in_file(
    path: Path, since: datetime, now: datetime, chunk: int = 1 << 16
) -> tuple[list[Event], bool]:
    """(events with time >= since, whether the file reaches back before `since`).

    Blocks are walked from the end by their `time` line alone (cheap); only the
    ones at or after `since` are decoded. The walk goes on until a block a day
    older than `since`, so events written just before the clock was moved
    backwards are still found.
    """
    stop = since - timedelta(days=1)
    try:
        size = path.stat().st_size
    except OSError:
        return [], False
    while True:
        start = max(0, size - chunk)
        with path.open("rb") as fh:
            fh.seek(start)
            data = fh.read(size - start)
        cut = 0 if start == 0 else data.find(_SPLIT) + 1
        if start > 0 and cut == 0:
            chunk *= 4
            continue
        wanted: list[tuple[int, bytes]] = []
        reached = False
        blocks = list(_blocks(data[cut:], start + cut))
        if start == 0 and blocks and not blocks[0][1].startswith(BLOCK_HEADER):
            blocks = blocks[1:]  # the file header
        for offset, block in reversed(blocks):
            when = _block_time(block)
            if when is not None and when < stop:
                reached = True
                break
            end = block_end(block)
            if when is not None and when >= since and end > 0:
                wanted.append((offset, block[:end]))
        if reached or start == 0:
            scan = FileScan(path)
            wanted.reverse()
            if wanted:
                _decode_all(path, wanted, now, scan)
            return [e for _, e in scan.events if e.time >= since], reached
        chunk *= 4


class JournalWriter:
    """Appends events to one device folder; the caller holds the single-writer lock."""

    def __init__(self, folder: Path, *, fsync: bool = True) -> None:
        self.folder = folder
        self.fsync = fsync
        self._fd: int | None = None
        self._name = ""
        self._size = 0

    def _open(self, name: str) -> None:
        self.close()
        path = self.folder / name
        if not path.exists():
            self.folder.mkdir(parents=True, exist_ok=True)
            atomic_write(path, _HEADER)
        fd = os.open(path, os.O_WRONLY | os.O_APPEND)
        self._fd, self._name, self._size = fd, name, os.fstat(fd).st_size

    def target(self, moment: datetime) -> str:
        """The month file for an event at `moment`, never older than the newest file."""
        files = journal_files(self.folder)
        name = journal_name(moment)
        return max(name, files[-1].name) if files else name

    def append(self, event: Event) -> Position:
        """Write one event durably; return the position of its block."""
        name = self._name if self._fd is not None and self._name >= journal_name(event.time) else ""
        if not name:
            self._open(self.target(event.time))
        assert self._fd is not None
        block = encode_event(event)
        offset = self._size
        view = memoryview(block)
        try:
            while view:
                n = os.write(self._fd, view)
                view = view[n:]
            if self.fsync:
                os.fsync(self._fd)
        except OSError as exc:
            with contextlib.suppress(OSError):
                os.ftruncate(self._fd, offset)  # never leave half a block behind
            raise JournalError(f"cannot write the review journal: {exc.strerror or exc}") from None
        self._size += len(block)
        return Position(self._name, offset)

    def end(self) -> Position | None:
        return Position(self._name, self._size) if self._fd is not None else None

    def close(self) -> None:
        if self._fd is not None:
            with contextlib.suppress(OSError):
                os.close(self._fd)
            self._fd = None
            fsync_dir(self.folder)
