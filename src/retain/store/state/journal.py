"""The append-only review journal: one line per event, per device, per month.

Layout: `state/devices/<device-id>/journal-YYYY-MM.toml`. A file starts with a
header (`format = 2`, `device = "<id>"`) and then holds one record per line
(see `statecodec.encode_event`): `<offset>={...,c="<crc>"}`. The whole file is
TOML any parser reads. Only the device that owns a folder ever writes to it,
so two machines syncing the data folder never write the same file.

- `JournalWriter.append`/`append_many` write one line per event with a single
  `write`, then flush and fsync before returning: once they return, the
  events survive SIGKILL or a power cut. A rating never rewrites a file.
- `scan_file` reads records from a byte offset on. A torn final record (bytes
  after the last newline) is reported in `FileScan.torn`; `repair_tail` copies
  those bytes aside (`*.torn-<time>`) and truncates the file to its last
  complete line; when the copy cannot be made it cuts nothing (`cut_tail`). A damaged line is skipped with a message and the file is left
  alone (the history is never rewritten).
- Format-1 files (`[[review]]` blocks, `journal_v1`) are read forever and never
  appended to: the writer starts `journal-YYYY-MM.v2.toml` for that month.
- A `Position` carries the CRC of the record just before it (`check`);
  `verify_position` tells whether a recorded position still fits its file.
"""

from __future__ import annotations

import gc
import os
import re
import stat
import tomllib
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from itertools import accumulate, repeat
from operator import eq, getitem
from pathlib import Path
from typing import Any

from retain.core.state import Event, StateError
from retain.store.fastbuild import build_many
from retain.store.files import NotRegularFileError, atomic_write, file_kind, open_regular
from retain.store.oserror import os_error_text
from retain.store.state import journal_v1 as v1
from retain.store.state.journal_format import (
    HEAD,
    JOURNAL_FORMAT,
    JournalError,
    Position,
    check_at,
    file_format,
    header_end,
    journal_files,
    journal_header,
    journal_name,
    verify_position,
)
from retain.store.state.journal_writer import JournalWriter
from retain.store.state.recordfast import IndexCols, cols_from_events, decode_many, index_many
from retain.store.state.statecodec import FUTURE_SKEW, decode_event, decode_record, line_crc

__all__ = [
    "JOURNAL_FORMAT",
    "FileScan",
    "JournalError",
    "JournalWriter",
    "Position",
    "check_at",
    "cut_tail",
    "file_format",
    "journal_files",
    "journal_name",
    "parse_toml",
    "read_records",
    "repair_tail",
    "scan_file",
    "set_aside_spans",
    "verify_position",
]

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_US = timedelta(microseconds=1)
_DEVICE_RE = re.compile(rb'^(?:\xef\xbb\xbf)?device = "([a-z0-9][a-z0-9-]{0,63})"\r?$', re.MULTILINE)
# A merge conflict marker line (`git merge` of a journal two computers wrote as one device): no
# record, no damage; the records on both sides of it are read.
_MARKER_RE = re.compile(rb"(?:<{7}|={7}|>{7})(?:[ \t].*)?\r?\Z")


@dataclass(slots=True)
class FileScan:
    path: Path
    events: list[tuple[Position, Event]] = field(default_factory=list)
    end: int = 0  # byte offset just past the last complete record
    torn: bytes = b""  # bytes after `end` that do not form a complete record
    problems: list[str] = field(default_factory=list)
    bad_blocks: list[bytes] = field(default_factory=list)
    bad_at: list[int] = field(default_factory=list)  # where each damaged or refused record starts
    end_check: str = ""  # CRC of the record ending at `end` ("" when none)
    future: int = 0  # events dated more than FUTURE_SKEW after `now` (kept, flagged)
    index: IndexCols | None = None  # with `scan_file(index=True)`: the records as index columns, not events


def parse_toml(text: str) -> dict[str, Any]:
    """Parse trusted-shape TOML fast (rtoml when installed, else tomllib); raises ValueError."""
    try:
        import rtoml
    except ImportError:  # pragma: no cover - rtoml is a dependency, tomllib is the fallback
        return stdlib_toml(text)
    try:
        result: dict[str, Any] = rtoml.loads(text)
        return result
    except Exception:
        return stdlib_toml(text)  # the stdlib's message (and verdict) on bad text


