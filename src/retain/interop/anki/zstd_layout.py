"""Where a zstd stream's frames and blocks begin, so that its decoder can be given as many bytes
at once as keep what one call makes bounded.

zstd's `decompressobj` has no bound on what one `decompress` call makes: a block of 4 bytes (an
RLE block) makes 128 KiB, so 64 KiB of crafted input could make 2 GiB at once. Fed 256 bytes at
a time it is bounded (8 MiB), but a file that does not compress (the audio and images of a
package, stored in raw blocks) then takes one call per 256 bytes: 0.68 s per 150 MB, against
0.08 s for zstd's stream reader. `Layout` follows the format (RFC 8878) as the bytes go by,
without decoding them: frame headers, skippable frames, block headers (each block makes at most
128 KiB, `Block_Maximum_Size`), block bodies, checksums, and `cut` says how far the next feed
can go so that it starts at most `blocks` blocks. What is not as the format has it (a reserved
block type, a block larger than 128 KiB, bytes where a frame should start that start none) is
left to the decoder to refuse: from there on, feeds go back to `fallback` bytes; so do they
once blocks are a few bytes each (a run of empty blocks walked one by one took 17 s for 10
million, which `fallback` feeds decode in 0.2 s).
"""

from __future__ import annotations

__all__ = ["BLOCK_MAX", "Layout"]

BLOCK_MAX = 128 * 1024  # what one block makes at the most (and a raw block's size)
_ZSTD = 0xFD2FB528  # a frame's magic number (little-endian)
_SKIPPABLE = range(0x184D2A50, 0x184D2A60)  # a skippable frame's magic numbers
_DICT_BYTES = (0, 1, 2, 4)  # Dictionary_ID_flag -> the field's size
_FCS_BYTES = (0, 2, 4, 8)  # Frame_Content_Size_flag -> the field's size (0: 1 byte in a single segment)

# Blocks this small on average (input bytes) in one feed make the walk go over to `fallback`.
_DENSE_BLOCKS, _DENSE_BYTES = 8, 64

# What the walk is reading: a part of fixed size that is collected (`_HEADS`) or skipped.
_MAGIC, _DESCRIPTOR, _HEADER, _BLOCK_HEAD, _BODY, _CHECKSUM, _SKIP_SIZE, _SKIP = range(8)
_HEADS = frozenset({_MAGIC, _DESCRIPTOR, _HEADER, _BLOCK_HEAD, _SKIP_SIZE})


class Layout:
    """The place in a zstd stream (one or more frames) that the bytes given so far reach."""

    def __init__(self, fallback: int) -> None:
        self.fallback = fallback  # bytes a feed takes once the stream is not as the format has it
        self.part, self.need = _MAGIC, 4  # what is being read, and how many bytes of it are left
        self.head = bytearray()  # the bytes of a header part read so far
        self.checksum = False  # the frame ends with a 4-byte checksum
        self.last = False  # the block being read is its frame's last
        self.lost = False  # not as the format has it: the decoder will say what

    def cut(self, data: bytes | memoryview, start: int, most: int, blocks: int) -> int:
        """The end of the next feed of `data` from `start`: at most `most` bytes, in which at most
        `blocks` blocks begin (at least one byte when there is one)."""
        end = min(len(data), start + most)
        if self.lost:
            return min(end, start + self.fallback)
        pos, begun = start, 0
        while pos < end:
            part = self.part
            if part not in _HEADS:  # a body, a checksum, a skippable frame's data: skipped
                take = min(self.need, end - pos)
                pos += take
                self.need -= take
                if not self.need:
                    self._done()
                continue
            if part == _BLOCK_HEAD and not self.head:
                if begun >= blocks:
                    break
                begun += 1
            take = min(self.need - len(self.head), end - pos)
            self.head += data[pos : pos + take]
            pos += take
            if len(self.head) == self.need and not self._read_head():
                return max(pos, min(end, start + self.fallback))
        if begun >= _DENSE_BLOCKS and pos - start < _DENSE_BYTES * begun:
            # blocks of a few bytes each (empty ones, crafted: 3 bytes making nothing): walking
            # them costs more than decoding them, and `fallback` feeds bound what they make
            self.lost = True
        return pos

    def _read_head(self) -> bool:
        """Take a header part (False: it is not as the format has it, `lost`)."""
        head, part = bytes(self.head), self.part
        self.head.clear()
        value = int.from_bytes(head, "little")
        if part == _MAGIC:
            if value == _ZSTD:
                self._to(_DESCRIPTOR, 1)
            elif value in _SKIPPABLE:
                self._to(_SKIP_SIZE, 4)
            else:
                self.lost = True
                return False
        elif part == _DESCRIPTOR:
            single, fcs = value >> 5 & 1, value >> 6
            if value & 0x08:  # the reserved bit
                self.lost = True
                return False
            self.checksum = bool(value & 0x04)
            size = (0 if single else 1) + _DICT_BYTES[value & 3] + (_FCS_BYTES[fcs] or single)
            self._to(_HEADER, size)
        elif part == _HEADER:
            self._to(_BLOCK_HEAD, 3)
        elif part == _BLOCK_HEAD:
            kind, size = value >> 1 & 3, value >> 3
            if kind == 3 or size > BLOCK_MAX:
                self.lost = True
                return False
            self.last = bool(value & 1)
            self._to(_BODY, 1 if kind == 1 else size)  # (an RLE block: one byte, repeated)
        else:  # _SKIP_SIZE
            self._to(_SKIP, value)
        return True

    def _to(self, part: int, need: int) -> None:
        self.part, self.need = part, need
        if not need:
            self._done()

    def _done(self) -> None:
        """A part of fixed size is complete: the next one."""
        part = self.part
        if part == _HEADER or (part == _BODY and not self.last):
            self._to(_BLOCK_HEAD, 3)
        elif part == _BODY and self.checksum:
            self._to(_CHECKSUM, 4)
        else:  # the frame's last block, its checksum, or a skippable frame: the next frame
            self._to(_MAGIC, 4)
