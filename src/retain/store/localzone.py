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
        with open("/etc/localtime", "rb") as fh:
            return zoneinfo.ZoneInfo.from_file(fh, key="localtime")
    return datetime.now().astimezone().tzinfo or UTC
