"""Bounded reads of untrusted text files for imports."""

from __future__ import annotations

from pathlib import Path

from retain.interop.errors import InteropError, LimitError
from retain.interop.limits import Limits, mb
from retain.store.files import ReadError, read_text_limited

__all__ = ["read_text"]


def read_text(path: Path, limits: Limits) -> str:
    """UTF-8 text (BOM dropped); LimitError past `max_text_bytes`, InteropError if unreadable."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise InteropError(f"cannot read {path}: {exc.strerror or exc}") from None
    if size > limits.max_text_bytes:
        raise LimitError(f"file is {mb(size)}; the text-file size limit is {mb(limits.max_text_bytes)}")
    try:
        return read_text_limited(path, limits.max_text_bytes)
    except ReadError as exc:
        raise InteropError(str(exc)) from None
