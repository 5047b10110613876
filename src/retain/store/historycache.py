"""A derived cache of decoded journal files, so the full history loads in about a second.

At 50k cards a few months of history is ~300k events (~160 MB of TOML);
parsing that for every `retain stats` would take half a minute. Each journal
file's decoded events are stored in columns (`marshal`) in the cache folder.
A closed month never changes, so its entry stays valid; the current month
only grows, so an entry that matches the file's inode and the bytes just
before its recorded end is extended by parsing only the new blocks. A file
that shrank (a torn tail was cut) or changed is parsed again. The journal
stays the source of truth; a bad cache is a miss.
"""

from __future__ import annotations

import os
import zlib
from datetime import datetime
from pathlib import Path
from typing import Any

from retain.core.state import CardState, Event
from retain.store import derivedcache
from retain.store.fastbuild import build_many, columns_of, field_names
from retain.store.journal import journal_files, recent_in_file, scan_file

__all__ = ["read_events", "recent_events"]

_STATE = field_names(CardState)
_EVENT = ("id", "kind", "key", "time", "rating", "duration_ms", "undoes")
_TIMES = ("due", "last_review")
_CHECK = 256


def _tail_hash(path: Path, end: int) -> str:
    with path.open("rb") as fh:
        fh.seek(max(0, end - _CHECK))
        return f"{zlib.crc32(fh.read(min(end, _CHECK))):08x}"


def _iso(values: list[Any]) -> list[Any]:
    return [None if v is None else datetime.fromisoformat(v) for v in values]


def _state_columns(states: list[CardState | None]) -> tuple[list[int], list[list[Any]]]:
    idx = [i for i, s in enumerate(states) if s is not None]
    cols = columns_of([states[i] for i in idx], _STATE)
    for name in _TIMES:
        j = _STATE.index(name)
        cols[j] = [None if t is None else t.isoformat() for t in cols[j]]
    return idx, cols


def _encode(events: list[Event]) -> Any:
    cols = columns_of(events, _EVENT)
    cols[_EVENT.index("time")] = [e.time.isoformat() for e in events]
    return (
        len(events),
        cols,
        _state_columns([e.before for e in events]),
        _state_columns([e.after for e in events]),
    )


def _states(n: int, packed: Any) -> list[CardState | None]:
    idx, cols = packed
    cols = list(cols)
    for name in _TIMES:
        j = _STATE.index(name)
        cols[j] = _iso(cols[j])
    built = build_many(CardState, _STATE, cols, len(idx))
    out: list[CardState | None] = [None] * n
    for i, state in zip(idx, built, strict=True):
        out[i] = state
    return out


def _decode(payload: Any) -> list[Event]:
    n, cols, before, after = payload
    cols = list(cols)
    cols[_EVENT.index("time")] = list(map(datetime.fromisoformat, cols[_EVENT.index("time")]))
    names = [*_EVENT, "before", "after"]
    return build_many(Event, names, [*cols, _states(n, before), _states(n, after)], n)


def read_events(path: Path, now: datetime, cache_dir: Path | None) -> list[Event]:
    """All decodable events of one journal file, oldest first (bad ones are left out)."""
    if cache_dir is None:
        return [e for _, e in scan_file(path, 0, now).events]
    try:
        st = os.stat(path)
    except OSError:
        return []
    cache_file = derivedcache.cache_path(cache_dir, "journal", path)
    entry = derivedcache.load(cache_file, "journal", st.st_ino)
    events: list[Event] = []
    start = 0
    if entry is not None:
        try:
            end, check, payload = entry
            if end <= st.st_size and check == _tail_hash(path, end):
                events, start = _decode(payload), end
        except (ValueError, TypeError, OSError):
            events, start = [], 0
    if start == st.st_size and entry is not None:
        return events
    scan = scan_file(path, start, now)
    events += [e for _, e in scan.events]
    if scan.end > 0:
        derivedcache.save(
            cache_file, "journal", st.st_ino, (scan.end, _tail_hash(path, scan.end), _encode(events))
        )
    return events


def _recent_cached(path: Path, since: datetime, now: datetime, cache_dir: Path) -> tuple[list[Event], bool]:
    try:
        st = os.stat(path)
    except OSError:
        return [], False
    cache_file = derivedcache.cache_path(cache_dir, "recent", path)
    ident = (st.st_ino, since.isoformat())
    entry = derivedcache.load(cache_file, "recent", ident)
    if entry is not None:
        try:
            end, check, reached, payload = entry
            if end <= st.st_size and check == _tail_hash(path, end):
                events = _decode(payload)
                if end < st.st_size:
                    scan = scan_file(path, end, now)
                    events += [e for _, e in scan.events if e.time >= since]
                    end = scan.end
                    derivedcache.save(
                        cache_file, "recent", ident, (end, _tail_hash(path, end), reached, _encode(events))
                    )
                return events, bool(reached)
        except (ValueError, TypeError, OSError):
            pass
    events, reached = recent_in_file(path, since, now)
    end = st.st_size
    derivedcache.save(cache_file, "recent", ident, (end, _tail_hash(path, end), reached, _encode(events)))
    return events, reached


def recent_events(folder: Path, since: datetime, now: datetime, cache_dir: Path | None) -> list[Event]:
    """Events of one device folder with time >= `since` (today's log, undo), oldest first.

    Walks the files backwards (`journal.recent_in_file`); with a cache folder, the
    result for the newest files is kept and extended by the blocks appended since.
    """
    found: list[Event] = []
    for path in reversed(journal_files(folder)):
        if cache_dir is None:
            events, reached = recent_in_file(path, since, now)
        else:
            events, reached = _recent_cached(path, since, now, cache_dir)
        found = events + found
        if reached:
            break
    return found
