"""What a start-up read of the progress gives (`LoadedState`), and the helpers its parts share.

`stateload.load_state` fills one `LoadedState` from the snapshots (`snapshot_load`) and the
journal tail of each device folder (`journal_tail`); the writer takes it over whole
(`StateWriter._take`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from retain.core.state import CardState
from retain.store.files import atomic_write
from retain.store.state.journal import Position
from retain.store.state.snapshot import Change, Files, Holes

__all__ = ["START", "LoadedState", "quarantine", "stamp"]

START = Position("", 0)  # the start of a device's journal: before its first file


@dataclass(slots=True)
class LoadedState:
    """The states at start-up, with what the next compaction needs to know of how they were read."""

    states: dict[str, CardState] = field(default_factory=dict)
    ends: dict[str, Position] = field(default_factory=dict)  # device -> end of its journal as read
    messages: list[str] = field(default_factory=list)
    dirty_decks: set[str] = field(default_factory=set)  # snapshots that are behind: rewrite at compaction
    tail_events: int = 0
    files: Files = field(default_factory=dict)  # device -> journal file -> how far its events are applied
    holes: Holes = field(
        default_factory=dict
    )  # device -> journal file -> records set aside, awaited (`holes`)
    late: bool = False  # an older file was read late, or a snapshot is not the manifest's: write it again
    written: dict[str, datetime] = field(default_factory=dict)  # deck -> its snapshot's `written` time
    latest: dict[str, Change] = field(
        default_factory=dict
    )  # unit -> its last event's time, device (some units)
    # What could not be copied aside (a full disk, a folder in the way) is left as it is, never
    # cut: decks whose snapshot file must not be rewritten, and this device's journal files that
    # nothing may be appended to (file name -> why; `JournalWriter.blocked`).
    keep: set[str] = field(default_factory=set)
    blocked: dict[str, str] = field(default_factory=dict)
    future: int = 0  # events read from the journals dated more than FUTURE_SKEW after now (said)


def stamp(now: datetime) -> str:
    return now.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def quarantine(state_dir: Path, name: str, data: bytes, now: datetime) -> Path:
    path = state_dir / "quarantine" / f"{name}.{stamp(now)}"
    n = 1
    while path.exists():
        n += 1
        path = path.with_name(f"{name}.{stamp(now)}-{n}")
    atomic_write(path, data)
    return path
