"""Bounded reads of untrusted text files for imports."""

from __future__ import annotations

from pathlib import Path

from retain.interop.errors import InteropError, LimitError
from retain.interop.limits import Limits, mb
from retain.store.files import ReadError, read_text_limited
from retain.store.oserror import os_error_text

__all__ = ["read_text"]


def read_text(path: Path, limits: Limits) -> str:
    """UTF-8 text (BOM dropped); LimitError past `max_text_bytes`, InteropError if unreadable.

    A file whose lines all end in a lone CR (classic Mac OS, some spreadsheet exports) is read
    with LF line ends, as every reader here splits lines at LF: it was one long line (a Markdown
    file gave no card, a CSV file a csv module error). A file with any LF keeps its CRs: they
    are text there (a CSV cell may hold one)."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise InteropError(f"cannot read {path}: {os_error_text(exc, name=False)}") from None
    if size > limits.max_text_bytes:
        raise LimitError(f"file is {mb(size)}; the text-file size limit is {mb(limits.max_text_bytes)}")
    try:
        text = read_text_limited(path, limits.max_text_bytes)
    except ReadError as exc:
        raise InteropError(str(exc)) from None
    if "\r" in text and "\n" not in text:
        return text.replace("\r", "\n")
    return text
