"""Safe reads of untrusted files and atomic writes."""

from __future__ import annotations

import contextlib
import functools
import os
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path

__all__ = ["MAX_DECK_BYTES", "ReadError", "atomic_output", "atomic_write", "fsync_dir", "read_text_limited"]

MAX_DECK_BYTES = 10 * 1024 * 1024


class ReadError(Exception):
    """A file could not be read as text; the message is one line for the user."""


def read_text_limited(path: Path, limit: int = MAX_DECK_BYTES) -> str:
    try:
        size = path.stat().st_size
        if size > limit:
            raise ReadError(f"file is {size / 1e6:.1f} MB; the limit is {limit / 1e6:.0f} MB")
        with path.open("rb") as fh:
            data = fh.read(limit + 1)
    except OSError as exc:
        raise ReadError(f"cannot read file: {exc.strerror or exc}") from None
    if len(data) > limit:
        raise ReadError(f"file is over the {limit / 1e6:.0f} MB limit")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ReadError(f"not UTF-8 text (bad byte at line {line}); save the file as UTF-8") from None
    return text.removeprefix("\ufeff")


def fsync_dir(path: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


@functools.cache
def _umask() -> int:
    """The process umask (read once: setting it to read it is not thread-safe, so do it once)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _take_mode(tmp: str, path: Path) -> None:
    """Give the temp file the mode (and, where allowed, owner and group) of the file it replaces.

    A new file gets the mode `open()` would give it (0666 less the umask): `mkstemp`'s 0600 would
    make a shared deck file private after its first edit.
    """
    try:
        st = os.stat(path)
    except OSError:
        os.chmod(tmp, 0o666 & ~_umask())
        return
    if hasattr(os, "chown"):
        with contextlib.suppress(OSError):  # only root may give a file away; the group may be allowed
            os.chown(tmp, st.st_uid, st.st_gid)
    os.chmod(tmp, stat.S_IMODE(st.st_mode))


@contextlib.contextmanager
def atomic_output(path: Path, *, durable: bool = True) -> Iterator[Path]:
    """Yield a temp path next to `path`; once the block succeeds it replaces `path` atomically.

    The new file keeps the mode and owner of the one it replaces. On an error the
    temp file is removed and `path` is untouched. With `durable`, the data and
    the folder entry are fsynced.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        _take_mode(tmp, path)
        yield Path(tmp)
        if durable:
            with open(tmp, "rb") as fh:
                os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    if durable:
        fsync_dir(path.parent)


def atomic_write(path: Path, data: bytes | str, *, durable: bool = True) -> None:
    """Write via a temp file in the same folder (fsync, os.replace, fsync the folder); keeps the mode."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    with atomic_output(path, durable=durable) as tmp, open(tmp, "wb") as fh:
        fh.write(raw)
