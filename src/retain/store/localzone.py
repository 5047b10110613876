"""The machine's time zone, with its DST rules, for finding where study days begin.

Read as the C library (and `date`) reads it: TZ first, with or without a leading ':', as a
zone name ("Europe/Berlin"), a path to a zone file (":/etc/localtime") or a POSIX rule
("CET-1CEST,M3.5.0,M10.5.0/3"); an empty TZ is UTC; without TZ, /etc/localtime. Only when
none of these can be read does it fall back to the current fixed offset, and then that zone
carries one line (`zone_messages`) saying DST changes are not followed.

A zone with a UTC offset of 24 hours or more (`TZ=XYZ-24`, which glibc and `date` take) cannot
be read: Python's datetime refuses such an offset wherever the zone is used. When the C
library's current offset is one of those, the fallback is UTC. A zone file is read only when it
is a regular file of at most `_MAX_ZONE_FILE` bytes laid out as RFC 8536 says (zoneinfo's reader
asserted on some malformed files, and read one without its footer's newline for ever).
"""

from __future__ import annotations

import io
import os
import re
import struct
import time
import zoneinfo
from datetime import UTC, datetime, timedelta, tzinfo
from pathlib import Path
from typing import Any

from retain.store.files import open_regular
from retain.store.oserror import os_error_text, shown_name

__all__ = ["local_timezone", "zone_messages"]

_LOCALTIME = "/etc/localtime"
_FAR = "a UTC offset of 24 hours or more"
_DAY = 86400  # Python's datetime takes UTC offsets strictly within a day
_MAX_ZONE_FILE = 1 << 20  # the largest zone files are a few KiB
_SHOWN = 100  # characters of a TZ value a message shows
_HEADER = struct.Struct(">4sc15x6l")  # magic, version, isutcnt isstdcnt leapcnt timecnt typecnt charcnt
# The offsets of a POSIX rule (std offset [dst [offset]]) as CPython's zoneinfo parses them
_OFFSET = r"[+-]?\d{1,3}(?::\d{2}(?::\d{2})?)?"
_RULE = re.compile(
    rf"(?:[^<0-9:.+-]+|<[a-zA-Z0-9+-]+>)(?:({_OFFSET})(?:([^0-9:.+-]+|<[a-zA-Z0-9+-]+>)({_OFFSET})?)?)?",
    re.ASCII,
)


def local_timezone() -> tzinfo:
    """The local zone with its DST rules (TZ, /etc/localtime), else the current fixed offset."""
    raw = os.environ.get("TZ")
    if raw is None:
        return _system_zone()
    if raw == "":  # the C library's rule: TZ set but empty is UTC
        return UTC
    spec = raw.removeprefix(":")
    if not spec:  # TZ=":" is the system's default zone
        return _system_zone()
    zone, problem = _from_tz(spec)
    if zone is not None:
        return zone
    return _fixed_offset(f"cannot use TZ={_shown(raw)} ({problem})", warn=True)


def _shown(value: str) -> str:
    """A TZ value for the one-line message: a control character as its escape, cut when long."""
    text = shown_name(value) or ""
    return text if len(text) <= _SHOWN else f"{text[:_SHOWN]}..."


def zone_messages(tz: tzinfo) -> list[str]:
    """The one-line warning of a zone that fell back to a fixed offset, else []."""
    return [tz.message] if isinstance(tz, _FixedZone) and tz.message else []


def _from_tz(spec: str) -> tuple[tzinfo | None, str]:
    """TZ's zone (a path, a zone name, a POSIX rule, in the C library's order), or why not."""
    if os.path.isabs(spec):
        return _from_path(spec)
    tzdir = os.environ.get("TZDIR")  # the C library looks names up there first
    if tzdir and os.path.isfile(os.path.join(tzdir, spec)):
        return _from_path(os.path.join(tzdir, spec))
    try:
        return zoneinfo.ZoneInfo(spec), ""  # by name: it can be sent to a worker process (pickled)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
        pass
    try:
        return _DataZone(_rule_data(spec), spec), ""
    except ValueError:
        if _far(_rule_offsets(spec)):  # (zoneinfo refuses some itself: "XYZ+25")
            return None, _FAR
        if any(c.isdigit() for c in spec):  # a POSIX rule always has an offset
            return None, "not a zone name, nor a POSIX rule with both DST dates"
        return None, "no such zone in the zone database"


