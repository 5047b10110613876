"""Appending to one device's journal: one line per event, one write and one fsync per batch."""

from __future__ import annotations

import contextlib
import os
import re
import stat
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from retain.core.state import Event
from retain.store.files import atomic_write, fsync_dir
from retain.store.oserror import os_error_text
from retain.store.state.journal_format import (
    HEAD,
    JournalError,
    Position,
    check_at,
    file_format,
    journal_files,
    journal_header,
    journal_name,
    not_a_file,
    read_bytes,
)
from retain.store.state.statecodec import encode_event

__all__ = ["JournalWriter"]

_TAIL = 1 << 14  # bytes read back from the end of the newest file for its last event id
_LAST_SEQ = re.compile(rb"(?m)^\d{1,15}=\{i=(\d{1,11}),")


def _refuse_odd(path: Path) -> None:
    """JournalError (one line) when `path` holds something that is not a regular file."""
    why = not_a_file(path)
    if why:
        raise JournalError(f"cannot write the review journal: {path.name} {why}")


class JournalWriter:
    """Appends events to one device folder; the caller holds the single-writer lock."""

    def __init__(self, folder: Path, *, fsync: bool = True) -> None:
        self.folder = folder
        self.fsync = fsync
        self.device = folder.name
        self._fd: int | None = None
        self._name = ""
        self._size = 0
        self._check = ""
        self._gap = b""  # a newline to write first when the file ends in a torn record
        self.ends: dict[str, int] = {}  # file name -> where the last batch written to it ended
        self.created: set[str] = set()  # files made (their header holds no record) since reset
        # file name -> why nothing may be appended to it: it ends in bytes start-up could not copy
        # aside, so it could not cut them off (`journal.cut_tail`); a record after them would make
        # them a damaged record in the middle of the file
        self.blocked: dict[str, str] = {}

    def _open(self, name: str) -> None:
        """Open `name` for appending; make it (a header) only when nothing at all is there.

        Anything that is not a regular file (a symbolic link whose target is on a disk not
        mounted, a directory) is never replaced or written through: JournalError.
        """
        self.close()
        why = self.blocked.get(name)
        if why is not None:
            raise JournalError(f"cannot write the review journal: {why}")
        path = self.folder / name
        _refuse_odd(path)
        if not os.path.lexists(path):
            self.folder.mkdir(parents=True, exist_ok=True)
            atomic_write(path, journal_header(self.device))
            self.created.add(name)
        fd = os.open(path, os.O_RDWR | os.O_APPEND)
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):  # (made something else since it was looked at)
            os.close(fd)
            raise JournalError(f"cannot write the review journal: {name} is not a file")
        size = st.st_size
        if size == 0:  # emptied (a crash on a delayed-allocation file system, a failed copy): its
            header = journal_header(self.device)  # header first, else every reader names its format
            try:
                os.write(fd, header)  # (one small write: it all goes, or the file stays empty)
                if self.fsync:
                    os.fsync(fd)
            except OSError as exc:
                os.close(fd)
                raise JournalError(
                    f"cannot write the review journal: {os_error_text(exc, name=False)}"
                ) from None
            size = len(header)
            self.created.add(name)  # (its header holds no record)
        last = os.pread(fd, 1, size - 1) if size else b"\n"
        self._fd, self._name, self._size = fd, name, size
        self._gap = b"" if last == b"\n" else b"\n"
        self._check = check_at(path, size) if not self._gap else ""

    def _replaced(self) -> bool:
        """The open file is no longer the one at its name: another program wrote a new file and
        renamed it over ours (`git checkout` or `git pull` with autocrlf, an editor's save, a sync
        tool), or removed it. Appends through the old descriptor would go to a file no longer in
        the folder, lost with no message: the caller opens the name again. One stat per batch."""
        assert self._fd is not None
        try:
            there = os.stat(self.folder / self._name)
            here = os.fstat(self._fd)
        except OSError:
            return True
        return (there.st_dev, there.st_ino) != (here.st_dev, here.st_ino)

    def last_sequence(self) -> int:
        """The sequence number of the last event id this folder's journal holds (`i=N`: the
        writer's N-th id of a run), 0 when there is none. A run goes on from it, so a run that
        records at the same instant as an earlier one (a clock stopped or set back) never makes
        an id that is already there. Appends go to the newest file (`target`), so its last
        record is the last one written; only its end is read."""
        files = journal_files(self.folder)
        if not files:
            return 0
        path = files[-1]
        try:
            size = path.stat().st_size
            tail = read_bytes(path, max(0, size - _TAIL), _TAIL)
        except OSError:
            return 0
        found = _LAST_SEQ.findall(tail)
        return int(found[-1]) if found else 0

    def target(self, moment: datetime) -> str:
        """The month file for an event at `moment`, never older than the newest file.

        A format-1 file is never appended to: its month continues in `journal-YYYY-MM.v2.toml`.
        """
        files = journal_files(self.folder)
        name = journal_name(moment)
        if files and files[-1].name > name:
            name = files[-1].name
        path = self.folder / name
        _refuse_odd(path)
        if not name.endswith(".v2.toml") and path.exists():
            try:
                head = read_bytes(path, 0, HEAD)
            except OSError as exc:
                raise JournalError(
                    f"cannot read the review journal: {os_error_text(exc, name=False)}"
                ) from None
            if file_format(head) == 1 or (b"format = 2" not in head and b"\n[[review]]" in head):
                name = name.removesuffix(".toml") + ".v2.toml"
        return name

    def append(self, event: Event) -> Position:
        """Write one event durably; return the position of its record."""
        return self.append_many([event])[0]

    def append_many(self, events: Sequence[Event]) -> list[Position]:
        """Write events durably, one write and one fsync per file; return each record's position.

        A failed write truncates the file back to where the batch started and raises JournalError;
        so does an interrupt (Ctrl-C during the fsync), which is raised again. A batch spanning
        months keeps the files written whole before the failure: `ends` names them.
        """
        out: list[Position] = []
        i = 0
        while i < len(events):
            month = journal_name(events[i].time)
            if self._fd is None or self._name < month or self._replaced():
                self._open(self.target(events[i].time))
            j = i
            while j < len(events) and journal_name(events[j].time) <= self._name:
                j += 1
            j = max(j, i + 1)
            out += self._write(events[i:j])
            i = j
        return out

    def _write(self, events: Sequence[Event]) -> list[Position]:
        assert self._fd is not None
        start = self._size
        offset = start + len(self._gap)
        parts = [self._gap]
        positions: list[Position] = []
        check = self._check
        for event in events:
            line = encode_event(event, offset=offset, device=self.device)
            positions.append(Position(self._name, offset, check))
            check = line[-11:-3].decode("ascii")
            parts.append(line)
            offset += len(line)
        view = memoryview(b"".join(parts))
        was = self._size, self._check, self._gap
        try:
            while view:
                n = os.write(self._fd, view)
                view = view[n:]
            if self.fsync:
                os.fsync(self._fd)
            self._size, self._check, self._gap = offset, check, b""
        except BaseException as exc:
            # Never leave half a record behind, nor records this writer has not counted (a
            # Ctrl-C during the fsync): the next batch's offsets and positions start from
            # `_size`, and the caller takes the batch as not written.
            with contextlib.suppress(OSError):
                os.ftruncate(self._fd, start)
            self._size, self._check, self._gap = was
            if not isinstance(exc, OSError):
                raise
            raise JournalError(f"cannot write the review journal: {os_error_text(exc, name=False)}") from None
        self.ends[self._name] = offset
        return positions

    def sizes(self) -> dict[str, int]:
        """Each journal file of this device and its length now (for `cut_back`)."""
        return {path.name: path.stat().st_size for path in journal_files(self.folder)}

    def cut_back(self, sizes: dict[str, int]) -> None:
        """Take back everything appended since `sizes` was taken: files made since are removed,
        the others cut to their length then. Only for a writer holding the lock, undoing its own
        appends (a history import that could not finish)."""
        self.close()
        for path in journal_files(self.folder):
            size = sizes.get(path.name)
            if size is None:
                path.unlink()
            elif path.stat().st_size > size:
                with path.open("r+b") as fh:
                    fh.truncate(size)
                    os.fsync(fh.fileno())
        fsync_dir(self.folder)

    def end(self) -> Position | None:
        return Position(self._name, self._size, self._check) if self._fd is not None else None

    def close(self) -> None:
        if self._fd is not None:
            with contextlib.suppress(OSError):
                os.close(self._fd)
            self._fd = None
            fsync_dir(self.folder)
