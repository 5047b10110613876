"""Journal files: names, formats, positions and their verification (see `journal`).

A `Position` is a place in one device's journal (file, byte offset) with the
CRC of the record that ends there (`check`); `verify_position` tells whether
a recorded position still fits its file.
"""

from __future__ import annotations

import errno
import os
import re
import stat
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from retain.store.files import open_regular
from retain.store.state import journal_v1 as v1
from retain.store.state.statecodec import line_crc

__all__ = [
    "HEAD",
    "JOURNAL_FORMAT",
    "JOURNAL_NAME_RE",
    "JournalError",
    "Position",
    "check_at",
    "file_format",
    "header_end",
    "journal_entries",
    "journal_files",
    "journal_header",
    "journal_name",
    "not_a_file",
    "read_bytes",
    "verify_position",
]

JOURNAL_FORMAT = 2
JOURNAL_NAME_RE = re.compile(r"^journal-(\d{4})-(\d{2})(\.v2)?\.toml\Z")
_RECORD_START = re.compile(rb"\d{1,15}=\{")
_FORMAT_RE = re.compile(rb"^(?:\xef\xbb\xbf)?format = (\d+)\r?$", re.MULTILINE)
HEAD = 4096  # a header is never longer (bytes read to tell a file's format)
_WINDOW = 1 << 16  # how far back a position's record is looked for


def journal_header(device: str) -> bytes:
    return (
        "# retain review journal: append-only, one event per line (legend: docs/state-format.md)\n"
        f'format = {JOURNAL_FORMAT}\ndevice = "{device}"\n\n'
    ).encode()


class JournalError(Exception):
    """A journal cannot be used (a newer format, or it cannot be written); one line for the user."""


@dataclass(frozen=True, slots=True, order=True)
class Position:
    """A place in one device's journal: events before it (file name order, then byte offset).

    `check` is the CRC (8 hex digits) of the record that ends at `offset` ("" when
    unknown or none); it takes no part in comparisons.
    """

    file: str
    offset: int
    check: str = field(default="", compare=False)


def journal_name(moment: datetime) -> str:
    m = moment.astimezone(UTC)
    return f"journal-{m.year:04d}-{m.month:02d}.toml"


def not_a_file(path: Path) -> str:
    """ "" when `path` is a regular file (also through a symbolic link) or nothing at all; else
    what is there instead, as a phrase ("is a broken symbolic link")."""
    try:
        mode = os.stat(path).st_mode
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return "is a symbolic link loop"
        if exc.errno in (errno.ENOENT, errno.ENOTDIR) and os.path.islink(path):
            return "is a broken symbolic link"  # (its target on a disk not mounted)
        return ""  # nothing there, or it cannot be looked at: reading it says why
    if stat.S_ISREG(mode):
        return ""
    return "is not a file (a directory)" if stat.S_ISDIR(mode) else "is not a file (a special file)"


def journal_entries(folder: Path) -> tuple[list[Path], list[tuple[Path, str]]]:
    """(the folder's journal files, oldest first; the entries with a journal's name that are not
    files, with what they are: `not_a_file`). `journal-M.toml` sorts before `journal-M.v2.toml`."""
    try:
        named = sorted((p for p in folder.iterdir() if JOURNAL_NAME_RE.match(p.name)), key=lambda p: p.name)
    except OSError:
        return [], []
    kinds = [(p, not_a_file(p)) for p in named]
    return [p for p, odd in kinds if not odd], [(p, odd) for p, odd in kinds if odd]


def journal_files(folder: Path) -> list[Path]:
    """The folder's journal files, oldest first (`journal-M.toml` before `journal-M.v2.toml`);
    what is not a file (a directory, a broken symbolic link) is left out (`journal_entries`)."""
    return journal_entries(folder)[0]


