"""Open an Anki package safely: check the zip, pick the right collection, list its media.

Anki packages come in three layouts: `collection.anki2` (oldest),
`collection.anki21`, and the current one with a `meta` file, a zstd-compressed
`collection.anki21b`, a zstd-compressed protobuf media list and zstd-compressed
media files. `meta` is read first: current packages also hold a dummy
`collection.anki2` whose only note asks the user to update Anki.

Every entry name is checked before anything is read (no separators, no `..`),
entry count, total size and compression ratio are checked from the directory,
and every read is bounded again while it happens, zstd output included.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, cast

import zstandard

from retain.interop.anki import jsontext
from retain.interop.anki.protowire import first, messages, read_fields
from retain.interop.errors import InteropError, LimitError
from retain.interop.limits import Limits, Writer, copy_bounded, mb
from retain.interop.media import is_unsafe_name
from retain.store.oserror import os_error_text

__all__ = ["Archive", "open_archive"]

LEGACY_1, LEGACY_2, LATEST = 1, 2, 3
_COLLECTIONS = {LEGACY_1: "collection.anki2", LEGACY_2: "collection.anki21", LATEST: "collection.anki21b"}
_ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"


@dataclass(slots=True)
class Archive:
    """A checked package. `media` maps each media file's original name to its zip entry."""

    zf: zipfile.ZipFile
    limits: Limits
    version: int
    collection: str
    media: dict[str, str] = field(default_factory=dict)
    total: int = 0

    def _open(self, entry: str) -> IO[bytes]:
        try:
            return self.zf.open(entry)
        except (KeyError, zipfile.BadZipFile, NotImplementedError, RuntimeError) as exc:
            raise InteropError(f"cannot read package entry {entry!r}: {exc}") from None

    def extract(self, entry: str, dst: Writer, limit: int, what: str, limit_name: str) -> int:
        """Copy one entry (zstd-decoded when it is zstd) into dst, bounded while it streams.

        Three ceilings, checked on every chunk that comes out of the decoders
        (deflate, then zstd): `limit`, what is left of the total, and the
        compression ratio against the bytes the entry takes in the archive. A
        zstd frame inside an entry carries its own ratio, which the zip
        directory cannot show, so the ratio is checked here, in every layout,
        for the collection and for each media file alike.
        """
        budget = min(limit, self.limits.max_total_bytes - self.total)
        name = limit_name if budget == limit else "total uncompressed size"
        message = ""
        try:
            packed = self.zf.getinfo(entry).compress_size
        except KeyError:
            packed = 0
        by_ratio = max(self.limits.ratio_floor, self.limits.max_ratio * packed)
        if by_ratio < budget:
            budget = by_ratio
            message = (
                f"{what} expands more than {self.limits.max_ratio}x its size in the package; "
                f"the compression-ratio limit is {self.limits.max_ratio}x (zip bomb?)"
            )
        try:
            with self._open(entry) as raw:
                head = raw.read(4)
                src = _Prefixed(head, raw)
                if head == _ZSTD_MAGIC:
                    reader = zstandard.ZstdDecompressor().stream_reader(
                        cast(IO[bytes], src), read_across_frames=True
                    )
                    n = copy_bounded(reader, dst, budget, what, name, message)
                else:
                    n = copy_bounded(src, dst, budget, what, name, message)
        except zstandard.ZstdError as exc:
            raise InteropError(f"{what} is damaged (zstd: {exc})") from None
        except (zipfile.BadZipFile, OSError, EOFError) as exc:
            raise InteropError(f"{what} is damaged: {exc}") from None
        self.total += n
        return n

    def read_small(self, entry: str, limit: int, what: str) -> bytes:
        buf = io.BytesIO()
        self.extract(entry, buf, limit, what, f"{what} size")
        return buf.getvalue()