def stdlib_toml(text: str) -> dict[str, Any]:
    """`tomllib.loads`, whose every refusal is a ValueError: deep nesting (a hostile record of
    thousands of `[` or `{`) makes it raise RecursionError, which no journal reader expected: a
    traceback from every command, and the TUI would not open, until the line was cut by hand."""
    try:
        return tomllib.loads(text)
    except RecursionError:
        raise ValueError("TOML nesting is too deep") from None


def _check_header(path: Path, head: bytes) -> str:
    """A problem with the file's header ("" when fine); a newer format raises JournalError.

    A damaged header is only reported: every record carries its own CRC, so the
    events after it are still read (and the file is never cut because of it).
    """
    try:
        data = stdlib_toml(head.decode("utf-8-sig"))  # a BOM (a Windows editor, a sync filter) is no damage
    except (UnicodeDecodeError, ValueError):
        return f"{_label(path)}: the journal header is damaged; its events are read anyway"
    fmt = data.get("format")
    if isinstance(fmt, int) and not isinstance(fmt, bool) and fmt > JOURNAL_FORMAT:
        raise JournalError(
            f"{path} has journal format {fmt}, written by a newer retain; upgrade retain to open it"
        )
    if fmt not in (1, 2):
        return f"{_label(path)}: unknown journal format {fmt!r}; its events are read anyway"
    return ""


def _device_of(path: Path, head: bytes) -> str:
    m = _DEVICE_RE.search(head)
    return m[1].decode("ascii") if m is not None else path.parent.name


def scan_file(
    path: Path, start: int, now: datetime, *, max_bytes: int | None = None, index: bool = False
) -> FileScan:
    """Read and decode every complete record from byte `start` (0: the whole file, header checked).

    With `max_bytes`, stop after the complete records within that many bytes
    from `start` (at least one record); go on from `scan.end`. With `index`, the
    records come as `scan.index` columns (what the history index keeps, with the
    same checks) and `scan.events` stays empty: no objects are built.
    """
    scan = FileScan(path)
    try:
        with open_regular(path) as fh:  # (a FIFO swapped in since the folder was listed: never waited on)
            head = fh.read(HEAD)
            fh.seek(max(start, 0))
            data = fh.read() if max_bytes is None else fh.read(max_bytes)
            at_eof = max_bytes is None or len(data) < max_bytes
            while not at_eof and not _has_boundary(data, head):
                more = fh.read(max(max_bytes or 0, HEAD))
                data += more
                at_eof = len(more) == 0
    except NotRegularFileError as exc:
        scan.end = max(start, 0)  # nothing read past where it was: a position never goes back
        scan.problems.append(
            f"{path.parent.name}/{path.name} is not a file ({exc.kind}); its reviews cannot be read"
        )
        return scan
    except OSError as exc:
        scan.end = max(start, 0)
        scan.problems.append(f"{path}: cannot read journal: {os_error_text(exc, name=False)}")
        return scan
    fmt = file_format(head)
    base = max(start, 0)
    begin = 0
    if base == 0:
        begin, found = header_end(data[:HEAD], fmt)
        header = data[:begin]
        if not found and b"format" not in header:
            scan.torn = data  # no event at all, and not even a whole header
            return scan
        problem = _check_header(path, header)
        if problem:
            scan.problems.append(problem)
    scan.end = base + begin
    if not at_eof:
        data = data[: _last_boundary(data, fmt)]
    if fmt == 1:
        _scan_v1(path, data, base, begin, now, scan)
    else:
        _scan_v2(path, data, base, begin, now, scan, _device_of(path, head), index=index)
    if not at_eof:
        scan.torn = b""
    if not scan.end_check and scan.end > 0:
        scan.end_check = check_at(path, scan.end)
    limit = now + FUTURE_SKEW
    if index and scan.index is None:
        scan.index = cols_from_events([(pos.offset, e) for pos, e in scan.events])
        scan.events = []
    if scan.index is not None:
        cutoff = (limit - _EPOCH) // _US
        scan.future = sum(1 for t in scan.index.t if t > cutoff)
    else:
        scan.future = sum(1 for _, e in scan.events if e.time > limit)
    return scan


_DECODE_BATCH = 2048  # records decoded at a time by `read_records` (its columns are transient)


