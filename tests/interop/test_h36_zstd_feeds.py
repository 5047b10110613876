"""h36: a package's zstd entries are decoded in feeds as large as keep one call's output bounded.

Found (session 35's own change): reading zstd frames with `decompressobj` 256 bytes at a time,
to bound what one call makes, made a media file that does not compress (audio, images) take one
call per 256 bytes: 0.68 s per 150 MB against 0.08 s before. `zstd_layout.Layout` follows the
frames' blocks as the bytes go by, so a feed is up to 64 KiB but starts at most 16 blocks (each
makes 128 KiB at the most); crafted bytes still make ~2 MiB a call at the most, and bytes that
are not zstd's format go back to 256-byte feeds, for the decoder to refuse.
"""

from __future__ import annotations

import io
import os
import random

import pytest
import zstandard
from hypothesis import given, settings
from hypothesis import strategies as st

from retain.interop.anki.apkg_archive import _BLOCKS, _FEED, _READ, _Damaged, _Frames, _Prefixed
from retain.interop.anki.zstd_layout import BLOCK_MAX, Layout

_MAGIC = b"\x28\xb5\x2f\xfd"
# What one decoder call can make: 16 blocks a feed while the blocks are walked, else a 256-byte
# feed of blocks of 4 bytes at the least (walked no more once blocks are a few bytes each).
BOUND = max(_BLOCKS + 1, _FEED // 4 + 1) * BLOCK_MAX


def _frames(data: bytes) -> _Frames:
    src = io.BytesIO(data)
    head = src.read(4)
    return _Frames(_Prefixed(head, src))  # type: ignore[arg-type]


def _decoded(data: bytes, reads: list[int] | None = None) -> tuple[bytes, list[int]]:
    """What `_Frames` makes of `data`, and what each feed's decoder call made."""
    frames = _frames(data)
    made: list[int] = []
    feed = frames._feed

    def counted() -> bool:
        before = frames.size
        more = feed()
        made.append(frames.size - before)
        return more

    frames._feed = counted  # type: ignore[method-assign]
    out = bytearray()
    sizes = iter(reads or [])
    while chunk := frames.read(next(sizes, -1)):
        out += chunk
    return bytes(out), made


def _raw_frame(sizes: list[int]) -> bytes:
    """A frame of raw blocks of these sizes (each its bytes as they are)."""
    body = b""
    for i, size in enumerate(sizes):
        last = 1 if i == len(sizes) - 1 else 0
        body += ((size << 3) | last).to_bytes(3, "little") + bytes([i % 256]) * size
    return _MAGIC + b"\x00" + bytes([(17 - 10) << 3]) + body


def _rle_frame(blocks: int, checksum: bool = False) -> bytes:
    """A frame of `blocks` RLE blocks of 128 KiB each (4 bytes each): 32768 times its size."""
    descriptor = 0x04 if checksum else 0x00  # no content size, a window descriptor
    window = bytes([(17 - 10) << 3])  # a 128 KiB window
    body = b""
    for i in range(blocks):
        last = 1 if i == blocks - 1 else 0
        body += ((BLOCK_MAX << 3) | (1 << 1) | last).to_bytes(3, "little") + bytes([65 + i % 26])
    tail = b"\x00\x00\x00\x00" if checksum else b""
    return _MAGIC + bytes([descriptor]) + window + body + tail


def test_a_file_that_does_not_compress_goes_in_large_feeds() -> None:
    data = random.Random(1).randbytes(4 * 1024 * 1024)
    packed = zstandard.ZstdCompressor(level=3).compress(data)
    out, made = _decoded(packed)
    assert out == data
    assert len(made) <= len(packed) // _READ + 4, len(made)  # (256-byte feeds: 16,400 of them)


def test_crafted_blocks_make_a_bounded_amount_a_call() -> None:
    packed = _rle_frame(300)  # 1.2 KB making 37.5 MiB
    out, made = _decoded(packed)
    assert zstandard.ZstdDecompressor().decompressobj().decompress(packed) == out
    assert len(out) == 300 * BLOCK_MAX
    assert max(made) <= BOUND, max(made)


def test_layout_starts_at_most_the_blocks_it_is_given() -> None:
    packed = _raw_frame([3000] * 100)
    layout = Layout(_FEED)
    at, cuts = 0, []
    while at < len(packed):
        end = layout.cut(packed, at, _READ, 16)
        assert end > at
        cuts.append(end - at)
        at = end
    assert not layout.lost
    assert max(cuts) <= 6 + 16 * 3003  # (the frame header, then 16 blocks)
    assert _decoded(packed)[0] == b"".join(bytes([i]) * 3000 for i in range(100))


def test_blocks_of_a_few_bytes_are_fed_as_they_come_not_walked() -> None:
    """10,000 empty raw blocks (3 bytes making nothing) walked one by one cost more than they
    decode: a million took seconds. Once the blocks are that small, feeds are 256 bytes."""
    packed = _raw_frame([0] * 10_000 + [5])
    layout = Layout(_FEED)
    first = layout.cut(packed, 0, _READ, 16)
    assert layout.lost and first <= 6 + 16 * 3
    assert layout.cut(packed, first, _READ, 16) == first + _FEED
    assert _decoded(packed)[0] == bytes([10_000 % 256]) * 5


def test_bytes_not_in_zstds_format_go_back_to_small_feeds() -> None:
    layout = Layout(_FEED)
    junk = b"\x00" * 10_000
    assert layout.cut(junk, 0, _READ, 16) == _FEED
    assert layout.lost
    assert layout.cut(junk, _FEED, _READ, 16) == 2 * _FEED


def test_a_reserved_block_type_is_left_to_the_decoder() -> None:
    bad = _MAGIC + b"\x00\x38" + ((10 << 3) | (3 << 1) | 1).to_bytes(3, "little") + b"x" * 10
    layout = Layout(_FEED)
    assert layout.cut(bad, 0, _READ, 16) == len(bad)  # (all of it: less than a fallback feed)
    assert layout.lost
    with pytest.raises(zstandard.ZstdError):  # (`_Checked` makes it the one "is damaged" line)
        _decoded(bad)


@settings(max_examples=60, deadline=None)
@given(
    parts=st.lists(
        st.tuples(
            st.binary(max_size=3000) | st.integers(0, 300_000).map(lambda n: os.urandom(n)),
            st.integers(1, 19),
            st.booleans(),
            st.booleans(),
            st.booleans(),
        ),
        min_size=1,
        max_size=3,
    ),
    skippable=st.binary(max_size=40),
    reads=st.lists(st.integers(1, 200_000), max_size=20),
)
def test_any_frames_decode_to_what_was_packed(
    parts: list[tuple[bytes, int, bool, bool, bool]], skippable: bytes, reads: list[int]
) -> None:
    """One or more frames (each with or without its size and a checksum, of text or of bytes that
    do not compress), a skippable frame between them, read in any sizes: the bytes packed."""
    packed, want = b"", b""
    for i, (data, level, size, checksum, repeat) in enumerate(parts):
        data = data * 40 if repeat else data  # (long matches: compressed blocks of a few bytes)
        c = zstandard.ZstdCompressor(level=level, write_content_size=size, write_checksum=checksum)
        packed += c.compress(data)
        want += data
        if i == 0 and skippable:
            packed += (0x184D2A53).to_bytes(4, "little") + len(skippable).to_bytes(4, "little") + skippable
    out, made = _decoded(packed, reads)
    assert out == want
    assert max(made, default=0) <= BOUND


@pytest.mark.parametrize("cut", [1, 2, 3, 5, 9])
def test_a_cut_frame_is_still_damage(cut: int) -> None:
    packed = zstandard.ZstdCompressor(write_checksum=True).compress(os.urandom(300_000))
    with pytest.raises(_Damaged, match="cut short"):
        _decoded(packed[:-cut])
