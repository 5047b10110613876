"""Start-up's second part: each device folder's journal read from where the snapshots stop.

Recorded positions are verified before they are trusted (`verify_positions`); older files
that arrived or grew late are read again (`_late_files`); this machine's newest file gets a
torn final block cut off (a copy kept), other devices' files are never written; damaged
events are copied to `quarantine/` and never reach the states. `by_time` puts every device's
events in one sequence, as every replay orders them. See `stateload`.
"""

from __future__ import annotations

from datetime import datetime
from operator import itemgetter
from pathlib import Path

from retain.core.state import Event
from retain.store.oserror import os_error_text
from retain.store.state.holes import awaited
from retain.store.state.journal import Position, cut_tail, journal_files, scan_file, verify_position
from retain.store.state.journal_format import check_at
from retain.store.state.loaded_state import LoadedState, quarantine

__all__ = ["UNLISTED", "Tail", "by_time", "each_once", "read_device", "verify_positions"]

# Where the journal must be read from for a deck with events but no snapshot that the manifest
# does not list either (`read_snapshots`' `unlisted`): a deck id no deck can have.
UNLISTED = "\0unlisted"

Tail = tuple[datetime, int, Position, str, Event, bool]  # time, order read, where, device, event, late


def verify_positions(
    folder: Path, deck_pos: dict[str, dict[str, Position]], out: LoadedState, writable: bool = False
) -> None:
    """Trust a recorded position only when it fits its file; else read that file from its start.
    A writer then writes again the snapshots and the manifest that recorded it, at the next
    compaction (even with no new event: else the line came back at every start)."""
    device = folder.name
    verdicts: dict[tuple[str, int, str], str] = {}
    for deck_id, positions in deck_pos.items():
        pos = positions.get(device)
        if pos is None or pos.offset == 0:
            continue
        key = (pos.file, pos.offset, pos.check)
        if key not in verdicts:
            verdicts[key] = verify_position(folder, pos)
        if verdicts[key]:
            positions[device] = Position(pos.file, 0)
            if writable:
                out.late = True
                if deck_id != UNLISTED:
                    out.dirty_decks.add(deck_id)
    told: set[str] = set()
    for (file, _offset, _check), why in verdicts.items():
        if why and file not in told:
            told.add(file)
            out.messages.append(
                f"{device}/{file}: {why}; the recorded position was not trusted, the file was read from its start"
            )


def _late_files(
    folder: Path, start: Position, known: dict[str, Position] | None, out: LoadedState, mine: bool = False
) -> list[tuple[Path, int, str]]:
    """The files before `start.file` that the last compaction had not applied in full, with
    where to read each from and how it came to be late (a phrase; "" when already said): a file it never saw (an older month synced after a newer one)
    from its start, one that grew since (a copy that finished late) from where it stopped, one
    whose position no longer fits it (cut short, changed in place) from its start, with a line.
    `known` is None for a manifest from before it listed files: they count as applied (and
    are listed, with their size now, by the next compaction)."""
    device, applied = folder.name, out.files.setdefault(folder.name, {})
    # This device's own files never arrive by a sync: one the manifest does not list, or lists
    # shorter, was written by a session whose compaction was cut off before the manifest (its
    # snapshots hold the events). It is read again all the same, without a word.
    arrived = (
        ""
        if mine
        else "arrived after a later journal file of that device was read (a folder sync copies files in any order)"
    )
    grew = (
        "" if mine else "grew after a later journal file of that device was read (a copy that finished late)"
    )
    if known is None:  # a manifest from before the list: the next compaction writes it
        out.late = True
    late: list[tuple[Path, int, str]] = []
    for path in journal_files(folder):
        if path.name >= start.file:
            break
        try:
            size = path.stat().st_size
        except OSError:
            continue
        pos = known.get(path.name) if known is not None else None
        if known is None:
            applied[path.name] = Position(path.name, size, check_at(path, size))
        elif pos is None:
            late.append((path, 0, arrived))
        elif why := verify_position(folder, pos):  # (cut short too: a half copy, an older backup)
            out.messages.append(f"{device}/{path.name}: {why}; the file was read from its start")
            late.append((path, 0, ""))
        elif size > pos.offset:
            late.append((path, pos.offset, grew))
        else:
            applied[path.name] = pos
    return late