class _Prefixed(io.RawIOBase):
    """A stream that yields `head` and then the rest of `rest` (to sniff the zstd magic)."""

    def __init__(self, head: bytes, rest: IO[bytes]) -> None:
        self.head, self.rest = head, rest

    def readable(self) -> bool:
        return True

    def read(self, n: int = -1) -> bytes:
        if self.head:
            out, self.head = (
                (self.head, b"") if n < 0 or n >= len(self.head) else (self.head[:n], self.head[n:])
            )
            return out
        return self.rest.read(n)


def _check_directory(zf: zipfile.ZipFile, limits: Limits) -> None:
    infos = zf.infolist()
    if len(infos) > limits.max_entries:
        raise LimitError(f"package has {len(infos)} entries; the entry-count limit is {limits.max_entries}")
    total = 0
    for info in infos:
        if is_unsafe_name(info.filename):
            raise LimitError(
                f"package entry {info.filename[:80]!r} has a path in its name (zip slip); refused"
            )
        total += info.file_size
        if info.file_size > limits.ratio_floor and info.file_size > limits.max_ratio * max(
            info.compress_size, 1
        ):
            ratio = info.file_size // max(info.compress_size, 1)
            raise LimitError(
                f"package entry {info.filename!r} expands {ratio}x; the compression-ratio limit is "
                f"{limits.max_ratio}x (zip bomb?)"
            )
    if total > limits.max_total_bytes:
        raise LimitError(
            f"package expands to {mb(total)}; the total-size limit is {mb(limits.max_total_bytes)}"
        )


def _version(zf: zipfile.ZipFile, names: set[str], arc: Archive) -> int:
    if "meta" in names:
        raw = arc.read_small("meta", 4096, "package meta")
        version = first(raw, 1)
        if version in _COLLECTIONS:
            return int(version)
        raise InteropError(f"package meta names an unknown layout version {version!r}; update retain")
    for version in (LATEST, LEGACY_2, LEGACY_1):
        if _COLLECTIONS[version] in names:
            return version
    raise InteropError(
        "not an Anki package: no collection.anki2, collection.anki21 or collection.anki21b inside"
    )


def _media_map(arc: Archive, names: set[str]) -> dict[str, str]:
    if "media" not in names:
        return {}
    raw = arc.read_small("media", 64 * 1024 * 1024, "media list")
    mapping: dict[str, str] = {}
    if arc.version == LATEST:
        for i, blob in enumerate(messages(raw, 1)):
            name, legacy = "", None
            for number, value in read_fields(blob):
                if number == 1 and isinstance(value, bytes):
                    name = value.decode("utf-8", "replace")
                elif number == 255 and isinstance(value, int):
                    legacy = value
            mapping[name] = str(legacy if legacy is not None else i)
    else:
        try:
            data = jsontext.loads(raw.decode("utf-8")) if raw.strip() else {}
        except (ValueError, UnicodeDecodeError, RecursionError):
            raise InteropError("package media list is not valid JSON") from None
        if not isinstance(data, dict):
            raise InteropError("package media list is not a JSON object")
        mapping = {str(v): str(k) for k, v in data.items()}
    for name, entry in mapping.items():
        if is_unsafe_name(name):
            raise LimitError(f"media name {name[:80]!r} has a path in it (path traversal); refused")
        if entry not in names:
            mapping[name] = ""
    return {k: v for k, v in mapping.items() if v}


def open_archive(path: Path, limits: Limits) -> Archive:
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise InteropError(f"cannot read {path}: {os_error_text(exc, name=False)}") from None
    if size > limits.max_file_bytes:
        raise LimitError(f"package is {mb(size)}; the file-size limit is {mb(limits.max_file_bytes)}")
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise InteropError(f"not an Anki package (not a zip archive: {exc})") from None
    try:
        _check_directory(zf, limits)
        names = set(zf.namelist())
        arc = Archive(zf, limits, LEGACY_1, "")
        arc.version = _version(zf, names, arc)
        arc.collection = _COLLECTIONS[arc.version]
        if arc.collection not in names:
            raise InteropError(f"package says it holds {arc.collection} but it is missing")
        arc.media = _media_map(arc, names)
    except BaseException:
        zf.close()
        raise
    return arc
