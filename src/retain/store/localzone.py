"""The machine's time zone, with its DST rules, for finding where study days begin."""

from __future__ import annotations

import contextlib
import os
import zoneinfo
from datetime import UTC, datetime, tzinfo

__all__ = ["local_timezone"]


def local_timezone() -> tzinfo:
    """The local zone with its DST rules (TZ, /etc/localtime), else the current fixed offset."""
    name = os.environ.get("TZ", "").lstrip(":")
    with contextlib.suppress(zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
        if name:
            return zoneinfo.ZoneInfo(name)
        key = _zone_key("/etc/localtime")
        if key:
            return zoneinfo.ZoneInfo(key)  # by name: it can be sent to a worker process (pickled)
        with open("/etc/localtime", "rb") as fh:
            return zoneinfo.ZoneInfo.from_file(fh, key="localtime")
    return datetime.now().astimezone().tzinfo or UTC


def _zone_key(path: str) -> str:
    """The zone's name when `path` links into a zone database ("Europe/Paris"), else ""."""
    _head, sep, key = os.path.realpath(path).partition("/zoneinfo/")
    if not sep or not key:
        return ""
    with contextlib.suppress(zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
        zoneinfo.ZoneInfo(key)
        return key
    return ""