def read_device(
    state_dir: Path,
    folder: Path,
    start: Position,
    known: dict[str, Position] | None,
    now: datetime,
    own: bool,
    out: LoadedState,
    mine: bool = False,
) -> list[Tail]:
    """The events of one device folder from `start` on (and of its older files read late), in
    the order read, each once; what was said, cut, set aside or left is noted in `out`."""
    device = folder.name
    late = _late_files(folder, start, known, out, mine)
    late_how = {p.name: how for p, _offset, how in late}
    files = [(p, False, start.offset if p.name == start.file else 0) for p in journal_files(folder)]
    reads = [(p, True, offset) for p, offset, _how in late] + [f for f in files if f[0].name >= start.file]
    events: list[Tail] = []
    # Records set aside before (another device's: a sync writing in place), read again: one whole
    # now is applied in time order; the reads below find the ones at or after where they start.
    recorded = {} if mine else out.holes.pop(device, {})
    check, said = awaited(folder, recorded, {p.name: offset for p, _late, offset in reads}, now)
    out.messages += said
    holes = check.waiting
    for pos, event in check.healed:
        events.append((event.time, len(events), pos, device, event, True))
    end = start
    last = len(reads) - 1
    for i, (path, is_late, offset) in enumerate(reads):
        scan = scan_file(path, offset, now)
        out.messages += scan.problems
        if scan.bad_blocks and own:
            try:
                copy = quarantine(state_dir, path.name, b"".join(scan.bad_blocks), now)
                out.messages.append(f"the damaged events are kept in quarantine/{copy.name}")
            except OSError as exc:  # (a full disk) they stay in the journal, which is never rewritten
                out.messages.append(
                    f"the damaged events could not be copied to quarantine/ ({os_error_text(exc, name=False)}); "
                    f"they stay in {path.name} as they are"
                )
        if scan.torn:
            if i < last:
                out.messages.append(f"{device}/{path.name}: {len(scan.torn)} unreadable bytes at the end")
            elif own:
                cut, line = cut_tail(path, scan.end, scan.torn, now)
                out.messages.append(line)
                if not cut:
                    out.blocked[path.name] = (
                        f"{path.name} ends in bytes that could not be copied aside, and nothing is recorded "
                        "after them until they can be (start retain again then)"
                    )
            # else: a crash remnant its writer will repair, a write in progress or a sync in flight
        if scan.future:
            out.future += scan.future
            out.messages.append(
                f"{device}/{path.name}: {scan.future} event(s) dated more than a day after this computer's "
                "clock (a clock set wrong?); they were kept and applied in time order"
            )
        if is_late:
            out.late = True  # the manifest lists the file from now on
            how = late_how.get(path.name, "")
            if scan.events and how:  # (a file changed in place was said when its entry was checked)
                out.messages.append(
                    f"{device}/{path.name} {how}; its {len(scan.events)} event(s) were applied in time order"
                )
        waiting = set(recorded.get(path.name, ())) if recorded else set()
        for pos, event in scan.events:  # (one set aside before is applied in time order, as late)
            events.append((event.time, len(events), pos, device, event, is_late or pos.offset in waiting))
        if scan.bad_at and not mine:  # awaited from now on: the position moves past them
            holes[path.name] = sorted({*holes.get(path.name, ()), *scan.bad_at})
        out.files[device][path.name] = Position(path.name, scan.end, scan.end_check)
        if not is_late:
            end = Position(path.name, scan.end, scan.end_check)
    out.ends[device] = end
    if holes:
        out.holes[device] = holes
    if holes != recorded:  # the manifest says which records are still awaited
        out.late = True
    return each_once(events)


def each_once(events: list[Tail]) -> list[Tail]:
    """Each event once, where it was first read. A record line repeated in a journal (copied
    whole: its CRC holds) is the same event; replayed again, a copy of an old rating written
    after a later one took the card back to it. An event is its id, card and time (an older
    retain could give two cards' events one id); the history index says where the copies are."""
    seen: set[tuple[str, str, datetime]] = set()
    kept: list[Tail] = []
    for tail in events:
        event = tail[4]
        ident = (event.id, event.key, event.time)
        if ident not in seen:
            seen.add(ident)
            kept.append(tail)
    return kept


def by_time(tails: list[list[Tail]]) -> list[Tail]:
    """The devices' events in one sequence by time, except that an event dated before an earlier
    written event of its card on its device takes that one's time (it follows it, as written).

    Each device's whole sequence kept its write order before, merged by time (`heapq.merge`,
    which assumes sorted inputs): after a clock was set back on one device, its record of one
    card, written after a record of another card dated later, went after every other device's
    events up to that later date. A replay of every journal then put a synced rating of the
    same card, dated between the two, before it, while a start with the snapshots (by time)
    put it after. Only a card's own events are linked by the order they were written in."""
    keyed: list[tuple[datetime, int, int, Tail]] = []
    for n, tail in enumerate(tails):
        last: dict[str, datetime] = {}  # per card, the latest time of its events written so far
        for item in tail:
            key, at = item[4].key, item[0]
            seen = last.get(key)
            if seen is not None and at < seen:
                at = seen
            last[key] = at
            keyed.append((at, item[1], n, item))
    keyed.sort(key=itemgetter(0, 1, 2))  # ((time, order read, device) is unique: never the event)
    return [k[3] for k in keyed]
