"""Records set aside in another device's journal, checked again at every start until they are whole.

A sync tool that writes a file in place (or a copy still arriving) can leave zeros where a record
goes. The start-up reads on past such a record, so the events after it are applied and the
compaction's position moves past it; the manifest then lists where each record set aside starts
(`snapshot.Holes`). Each start reads those records again: one that is whole now is applied in
time order, as a journal file that arrived late is, and one still damaged waits on, unsaid (it
was said when it was found). A position never hides an event that was never applied.

This device's own records set aside are not awaited: its writer never rewrites a record, and a
copy of the damaged bytes is kept in `quarantine/`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from retain.core.state import Event
from retain.store.state.journal import Position, read_records

__all__ = ["Awaited", "awaited"]


@dataclass(slots=True)
class Awaited:
    """The records a device's start-up found whole again (`healed`), and those still set aside
    (`waiting`, by file) that this start's reads do not reach."""

    healed: list[tuple[Position, Event]] = field(default_factory=list)
    waiting: dict[str, list[int]] = field(default_factory=dict)


def awaited(
    folder: Path, recorded: Mapping[str, list[int]], read_from: Mapping[str, int], now: datetime
) -> tuple[Awaited, list[str]]:
    """The recorded holes of the journal files in `folder` before where this start reads each file
    from (`read_from`; a file not read has none read), checked again; and a line per file with
    records whole now."""
    out, said = Awaited(), []
    device = folder.name
    for name, offsets in sorted(recorded.items()):
        start = read_from.get(name)
        before = [o for o in offsets if start is None or o < start]
        path = folder / name
        if not before or not path.is_file():  # (a file that is gone holds nothing to wait for)
            continue
        found = read_records(path, set(before), now)
        whole = [(Position(name, o), found[o]) for o in before if o in found]
        left = [o for o in before if o not in found]
        out.healed += whole
        if left:  # (said when they were found: damage that stays is not said at every start)
            out.waiting[name] = left
        if whole:
            said.append(
                f"{device}/{name}: {len(whole)} event(s) set aside before are whole now; "
                "they were applied in time order"
            )
    return out, said
