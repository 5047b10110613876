"""A tiny protobuf wire-format reader: enough for Anki's `meta`, media list and config blobs."""

from __future__ import annotations

from collections.abc import Iterator

from retain.interop.errors import InteropError

__all__ = ["first", "messages", "read_fields", "strings", "varint"]

Value = int | bytes


def varint(data: bytes, pos: int) -> tuple[int, int]:
    result = shift = 0
    for i in range(pos, min(pos + 10, len(data))):
        byte = data[i]
        result |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return result, i + 1
        shift += 7
    raise InteropError("damaged protobuf data (bad varint)")


def read_fields(data: bytes) -> Iterator[tuple[int, Value]]:
    """(field number, value): varints as int, length-delimited and fixed-size as bytes."""
    pos = 0
    while pos < len(data):
        key, pos = varint(data, pos)
        number, wire = key >> 3, key & 7
        if wire == 0:
            value, pos = varint(data, pos)
            yield number, value
        elif wire == 2:
            size, pos = varint(data, pos)
            if pos + size > len(data):
                raise InteropError("damaged protobuf data (field runs past the end)")
            yield number, data[pos : pos + size]
            pos += size
        elif wire in (1, 5):
            width = 8 if wire == 1 else 4
            if pos + width > len(data):
                raise InteropError("damaged protobuf data (truncated)")
            yield number, data[pos : pos + width]
            pos += width
        else:
            raise InteropError(f"damaged protobuf data (wire type {wire})")


def first(data: bytes, number: int, default: Value = 0) -> Value:
    for n, value in read_fields(data):
        if n == number:
            return value
    return default


def messages(data: bytes, number: int) -> list[bytes]:
    return [v for n, v in read_fields(data) if n == number and isinstance(v, bytes)]


def strings(data: bytes, number: int) -> list[str]:
    return [v.decode("utf-8", "replace") for v in messages(data, number)]