def read_records(path: Path, offsets: set[int], now: datetime) -> dict[int, Event]:
    """The events whose records start at `offsets` in `path` (the history index's positions).

    Only those records are decoded (a deck's events are spread through every month file:
    decoding whole files for them cost seconds and hundreds of MB at 50k cards), and the file
    is read a window at a time (`_lines`): a group's export reads every month file once per
    deck, and whole files of tens of MB each left the heap ~40 MB larger per deck. An offset
    that is not the start of an intact record is left out, as `scan_file` would set it aside.
    Format-1 files (blocks, not lines) are scanned whole.
    """
    try:
        with open_regular(path) as fh:  # (never a FIFO: the index named the file, and it may be one now)
            head = fh.read(HEAD)
            if file_format(head) != 2:
                return {pos.offset: e for pos, e in scan_file(path, 0, now).events if pos.offset in offsets}
            begin = header_end(head, 2)[0]
            device = _device_of(path, head)
            out: dict[int, Event] = {}
            good: list[tuple[int, bytes]] = []
            for off, raw in _lines(fh.fileno(), sorted(o for o in offsets if o >= max(begin, 1))):
                raw = raw[:-1] if raw.endswith(b"\r") else raw
                if line_crc(raw + b"\n"):
                    good.append((off, raw))
                if len(good) == _DECODE_BATCH:  # bounded: a group's export asks for 60k
                    _decode_into(out, good, now, device)
                    good = []
            _decode_into(out, good, now, device)
            return out
    except OSError:
        return {}


_WINDOW = 1 << 20  # bytes of a journal `read_records` holds at a time (grown for a longer line)


def _lines(fd: int, wanted: list[int]) -> Iterator[tuple[int, bytes]]:
    """(offset, the line that starts there, without its newline) for each of `wanted` (sorted,
    each > 0) that starts a complete line: the byte before it a newline, a newline after it."""
    start, data = 0, b""  # the window: the file's bytes from `start`
    for off in wanted:
        at = off - start
        end = data.find(b"\n", at) if at >= 1 else -1
        if end < 0:  # past the window, or the line runs on: a window from the byte before it
            start, size = off - 1, _WINDOW
            while True:
                data = os.pread(fd, size, start)
                end = data.find(b"\n", 1)
                if end >= 0 or len(data) < size:
                    break
                size *= 2
            at = 1
            if end < 0:
                continue  # (the file ends before the line does)
        if data[at - 1 : at] == b"\n":
            yield off, data[at:end]


def _decode_into(out: dict[int, Event], good: list[tuple[int, bytes]], now: datetime, device: str) -> None:
    decoded, _refused, slow = decode_many(good, now, device)
    out.update(decoded)
    out.update(_decode_slow(slow, now, device)[0])


def _has_boundary(data: bytes, head: bytes) -> bool:
    return (b"\n[[review]]" in data) if file_format(head) == 1 else (b"\n" in data)


def _last_boundary(data: bytes, fmt: int) -> int:
    if fmt == 1:
        starts = [m.start() for m in re.finditer(rb"^\[\[review\]\]\r?$", data, re.MULTILINE)]
        return starts[-1] if starts else 0
    return data.rfind(b"\n") + 1


def _label(path: Path) -> str:
    """A journal as a message names it: `<device folder>/<name>` (each has a `journal-2026-12.toml`)."""
    return f"{path.parent.name}/{path.name}"


def _set_aside(scan: FileScan, offsets: list[int], chunk: bytes) -> None:
    """Damaged records (consecutive ones in one `chunk`) set aside, with one message naming the
    bytes they take (`set_aside_spans` reads them back)."""
    first = offsets[0]
    where = f"byte {first}" if len(offsets) == 1 else f"bytes {first} to {first + len(chunk) - 1}"
    scan.problems.append(f"{_label(scan.path)}: damaged event at {where} set aside")
    scan.bad_blocks.append(chunk)
    scan.bad_at += offsets


# The lines above and `_refuse`'s, `_scan_v1`'s: `<device>/<name>: [damaged ]event at byte N[ to M]
# set aside[: why]`.
_ASIDE_RE = re.compile(
    r"(.+?): (?:damaged )?event at bytes? (\d+)(?: to (\d+))? set aside(?:: .*)?", re.DOTALL
)


def set_aside_spans(lines: Iterable[str]) -> dict[str, list[tuple[int, int]]]:
    """The bytes (first, last) each journal's records take that `lines` say were set aside, by
    `<device>/<name>`: what the history index need not say again in the same command."""
    spans: dict[str, list[tuple[int, int]]] = {}
    for line in lines:
        m = _ASIDE_RE.fullmatch(line)
        if m is not None:
            first = int(m[2])
            spans.setdefault(m[1], []).append((first, int(m[3]) if m[3] else first))
    return spans


