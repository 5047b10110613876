"""Reading format-1 journals: one `[[review]]` block per event, CRC line last.

retain before 0.x wrote these (see docs/state-format.md, "Format 1"); they
are read forever and never appended to (a new format-2 file is started). A
block is complete when its last line is `crc = "<hex>"` matching the CRC-32
of the block's bytes before it. Files converted to CRLF line ends (git
`autocrlf`) read the same: a block's CRC is also tried with LF line ends.
"""

from __future__ import annotations

import itertools
import re
import zlib
from collections.abc import Iterator
from typing import Any

__all__ = ["BLOCK_HEADER", "block_crc", "block_crc_ok", "block_end", "blocks", "parse_blocks"]

BLOCK_HEADER = b"[[review]]\n"
_START_RE = re.compile(rb"^\[\[review\]\]\r?$", re.MULTILINE)
_CRC_RE = re.compile(rb'\ncrc = "([0-9a-f]{8})"\r?\n')


def block_crc(block: bytes) -> str:
    """The CRC (hex) of the complete event at the start of `block`, or "" (torn or damaged)."""
    m = _CRC_RE.search(block)
    if m is None:
        return ""
    body = block[: m.start() + 1]
    crc = int(m[1], 16)
    if zlib.crc32(body) != crc and (b"\r\n" not in body or zlib.crc32(body.replace(b"\r\n", b"\n")) != crc):
        return ""
    return m[1].decode("ascii")


def block_end(block: bytes) -> int:
    """Length of the complete event at the start of `block` (through its CRC line), or -1.

    Bytes after the CRC line (the start of a block torn before its header was
    complete) are not part of the event.
    """
    m = _CRC_RE.search(block)
    if m is None or not block_crc(block[: m.end()]):
        return -1
    return m.end()


def block_crc_ok(block: bytes) -> bool:
    """True when `block` is exactly one complete event whose CRC line matches."""
    return block_end(block) == len(block)


def blocks(data: bytes, base: int) -> Iterator[tuple[int, bytes]]:
    """(offset, bytes) of the header (when `data` does not start at a block) and of each block."""
    starts = [m.start() for m in _START_RE.finditer(data)]
    if not starts or starts[0] != 0:
        starts.insert(0, 0)
    starts.append(len(data))
    for a, b in itertools.pairwise(starts):
        if b > a:
            yield base + a, data[a:b]


def parse_blocks(chunks: list[bytes]) -> list[Any] | None:
    """The `[[review]]` tables of complete blocks, parsed together (fast), or None."""
    from retain.store.state.journal import parse_toml

    try:
        records = parse_toml(b"".join(chunks).decode("utf-8"))["review"]
    except (ValueError, UnicodeDecodeError, KeyError):
        return None
    return records if isinstance(records, list) and len(records) == len(chunks) else None


def parse_one(chunk: bytes) -> Any:
    """One block's table; raises ValueError/KeyError/IndexError when it is not one."""
    from retain.store.state.journal import stdlib_toml

    try:
        return stdlib_toml(chunk.decode("utf-8"))["review"][0]
    except UnicodeDecodeError as exc:
        raise ValueError(str(exc)) from None