def _system_zone() -> tzinfo:
    if os.path.lexists(_LOCALTIME):
        zone, problem = _from_path(_LOCALTIME)
        if zone is not None:
            return zone
        return _fixed_offset(f"cannot use {_LOCALTIME} ({problem})", warn=True)
    # No zone rules anywhere: the C library uses UTC (right as it is), other systems their offset.
    return _fixed_offset("no time zone rules found (set TZ, like TZ=Europe/Berlin)", warn=bool(time.daylight))


def _from_path(path: str) -> tuple[tzinfo | None, str]:
    """The zone of a zone file: by its name when it lies in a zone database, else read."""
    key = _zone_key(path)
    if key:
        return zoneinfo.ZoneInfo(key), ""
    try:
        with open_regular(Path(path)) as fh:  # never a FIFO (it waits) nor a device (/dev/zero: endless)
            data = fh.read(_MAX_ZONE_FILE + 1)
    except OSError as exc:
        return None, os_error_text(exc, name=False)
    if len(data) > _MAX_ZONE_FILE:
        return None, "not a time zone file"
    try:
        return _DataZone(data, path), ""
    except _FarOffset:
        return None, _FAR
    except ValueError:
        return None, "not a time zone file"


def _zone_key(path: str) -> str:
    """The zone's name when `path` links into a zone database ("Europe/Paris"), else ""."""
    real = os.path.realpath(path)
    keys = [
        os.path.relpath(real, root)
        for root in map(os.path.realpath, zoneinfo.TZPATH)
        if real.startswith(root + os.sep)
    ]
    _head, sep, key = real.partition("/zoneinfo/")
    if sep and key:
        keys.append(key)
    for key in keys:
        try:
            zoneinfo.ZoneInfo(key)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
            continue
        return key
    return ""


def _rule_data(rule: str) -> bytes:
    """A zone file (TZif, RFC 8536) holding only the POSIX `rule` as its footer: read by
    `zoneinfo`, which applies the rule to every moment (offsets, DST dates and times)."""
    if "\n" in rule or not rule.isascii():
        raise ValueError(rule)
    # no transitions, one local time type (the rule overrides it), one byte of names
    header = b"TZif2" + bytes(15) + struct.pack(">6l", 0, 0, 0, 0, 1, 1)
    body = struct.pack(">lbB", 0, 0, 0) + b"\0"
    return header + body + header + body + b"\n" + rule.encode("ascii") + b"\n"


def _rule_offsets(rule: str) -> list[int]:
    """The UTC offsets (seconds east) of a POSIX rule: its standard time's and its summer time's
    (an hour on when it names none); [] when it is no rule."""
    found = _RULE.fullmatch(rule.split(",", 1)[0])
    if found is None or found[1] is None:
        return []
    std = -_seconds(found[1])  # POSIX counts west of UTC
    if found[2] is None:
        return [std]
    return [std, -_seconds(found[3]) if found[3] is not None else std + 3600]


def _seconds(offset: str) -> int:
    """A POSIX offset in seconds: -5:30 -> -19800."""
    sign = -1 if offset.startswith("-") else 1
    parts = [int(p) for p in offset.lstrip("+-").split(":")]
    return sign * sum(p * unit for p, unit in zip(parts, (3600, 60, 1), strict=False))


def _far(offsets: list[int]) -> bool:
    return any(abs(offset) >= _DAY for offset in offsets)