def _crc_ok(raws: list[bytes]) -> bool:
    """True when every line (without its newline) is a record whose CRC matches (C-level loops)."""
    computed = map(b"%08x".__mod__, map(zlib.crc32, map(getitem, raws, repeat(_BODY))))  # type: ignore[arg-type]
    return (
        all(map(eq, computed, map(getitem, raws, repeat(_HEX))))
        and all(map(eq, map(getitem, raws, repeat(_TAIL)), repeat(b'"}')))
        and all(map(eq, map(getitem, raws, repeat(_C)), repeat(b'c="')))
    )


_BODY, _HEX, _TAIL, _C = slice(None, -13), slice(-10, -2), slice(-2, None), slice(-13, -10)


def _scan_v2(
    path: Path,
    data: bytes,
    base: int,
    begin: int,
    now: datetime,
    scan: FileScan,
    device: str,
    *,
    index: bool = False,
) -> None:
    raws = data[begin:].split(b"\n")
    tail = raws.pop()  # bytes after the last newline: a torn record (or b"")
    starts = list(accumulate(map(len, raws), lambda a, n: a + n + 1, initial=base + begin))
    end = starts.pop()
    good: list[tuple[int, bytes]]
    if raws and _crc_ok(raws):
        good = list(zip(starts, raws, strict=True))
        checks = {end: raws[-1][-10:-2].decode("ascii")}
    else:
        good, checks = _classify(raws, starts, scan)
    scan.end = end
    scan.end_check = checks.get(end, "")
    scan.torn = tail
    name = path.name
    if index:
        cols, refused, slow = index_many(good, now, device)
        decoded_slow, refused_slow = _decode_slow(slow, now, device)
        cols.extend(cols_from_events(decoded_slow))
        scan.index = cols
        _refuse(scan, [*refused, *refused_slow])
        return
    gc_was_on = gc.isenabled()
    gc.disable()  # hundreds of thousands of objects, none in a cycle: collections would only cost time
    try:
        decoded, refused, slow = decode_many(good, now, device)
        decoded_slow, refused_slow = _decode_slow(slow, now, device)
        if slow:
            decoded = sorted([*decoded, *decoded_slow], key=lambda t: t[0])
            refused += refused_slow
        offsets = [off for off, _ in decoded]
        positions = build_many(Position, ("offset",), [offsets], len(offsets), {"file": name, "check": ""})
        scan.events = list(zip(positions, [e for _, e in decoded], strict=True))
    finally:
        if gc_was_on:
            gc.enable()
    _refuse(scan, refused)


def _decode_slow(
    slow: list[tuple[int, bytes]], now: datetime, device: str
) -> tuple[list[tuple[int, Event]], list[tuple[int, bytes, str]]]:
    """Lines the fast path does not match, through the general reader (same checks)."""
    decoded: list[tuple[int, Event]] = []
    refused: list[tuple[int, bytes, str]] = []
    for off, line in slow:
        try:
            decoded.append((off, decode_record(line + b"\n", now, device=device)))
        except StateError as exc:
            refused.append((off, line, str(exc)))
    return decoded, refused


def _refuse(scan: FileScan, refused: list[tuple[int, bytes, str]]) -> None:
    for off, line, why in sorted(refused, key=lambda t: t[0]):
        scan.problems.append(f"{_label(scan.path)}: event at byte {off} set aside: {why}")
        scan.bad_blocks.append(line + b"\n")
        scan.bad_at.append(off)


def _classify(
    raws: list[bytes], starts: list[int], scan: FileScan
) -> tuple[list[tuple[int, bytes]], dict[int, str]]:
    """Good records (CRC matching, CRLF allowed) and the CRC by end offset; damaged lines set aside."""
    good: list[tuple[int, bytes]] = []
    checks: dict[int, str] = {}
    bad: list[tuple[int, bytes]] = []  # consecutive damaged lines, reported as one
    markers: list[int] = []  # where the first merge conflict marker line is

    def flush_bad() -> None:
        if bad:
            _set_aside(scan, [off for off, _ in bad], b"".join(b for _, b in bad))
            bad.clear()

    for offset, raw in zip(starts, raws, strict=True):
        line = raw + b"\n"
        crc = line_crc(line)
        if crc:
            flush_bad()
            good.append((offset, raw[:-1] if raw.endswith(b"\r") else raw))
            checks[offset + len(line)] = crc
        elif _MARKER_RE.match(raw):
            flush_bad()
            if not markers:
                markers.append(offset)
        elif raw.strip() and not raw.startswith(b"#"):
            bad.append((offset, line))
    flush_bad()
    if markers:
        scan.problems.append(
            f"{_label(scan.path)}: unresolved merge conflict (a `<<<<<<<` marker at byte {markers[0]}); "
            "the events on both sides are read, and the marker lines can be deleted"
        )
    return good, checks


