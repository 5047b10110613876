"""Safe reads of untrusted files and atomic writes."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

__all__ = ["MAX_DECK_BYTES", "ReadError", "atomic_write", "fsync_dir", "read_text_limited"]

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


def atomic_write(path: Path, data: bytes | str, *, durable: bool = True) -> None:
    """Write via a temp file in the same folder, fsync, os.replace, fsync the folder."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(raw)
            fh.flush()
            if durable:
                os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    if durable:
        fsync_dir(path.parent)
