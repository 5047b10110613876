"""The machine's time zone, with its DST rules, for finding where study days begin.

Read as the C library (and `date`) reads it: TZ first, with or without a leading ':', as a
zone name ("Europe/Berlin"), a path to a zone file (":/etc/localtime") or a POSIX rule
("CET-1CEST,M3.5.0,M10.5.0/3"); an empty TZ is UTC; without TZ, /etc/localtime. Only when
none of these can be read does it fall back to the current fixed offset, and then that zone
carries one line (`zone_messages`) saying DST changes are not followed.
"""

from __future__ import annotations

import io
import os
import struct
import time
import zoneinfo
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any

from retain.store.oserror import os_error_text

__all__ = ["local_timezone", "zone_messages"]

_LOCALTIME = "/etc/localtime"


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
    return _fixed_offset(f"cannot use TZ={raw} ({problem})", warn=True)


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
        with open(path, "rb") as fh:
            data = fh.read()
    except OSError as exc:
        return None, os_error_text(exc, name=False)
    try:
        return _DataZone(data, path), ""
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


class _DataZone(tzinfo):
    """A zone from zone-file data (a file outside any zone database, or a POSIX rule). Unlike
    `ZoneInfo.from_file` it can be sent to a worker process: it is pickled as its data."""

    def __init__(self, data: bytes, key: str) -> None:
        self._data = data
        self.key = key
        self._zone = zoneinfo.ZoneInfo.from_file(io.BytesIO(data), key=key)  # ValueError: not one

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
    """The C library's current offset; with `warn`, it says once that DST is not followed."""
    local = datetime.now().astimezone()
    offset = local.utcoffset() or timedelta(0)
    if not warn:
        return UTC if not offset else _FixedZone(offset, local.tzname() or "", "")
    minutes = int(offset.total_seconds()) // 60
    sign = "-" if minutes < 0 else "+"
    shown = f"UTC{sign}{abs(minutes) // 60:02}:{abs(minutes) % 60:02}"
    message = f"time zone: {why}; study days follow {shown} all year, without DST changes"
    return _FixedZone(offset, local.tzname() or shown, message)