def read_bytes(path: Path, start: int, size: int) -> bytes:
    """Up to `size` bytes of the regular file `path` from `start`. A FIFO or a device swapped in
    for it since it was checked (`not_a_file`) is never waited on: NotRegularFileError (an OSError)."""
    with open_regular(path) as fh:
        fh.seek(start)
        return fh.read(size)


def file_format(head: bytes) -> int:
    """1 or 2 from a file's first bytes: its `format` line, else the shape of its records."""
    m = _FORMAT_RE.search(head)
    if m is not None and m[1] in (b"1", b"2"):
        return int(m[1])
    return 1 if re.search(rb"^\[\[review\]\]\r?$", head, re.MULTILINE) else 2


def header_end(head: bytes, fmt: int) -> tuple[int, bool]:
    """(where the first record starts, or the header's last line ends; whether a record was found)."""
    if fmt == 1:
        m = re.search(rb"^\[\[review\]\]\r?$", head, re.MULTILINE)
    else:
        m = re.search(rb"^\d{1,15}=\{", head, re.MULTILINE)
    if m is not None:
        return m.start(), True
    cut = head.rfind(b"\n")
    return (cut + 1 if cut >= 0 else 0), False


def _record_before(path: Path, offset: int) -> tuple[str, bool]:
    """(CRC of the complete record ending exactly at `offset` or "", whether it is where it was written)."""
    if offset <= 0:
        return "", False
    try:
        head = read_bytes(path, 0, HEAD)
        before = read_bytes(path, max(0, offset - _WINDOW), min(offset, _WINDOW))
    except OSError:
        return "", False
    if len(before) < min(offset, _WINDOW):
        return "", False
    if file_format(head) == 1:
        starts = [m.start() for m in re.finditer(rb"^\[\[review\]\]\r?$", before, re.MULTILINE)]
        if not starts:
            return "", False
        block = before[starts[-1] :]
        return (v1.block_crc(block), True) if v1.block_end(block) == len(block) else ("", False)
    if not before.endswith(b"\n"):
        return "", False
    cut = before.rfind(b"\n", 0, len(before) - 1)
    if cut < 0 and offset > _WINDOW:
        return "", False
    line = before[cut + 1 :]
    crc = line_crc(line)
    key = _RECORD_START.match(line)
    placed = bool(crc) and key is not None and int(line[: key.end() - 2]) == offset - len(line)
    return crc, placed


def check_at(path: Path, offset: int) -> str:
    """The CRC of the complete record that ends exactly at `offset`, or "" when there is none."""
    return _record_before(path, offset)[0]


def verify_position(folder: Path, pos: Position) -> str:
    """ "" when `pos` fits its file, else why not (one phrase).

    It fits when the file is at least that long and the record ending at the
    offset has the CRC `pos.check`; a position without a check must end a
    complete record that sits where it was written (format 2: its key is its
    offset), or the header. A missing file fits (there is nothing to skip), and so does one that
    is not a file (a broken symbolic link, a directory): nothing of it can be read, and the
    position holds again when the file is back (the history index says what it is).
    """
    path = folder / pos.file
    if not_a_file(path):
        return ""
    try:
        size = path.stat().st_size
    except OSError:
        return ""
    if size < pos.offset:
        return f"the file is shorter ({size} bytes) than the recorded position ({pos.offset})"
    if pos.offset == 0:
        return ""
    crc, placed = _record_before(path, pos.offset)
    if crc and (crc == pos.check if pos.check else placed):
        return ""
    if not crc and not pos.check:
        try:
            head = read_bytes(path, 0, HEAD)
            before = read_bytes(path, pos.offset - 1, 1)
        except OSError:
            return "the file cannot be read"
        fmt = file_format(head)
        end, _found = header_end(head, fmt)
        if end == pos.offset or (fmt == 2 and before == b"\n" and pos.offset > end):
            return ""  # the header's end, or after a line that holds no record (damaged, blank)
    return f"byte {pos.offset} is not the end of the event recorded there"
