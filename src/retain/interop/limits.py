"""Safety limits for imports of untrusted files (ARCHITECTURE §5).

Every check raises `LimitError` with a one-line message that names the limit,
so a refused import says exactly why. Reads are bounded while they happen: a
zip entry or a zstd frame that lies about its size is cut off at the limit.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Protocol

from retain.interop.errors import LimitError

__all__ = ["DEFAULT_LIMITS", "Limits", "Writer", "copy_bounded", "mb"]


@dataclass(frozen=True, slots=True)
class Limits:
    """Ceilings for one import. Tests pass smaller ones; the defaults suit real decks."""

    max_file_bytes: int = 1024 * 1024 * 1024  # the .apkg itself
    max_text_bytes: int = 64 * 1024 * 1024  # .toml .csv .tsv .txt .md
    max_entries: int = 100_000  # zip entries (media files + collection)
    max_total_bytes: int = 4 * 1024 * 1024 * 1024  # everything uncompressed
    max_collection_bytes: int = 1024 * 1024 * 1024  # the embedded SQLite file
    max_ratio: int = 200  # uncompressed / compressed, for entries over 1 MiB
    ratio_floor: int = 1024 * 1024
    max_media_bytes: int = 256 * 1024 * 1024  # one media file
    max_notes: int = 500_000
    max_field_chars: int = 200_000


DEFAULT_LIMITS = Limits()


def mb(n: int) -> str:
    """A byte count for messages in the binary units the limits are set in: '12.3 MiB', '64 MiB'.

    Rounded up (to a tenth, or a whole KiB), so a size over a limit never shows as the
    limit or under it: 10 MiB and one byte is '10.1 MiB'.
    """
    if n <= 1023 * 1024:
        return f"{-(-n // 1024)} KiB"
    tenths = -(-n * 10 // 1024**2)
    name = "MiB"
    if tenths >= 10240:
        tenths, name = -(-n * 10 // 1024**3), "GiB"
    whole, tenth = divmod(tenths, 10)
    return f"{whole}.{tenth} {name}" if tenth else f"{whole} {name}"


class _Reader(Protocol):
    def read(self, n: int = -1, /) -> bytes: ...


class Writer(Protocol):
    def write(self, data: bytes, /) -> int: ...


def _chunks(src: _Reader, size: int = 1 << 20) -> Iterator[bytes]:
    while True:
        chunk = src.read(size)
        if not chunk:
            return
        yield chunk


def copy_bounded(src: _Reader, dst: Writer, limit: int, what: str, limit_name: str, message: str = "") -> int:
    """Copy until EOF; raise LimitError as soon as more than `limit` bytes arrive.

    Chunks are 1 MiB at most, so a decompressing `src` never hands over more than
    that past the limit: the check runs as the bytes come out, not at the end.
    """
    total = 0
    for chunk in _chunks(src):
        total += len(chunk)
        if total > limit:
            raise LimitError(message or f"{what} is larger than the {limit_name} limit ({mb(limit)})")
        dst.write(chunk)
    return total
