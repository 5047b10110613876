"""Open an Anki package safely: check the zip, pick the right collection, list its media.

Anki packages come in three layouts: `collection.anki2` (oldest),
`collection.anki21`, and the current one with a `meta` file, a zstd-compressed
`collection.anki21b`, a zstd-compressed protobuf media list and zstd-compressed
media files. `meta` is read first: current packages also hold a dummy
`collection.anki2` whose only note asks the user to update Anki.

Before `zipfile` sees the file, the end record (ZIP64's too) gives the entry
count and the directory's size, and the directory's entries are counted from its
bytes: `zipfile` builds an object per entry before anything can check them, so a
51 MB package listing a million entries took 490 MB. Then every entry name is
checked before anything is read (no separators, no `..`, no control characters),
total size and compression ratio are checked from the directory, and every read
is bounded again while it happens, zstd output included. Whatever a damaged entry
makes a decoder raise (deflate, bzip2, LZMA, a stored entry's CRC, a zstd frame inside;
`_DECODE_ERRORS`) is one "is damaged" line, for every entry read, and so is a zstd frame the
entry ends inside (`_Frames`: zstd's own stream reader hands over what it has of it) and a media
file whose size or SHA-1 is not what the current layout's media list records (`Archive.sums`).
Media names are matched as Anki matches them, after NFC normalisation (`Archive.media_entry`).
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib
import io
import lzma
import os
import struct
import unicodedata
import zipfile
import zlib
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, BinaryIO, NamedTuple

import zstandard

from retain.interop.anki import jsontext
from retain.interop.anki.protowire import first, messages, read_fields
from retain.interop.anki.zstd_layout import Layout
from retain.interop.errors import InteropError, LimitError
from retain.interop.limits import Limits, Writer, copy_bounded, mb
from retain.interop.media import is_unsafe_name
from retain.store.files import open_regular
from retain.store.oserror import os_error_text

__all__ = ["Archive", "open_archive"]

LEGACY_1, LEGACY_2, LATEST = 1, 2, 3
_COLLECTIONS = {LEGACY_1: "collection.anki2", LEGACY_2: "collection.anki21", LATEST: "collection.anki21b"}
_ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"

# The zip's end records and its directory entries, as `zipfile` reads them.
_END = struct.Struct("<4s4H2LH")  # end of central directory, then a comment of up to 64 KiB
_LOCATOR64 = struct.Struct("<4sLQL")  # ZIP64 end-record locator, right before `_END`
_END64 = struct.Struct("<4sQ2H2L4Q")  # ZIP64 end record
_ENTRY = struct.Struct("<4s24xHHH12x")  # a directory entry: name, extra and comment lengths
# Anki's directory entries take ~50 bytes (a short name, no extra field): 100,000 fit in 5 MiB.
_MAX_DIRECTORY_BYTES = 16 * 1024 * 1024
# Compressed bytes given to the zstd decoder at a time: up to `_READ`, but starting at most
# `_BLOCKS` blocks (`zstd_layout`: a block makes 128 KiB at the most, so one feed makes ~2 MiB at
# the most, however crafted); `_FEED` where the stream is not as zstd's format has it (a block is
# 4 bytes at the least: 8 MiB at the most).
_FEED = 256
_BLOCKS = 16
_READ = 64 * 1024  # and read from the entry at a time


def _decode_errors() -> tuple[type[Exception], ...]:
    """What reading a damaged entry raises: `zipfile` (a bad CRC, a short entry: BadZipFile,
    EOFError), its decoders (deflate: zlib.error; bzip2: OSError, EOFError; LZMA: LZMAError;
    Python 3.14's zstd method: `compression.zstd.ZstdError`), the package file itself (OSError),
    and the zstd frame inside an entry (`zstandard.ZstdError`)."""
    errors: list[type[Exception]] = [
        zipfile.BadZipFile,
        zlib.error,
        lzma.LZMAError,
        EOFError,
        OSError,
        zstandard.ZstdError,
    ]
    with contextlib.suppress(ImportError):  # (before Python 3.14)
        errors.append(importlib.import_module("compression.zstd").ZstdError)
    return tuple(errors)


_DECODE_ERRORS = _decode_errors()
_METHODS = {
    zipfile.ZIP_STORED: "stored",
    zipfile.ZIP_DEFLATED: "deflate",
    zipfile.ZIP_BZIP2: "bzip2",
    zipfile.ZIP_LZMA: "lzma",
    93: "zstd",
}


class _Damaged(Exception):
    """An entry's bytes could not be decoded; `args[0]` says by what and why."""


@dataclass(slots=True)
class Archive:
    """A checked package. `media` maps each media file's original name to its zip entry."""

    zf: zipfile.ZipFile
    limits: Limits
    version: int
    collection: str
    media: dict[str, str] = field(default_factory=dict)
    total: int = 0
    media_nfc: dict[str, str] = field(default_factory=dict)  # the NFC form of each name -> its entry
    # an entry -> the size and SHA-1 the media list records for it (current layout); None: not recorded
    sums: dict[str, tuple[int | None, bytes | None]] = field(default_factory=dict)

    def media_entry(self, name: str) -> str | None:
        """The zip entry of the package's media file `name`, None when it holds none. Anki
        compares names after NFC normalisation (a deck made on macOS may list `café.png`
        decomposed while its notes say it composed, or the reverse): a name the list does not
        hold as written is looked up so."""
        entry = self.media.get(name)
        if entry is None:
            entry = self.media_nfc.get(unicodedata.normalize("NFC", name))
        return entry

    def _open(self, entry: str, what: str) -> IO[bytes]:
        try:
            return self.zf.open(entry)
        except (KeyError, NotImplementedError, RuntimeError) as exc:  # (a method, encryption)
            raise InteropError(f"cannot read package entry {entry!r}: {exc}") from None
        except _DECODE_ERRORS as exc:  # (its header: not where the directory says, cut short)
            raise InteropError(f"{what} is damaged (its zip header: {str(exc)[:120]})") from None

    def extract(self, entry: str, dst: Writer, limit: int, what: str, limit_name: str) -> int:
        """Copy one entry (zstd-decoded when it is zstd) into dst, bounded while it streams.

        Three ceilings, checked on every chunk that comes out of the decoders
        (deflate, then zstd): `limit`, what is left of the total, and the
        compression ratio against the bytes the entry takes in the archive. A
        zstd frame inside an entry carries its own ratio, which the zip
        directory cannot show, so the ratio is checked here, in every layout,
        for the collection and for each media file alike. Every zstd frame
        must end (`_Frames`), and an entry the media list records a size or
        SHA-1 for must have them (`_Sums`), else the entry is damaged.
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
            method = _METHODS.get(self.zf.getinfo(entry).compress_type, "zip")
        except KeyError:
            method = "zip"
        size, sha1 = self.sums.get(entry, (None, None))
        out = _Sums(dst, size, sha1) if size is not None or sha1 is not None else dst
        try:
            with self._open(entry, what) as opened:
                raw = _Checked(opened, method)
                head = raw.read(4)
                src = _Prefixed(head, raw)
                if head == _ZSTD_MAGIC:
                    n = copy_bounded(_Checked(_Frames(src), "zstd"), out, budget, what, name, message)
                else:
                    n = copy_bounded(src, out, budget, what, name, message)
            if isinstance(out, _Sums):
                out.check()
        except _Damaged as exc:
            raise InteropError(f"{what} is damaged ({exc.args[0]})") from None
        self.total += n
        return n

    def read_small(self, entry: str, limit: int, what: str) -> bytes:
        buf = io.BytesIO()
        self.extract(entry, buf, limit, what, f"{what} size")
        return buf.getvalue()


class _Checked(io.RawIOBase):
    """The reads of `src` (an entry as `zipfile` decodes it, or the zstd frames inside), whatever
    its decoder raises on damaged bytes (`_DECODE_ERRORS`) raised as `_Damaged`: a write to the
    destination that fails (a full disk) is not a damaged package."""

    def __init__(self, src: IO[bytes] | _Frames, how: str) -> None:
        self.src, self.how = src, how

    def readable(self) -> bool:
        return True

    def read(self, n: int = -1) -> bytes:
        try:
            return self.src.read(n)
        except _DECODE_ERRORS as exc:
            raise _Damaged(f"{self.how}: {str(exc)[:120] or type(exc).__name__}") from None


class _Frames(io.RawIOBase):
    """The zstd frames of `src` decoded, one after another; `src` ending inside a frame (its
    header, a block or its checksum) is damage. zstd's `stream_reader` hands over what it has of
    such a frame without a word, and its `decompressobj`, which tells (`eof`), has no bound on
    what one call makes: it is given as many bytes at a time as start `_BLOCKS` blocks
    (`zstd_layout.Layout`), so a file that does not compress goes `_READ` bytes at a time."""

    def __init__(self, src: _Prefixed) -> None:
        self.src, self.pending, self.at = src, memoryview(b""), 0
        self.layout = Layout(_FEED)
        self.parts: deque[memoryview] = deque()  # decoded, not handed over yet (never copied to wait)
        self.size = 0  # their length
        self.dctx = zstandard.ZstdDecompressor()
        self.frame = self.dctx.decompressobj()
        self.begun = False  # whether the frame being decoded has had any of its bytes

    def readable(self) -> bool:
        return True

    def read(self, n: int = -1) -> bytes:
        """At most `n` bytes (-1: what `_READ` bytes of the entry make), b"" at the end."""
        want = _READ if n < 0 else n
        while self.size < min(want, _READ) and self._feed():
            pass
        out: list[memoryview] = []
        got, parts = 0, self.parts
        while parts and got < want:
            part = parts[0]
            if len(part) <= want - got:
                out.append(parts.popleft())
                got += len(part)
            else:
                out.append(part[: want - got])
                parts[0] = part[want - got :]
                got = want
        self.size -= got
        return b"".join(out)

    def _feed(self) -> bool:
        """Decode the next bytes (`Layout.cut`); False at the end of `src`."""
        if self.at >= len(self.pending):
            self.pending, self.at = memoryview(self.src.read(_READ)), 0
            if not self.pending:
                if self.begun:
                    raise _Damaged("zstd: the frame is cut short")
                return False
        end = self.layout.cut(self.pending, self.at, _READ, _BLOCKS)
        data: bytes | memoryview = self.pending[self.at : end]
        self.at = end
        while data:
            self.begun = True
            if chunk := self.frame.decompress(data):
                self.parts.append(memoryview(chunk))
                self.size += len(chunk)
            if not self.frame.eof:
                break
            data = self.frame.unused_data  # (the next frame's first bytes)
            self.frame, self.begun = self.dctx.decompressobj(), False
        return True


class _Sums:
    """A writer that counts and hashes what passes through it to `dst` and holds it to the `size`
    and `sha1` the package's media list records (None: not recorded): more bytes are damage as soon
    as they come, fewer or another SHA-1 at the end (`check`)."""

    def __init__(self, dst: Writer, size: int | None, sha1: bytes | None) -> None:
        self.dst, self.size, self.sha1 = dst, size, sha1
        self.n, self.h = 0, hashlib.sha1(usedforsecurity=False)

    def write(self, data: bytes, /) -> int:
        self.n += len(data)
        if self.size is not None and self.n > self.size:
            raise _Damaged(f"more than the {self.size} bytes the package's media list records")
        self.h.update(data)
        return self.dst.write(data)

    def check(self) -> None:
        if self.size is not None and self.n != self.size:
            raise _Damaged(f"{self.n} bytes, not the {self.size} the package's media list records")
        if self.sha1 is not None and self.h.digest() != self.sha1:
            raise _Damaged("its SHA-1 is not the one the package's media list records")


class _Prefixed(io.RawIOBase):
    """A stream that yields `head` and then the rest of `rest` (to sniff the zstd magic)."""

    def __init__(self, head: bytes, rest: _Checked) -> None:
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


class _Directory(NamedTuple):
    claimed: int  # entries, as the end record says
    start: int  # where `zipfile` reads the directory from
    size: int  # and how many bytes


def _directories(fh: BinaryIO) -> list[_Directory]:
    """Where `zipfile` will read the central directory (`_EndRecData`, `_RealGetContents`),
    found without building an entry; empty when `zipfile` will refuse the file itself.

    The end record is the file's last 22 bytes, else the last `PK\\5\\6` in its last 64 KiB
    (a comment follows it). A ZIP64 locator right before it points at the ZIP64 record:
    Python 3.11 reads the record right before the locator, later versions first where the
    locator says, so both are returned. The directory ends where the record it comes from
    begins (data before the zip moves both).
    """
    size = fh.seek(0, os.SEEK_END)
    if size < _END.size:
        return []
    fh.seek(size - _END.size)
    at, data = size - _END.size, fh.read(_END.size)
    if data[:4] != b"PK\x05\x06" or data[-2:] != b"\0\0":
        base = max(size - (1 << 16) - _END.size, 0)
        fh.seek(base)
        tail = fh.read()
        found = tail.rfind(b"PK\x05\x06")
        if found < 0 or len(tail) - found < _END.size:
            return []
        at, data = base + found, tail[found : found + _END.size]
    claimed, dir_size = _END.unpack(data)[4:6]
    plain = [_Directory(claimed, at - dir_size, dir_size)] if at >= dir_size else []
    if at < _LOCATOR64.size:
        return plain
    fh.seek(at - _LOCATOR64.size)
    sig, disk, reloff, disks = _LOCATOR64.unpack(fh.read(_LOCATOR64.size))
    if sig != b"PK\x06\x07":
        return plain
    before = at - _LOCATOR64.size - _END64.size
    if disk != 0 or disks > 1 or before < 0:
        return []  # zipfile: "span multiple disks", or no room for the ZIP64 record
    out: list[_Directory] = []
    for record in dict.fromkeys((before, reloff)):
        if record > before:
            continue  # (3.12+: "Corrupt zip64 end of central directory locator")
        fh.seek(record)
        raw = fh.read(_END64.size)
        if raw[:4] == b"PK\x06\x06":
            claimed, dir_size = _END64.unpack(raw)[7:9]
            out.append(_Directory(claimed, record - dir_size, dir_size))
        elif record == before:
            out += plain  # Python 3.11 reads the plain end record then
    return [d for d in out if d.start >= 0]


def _count_entries(fh: BinaryIO, directory: _Directory) -> int:
    """The entries `zipfile` will find in `directory`: it walks the bytes, not the claimed count."""
    fh.seek(directory.start)
    data = fh.read(directory.size)
    n = pos = 0
    while pos < directory.size and pos + _ENTRY.size <= len(data):
        sig, name, extra, comment = _ENTRY.unpack_from(data, pos)
        if sig != b"PK\x01\x02":
            break  # zipfile: "Bad magic number for central directory"
        pos += _ENTRY.size + name + extra + comment
        n += 1
    return n


def _check_end_record(fh: BinaryIO, limits: Limits) -> None:
    """The entry count and the directory's size, from the end record and the directory's bytes,
    before `zipfile` reads the directory (it builds an object per entry before any check)."""
    for directory in _directories(fh):
        if directory.claimed > limits.max_entries:
            raise _too_many(directory.claimed, limits)
        if directory.size > _MAX_DIRECTORY_BYTES:
            raise LimitError(
                f"package's zip directory is {mb(directory.size)}; "
                f"the directory-size limit is {mb(_MAX_DIRECTORY_BYTES)}"
            )
        count = _count_entries(fh, directory)
        if count > limits.max_entries:
            raise _too_many(count, limits)


def _too_many(count: int, limits: Limits) -> LimitError:
    return LimitError(f"package has {count} entries; the entry-count limit is {limits.max_entries}")


def _unsafe_name(name: str, what: str, where: str, threat: str) -> LimitError | None:
    """The refusal of a name `is_unsafe_name` refuses, saying why: a path (a separator, `..`, a
    drive, `~`: the `threat`), else a control character, else that it is empty; None when safe."""
    if not is_unsafe_name(name):
        return None
    if not name:
        return LimitError(f"{what} '' is empty; refused")
    plain = "".join(c for c in name if ord(c) >= 0x20)
    if plain and not is_unsafe_name(plain):
        return LimitError(f"{what} {name[:80]!r} has a control character {where}; refused")
    return LimitError(f"{what} {name[:80]!r} has a path {where} ({threat}); refused")


def _check_directory(zf: zipfile.ZipFile, limits: Limits) -> None:
    infos = zf.infolist()
    if len(infos) > limits.max_entries:
        raise _too_many(len(infos), limits)
    total = 0
    for info in infos:
        refusal = _unsafe_name(info.filename, "package entry", "in its name", "zip slip")
        if refusal is not None:
            raise refusal
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
    """The media list: each file's name -> its zip entry (a name whose entry is missing left out).
    Every name is refused when it is unsafe as written or in NFC (`Archive.media_entry`)."""
    if "media" not in names:
        return {}
    raw = arc.read_small("media", 64 * 1024 * 1024, "media list")
    mapping: dict[str, str] = {}
    if arc.version == LATEST:
        for i, blob in enumerate(messages(raw, 1)):
            name, legacy, size, sha1 = "", None, None, None
            for number, value in read_fields(blob):
                if number == 1 and isinstance(value, bytes):
                    name = value.decode("utf-8", "replace")
                elif number == 2 and isinstance(value, int):
                    size = value
                elif number == 3 and isinstance(value, bytes) and len(value) == 20:
                    sha1 = value
                elif number == 255 and isinstance(value, int):
                    legacy = value
            entry = mapping[name] = str(legacy if legacy is not None else i)
            if sha1 is not None and size is None:
                size = 0  # (protobuf leaves a 0 out: Anki's list of an empty file)
            arc.sums.setdefault(entry, (size, sha1))
    else:
        try:
            data = jsontext.loads(raw.decode("utf-8")) if raw.strip() else {}
        except (ValueError, UnicodeDecodeError, RecursionError):
            raise InteropError("package media list is not valid JSON") from None
        if not isinstance(data, dict):
            raise InteropError("package media list is not a JSON object")
        mapping = {str(v): str(k) for k, v in data.items()}
    for name, entry in mapping.items():
        for form in dict.fromkeys((name, unicodedata.normalize("NFC", name))):
            refusal = _unsafe_name(form, "media name", "in it", "path traversal")
            if refusal is not None:
                raise refusal
        if entry not in names:
            mapping[name] = ""
    return {k: v for k, v in mapping.items() if v}


def _by_nfc(media: dict[str, str]) -> dict[str, str]:
    """Each media name's NFC form -> its entry. Of two names with one NFC form, the one written
    in NFC wins, else the first listed."""
    out: dict[str, str] = {}
    for name, entry in media.items():
        key = unicodedata.normalize("NFC", name)
        if name == key:
            out[key] = entry
        else:
            out.setdefault(key, entry)
    return out


class _Zip(zipfile.ZipFile):
    """A ZipFile on a handle opened and checked before (`open_regular`, `_check_end_record`),
    which it closes with itself: the bytes checked are the bytes read."""

    def __init__(self, fh: BinaryIO) -> None:
        self.handle = fh
        super().__init__(fh)

    def close(self) -> None:
        try:
            super().close()
        finally:
            self.handle.close()


def open_archive(path: Path, limits: Limits) -> Archive:
    """`path` as a checked package. Every zip a stranger hands over is opened here: the end
    record's entry count and directory size are checked before `zipfile` reads the directory."""
    try:
        fh = open_regular(path)
    except OSError as exc:
        raise InteropError(f"cannot read {path}: {os_error_text(exc, name=False)}") from None
    try:
        size = os.fstat(fh.fileno()).st_size
        if size > limits.max_file_bytes:
            raise LimitError(f"package is {mb(size)}; the file-size limit is {mb(limits.max_file_bytes)}")
        _check_end_record(fh, limits)
        zf = _Zip(fh)
    except (zipfile.BadZipFile, ValueError) as exc:
        fh.close()
        raise InteropError(f"not an Anki package (not a zip archive: {exc})") from None
    except NotImplementedError as exc:  # (a directory entry asks for a newer zip version)
        fh.close()
        raise InteropError(f"package's zip directory is damaged or too new ({exc})") from None
    except OSError as exc:
        fh.close()
        raise InteropError(f"cannot read {path}: {os_error_text(exc, name=False)}") from None
    except BaseException:
        fh.close()
        raise
    try:
        _check_directory(zf, limits)
        names = set(zf.namelist())
        arc = Archive(zf, limits, LEGACY_1, "")
        arc.version = _version(zf, names, arc)
        arc.collection = _COLLECTIONS[arc.version]
        if arc.collection not in names:
            raise InteropError(f"package says it holds {arc.collection} but it is missing")
        arc.media = _media_map(arc, names)
        arc.media_nfc = _by_nfc(arc.media)
    except BaseException:
        zf.close()
        raise
    return arc