def _file_offsets(data: bytes) -> list[int]:
    """The UTC offsets of zone-file data: its local time types' and its footer rule's.

    ValueError when it is not laid out as RFC 8536 says (counts past its end, a footer without
    its newlines): zoneinfo's own reader asserted on some such files, and read one for ever."""
    start, time_size = 0, 4
    while True:
        if len(data) < start + _HEADER.size:
            raise ValueError("cut short")
        magic, version, isut, isstd, leap, times, types, chars = _HEADER.unpack_from(data, start)
        if magic != b"TZif" or min(isut, isstd, leap, times, types, chars) < 0:
            raise ValueError("no zone file header")
        types_at = start + _HEADER.size + times * (time_size + 1)
        end = types_at + types * 6 + chars + leap * (time_size + 4) + isstd + isut
        if end > len(data):
            raise ValueError("cut short")
        if version < b"2" or time_size == 8:  # version 1: this block; else the 64-bit one after it
            break
        start, time_size = end, 8
    offsets = [struct.unpack_from(">l", data, types_at + 6 * i)[0] for i in range(types)]
    if time_size == 8:
        footer_end = data.find(b"\n", end + 1)
        if data[end : end + 1] != b"\n" or footer_end < 0:
            raise ValueError("no footer")
        offsets += _rule_offsets(data[end + 1 : footer_end].decode("ascii", "replace"))
    return offsets


class _FarOffset(ValueError):
    """The zone has a UTC offset of 24 hours or more, which Python's datetime refuses."""


class _DataZone(tzinfo):
    """A zone from zone-file data (a file outside any zone database, or a POSIX rule). Unlike
    `ZoneInfo.from_file` it can be sent to a worker process: it is pickled as its data."""

    def __init__(self, data: bytes, key: str) -> None:
        self._data = data
        self.key = key
        offsets = _file_offsets(data)  # ValueError: not a zone file
        try:
            self._zone = zoneinfo.ZoneInfo.from_file(io.BytesIO(data), key=key)
        except (ValueError, AssertionError, LookupError, struct.error, OverflowError, EOFError) as exc:
            raise ValueError(f"not a zone file: {exc}") from None  # zoneinfo's errors on bad data
        if _far(offsets):
            raise _FarOffset(key)

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self._data, self.key))

    def utcoffset(self, dt: datetime | None) -> timedelta | None:
        return self._zone.utcoffset(dt)

    def dst(self, dt: datetime | None) -> timedelta | None:
        return self._zone.dst(dt)

    def tzname(self, dt: datetime | None) -> str | None:
        return self._zone.tzname(dt)

    def fromutc(self, dt: datetime) -> datetime:
        if dt.tzinfo is not self:
            raise ValueError("fromutc: dt.tzinfo is not self")
        return self._zone.fromutc(dt.replace(tzinfo=self._zone)).replace(tzinfo=self)

    def __repr__(self) -> str:
        return f"_DataZone({self.key!r})"

    def __str__(self) -> str:
        return self.key


class _FixedZone(tzinfo):
    """The last resort: the offset of the moment the zone was asked for, all year round."""

    def __init__(self, offset: timedelta, name: str, message: str) -> None:
        self.offset = offset
        self.name = name
        self.message = message

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.offset, self.name, self.message))

    def utcoffset(self, dt: datetime | None) -> timedelta:
        return self.offset

    def dst(self, dt: datetime | None) -> timedelta:
        return timedelta(0)

    def tzname(self, dt: datetime | None) -> str:
        return self.name

    def __repr__(self) -> str:
        return f"_FixedZone({self.offset!r}, {self.name!r})"


def _fixed_offset(why: str, *, warn: bool) -> tzinfo:
    """The C library's current offset; with `warn`, it says once that DST is not followed. One
    of 24 hours or more (glibc takes TZ=XYZ-24, Python's datetime does not) is UTC, said too."""
    try:
        local = datetime.now().astimezone()
    except (ValueError, OverflowError, OSError):
        local, warn = datetime.now(UTC), True
    offset = local.utcoffset() or timedelta(0)
    if not warn:
        return UTC if not offset else _FixedZone(offset, local.tzname() or "", "")
    minutes = int(offset.total_seconds()) // 60
    sign = "-" if minutes < 0 else "+"
    shown = f"UTC{sign}{abs(minutes) // 60:02}:{abs(minutes) % 60:02}"
    message = f"time zone: {why}; study days follow {shown} all year, without DST changes"
    return _FixedZone(offset, local.tzname() or shown, message)