def _scan_v1(path: Path, data: bytes, base: int, begin: int, now: datetime, scan: FileScan) -> None:
    good: list[tuple[int, bytes]] = []
    chunks = list(v1.blocks(data[begin:], base + begin))
    for i, (offset, chunk) in enumerate(chunks):
        size = v1.block_end(chunk)
        last = i == len(chunks) - 1
        if size > 0:
            good.append((offset, chunk[:size]))
            scan.end = offset + size
            if size < len(chunk):  # junk after a complete event: a torn header, or damage
                if last:
                    scan.torn = chunk[size:]
                else:
                    _set_aside(scan, [offset + size], chunk[size:])
                    scan.end = offset + len(chunk)
        elif last:
            scan.torn = chunk  # a torn final block: only this may be cut
        else:
            _set_aside(scan, [offset], chunk)
            scan.end = offset + len(chunk)
    if not good:
        return
    records = v1.parse_blocks([b for _, b in good])
    name = path.name
    for i, (offset, block) in enumerate(good):
        try:
            rec = records[i] if records is not None else v1.parse_one(block)
            scan.events.append((Position(name, offset), decode_event(rec, now)))
        except (StateError, ValueError, KeyError, IndexError, TypeError, OverflowError) as exc:
            scan.problems.append(f"{_label(path)}: event at byte {offset} set aside: {exc}")
            scan.bad_blocks.append(block)
            scan.bad_at.append(offset)


def repair_tail(path: Path, end: int, torn: bytes, now: datetime) -> str:
    """Keep a copy of the torn bytes, truncate the file to `end`; return a message (`cut_tail`)."""
    return cut_tail(path, end, torn, now)[1]


def cut_tail(path: Path, end: int, torn: bytes, now: datetime) -> tuple[bool, str]:
    """Keep a copy of the torn bytes, then truncate the file to `end`: (whether it was cut, a message).

    The file is opened (never blocking) and checked to be a regular file first: one swapped for a
    FIFO or a device since it was read is left as it is, and the line says so. When the copy
    cannot be made (a full disk, a folder in the way) the file is not cut either: nothing is lost,
    and the caller must not append after those bytes (they would become a damaged record)."""
    try:
        fd = os.open(path, os.O_RDWR | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except OSError as exc:
        return False, (
            f"{_label(path)}: an unfinished event at the end (from a crash) was not cut off: "
            f"{os_error_text(exc, name=False)}"
        )
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):
        os.close(fd)
        return False, (
            f"{_label(path)}: an unfinished event at the end (from a crash) was not cut off: the file is "
            f"not a regular file now ({file_kind(mode)}); nothing was changed"
        )
    with os.fdopen(fd, "r+b") as fh:
        stamp = now.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
        copy = path.with_name(f"{path.name}.torn-{stamp}")
        try:
            atomic_write(copy, torn)
        except OSError as exc:
            return False, (
                f"{_label(path)}: its last {len(torn)} bytes (an unfinished event, from a crash) could not be "
                f"copied aside ({os_error_text(exc, name=False)}), so they were not cut off and no review "
                "can be recorded after them; start retain again once they can be copied"
            )
        try:
            if end == 0:  # a new file with the header, in place of the file (never of a link to it)
                atomic_write(Path(os.path.realpath(path)), journal_header(path.parent.name))
            else:
                fh.truncate(end)
                fh.flush()
                os.fsync(fh.fileno())
        except OSError as exc:
            return False, (
                f"{_label(path)}: an unfinished event at the end (from a crash) was not cut off "
                f"({os_error_text(exc, name=False)}); its bytes are kept in {copy.name}, and nothing is "
                "recorded after them until it is (start retain again then)"
            )
    if b"\0" in torn or b"\n" in torn.rstrip(b"\r\n"):  # no crash tears a write so: zeroed or overwritten
        return True, (
            f"{_label(path)}: its last {len(torn)} bytes were damaged (zeroed or overwritten, not an "
            "event cut short by a crash) and were cut off; any reviews in them are missing from the "
            f"history (the states kept in snapshots stay); the bytes are kept in {copy.name}"
        )
    return True, (
        f"{_label(path)}: an unfinished event at the end (from a crash) was cut off; "
        f"its bytes are kept in {copy.name}"
    )
