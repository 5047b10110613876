"""Start-up: snapshots, then the journal tail, with damage handled and never hidden.

1. Each `snapshots/<deck>.toml` is read (through the derived cache). A file
   that cannot be read is kept as `<name>.damaged-<time>` (when writable) and
   replaced in memory by the newest good backup; with none, the deck starts
   empty and its whole journal is replayed. Records that fail validation are
   left out and the deck's journal is replayed in full, which restores their
   last good state from the journal's events. A snapshot that is not as retain
   wrote it (`snapshot.sealed`: a hunk-by-hunk git merge, an edit) is not used:
   its deck is rebuilt from every journal, with one line.
2. Every device folder's journal is read from the earliest position any
   snapshot includes; each event is applied to decks whose snapshot does not
   include it yet (last event wins). This machine's newest file gets a torn
   final block cut off (a copy kept); other devices' files are never written.
   An event the snapshot cannot place (another device's, made from the state a change it
   holds may have returned the card to) gives its card what a replay of every journal gives.
   So does an undo that something may lie between it and the event it takes back (with several
   devices: another device's event it did not know, synced after it): a replay takes that
   event out (`undo_replay`), where the undo's own state was made without the other one.
3. Damaged journal events are set aside (copied to `quarantine/`) with a
   message; they never reach the states.

What cannot be copied aside (a full disk, a folder in the way) is never cut: the
open goes on with one line. A torn tail stays and nothing is appended after it
(`LoadedState.blocked`); a snapshot stays as it is and is not rewritten
(`LoadedState.keep`); damaged events stay in their journal, as always.

A snapshot or journal in a newer format raises `migrate.FormatError` /
`journal.JournalError`: the caller refuses to open rather than guess.
"""

from __future__ import annotations

import errno
import heapq
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from operator import itemgetter
from pathlib import Path

from retain.core.state import CardState, Event
from retain.store.files import atomic_write, open_regular
from retain.store.oserror import os_error_text
from retain.store.state.device import folder_messages, scan_folders
from retain.store.state.holes import awaited
from retain.store.state.journal import (
    Position,
    cut_tail,
    journal_files,
    read_records,
    scan_file,
    verify_position,
)
from retain.store.state.journal_copies import take_in_copies
from retain.store.state.journal_format import HEAD, check_at, file_format
from retain.store.state.snapshot import (
    NOT_AS_WRITTEN,
    Change,
    Files,
    Holes,
    Manifest,
    Snapshot,
    SnapshotDamaged,
    ahead,
    load_snapshot,
    read_manifest,
    snapshot_files,
)
from retain.store.state.statecodec import FUTURE_SKEW
from retain.store.state.undo_replay import UndoCheck, undone

__all__ = [
    "LoadedState",
    "bound",
    "changed_elsewhere",
    "history_only",
    "leaves_state",
    "load_state",
    "replay_cards",
    "stamp",
]

_START = Position("", 0)


@dataclass(slots=True)
class LoadedState:
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


def _quarantine(state_dir: Path, name: str, data: bytes, now: datetime) -> Path:
    path = state_dir / "quarantine" / f"{name}.{stamp(now)}"
    n = 1
    while path.exists():
        n += 1
        path = path.with_name(f"{name}.{stamp(now)}-{n}")
    atomic_write(path, data)
    return path


def _recover(
    state_dir: Path, path: Path, reason: str, now: datetime, writable: bool, out: LoadedState
) -> tuple[Snapshot, str]:
    """The newest good backup of a damaged snapshot (else an empty one), and the line to say.

    The damaged file is renamed aside first; when it cannot be (a folder in the way), it stays
    where it is and is never rewritten this session (`LoadedState.keep`). A backup with invalid
    records has them left out and its positions dropped: the deck's whole journal is replayed
    over it, which restores their last good states (as for a live snapshot with one)."""
    from retain.store.state.backup import backup_candidates

    kept = ""
    if writable:
        copy = path.with_name(f"{path.name}.damaged-{stamp(now)}")
        try:
            path.replace(copy)
            kept = f"; the file was kept as {copy.name}"
        except OSError as exc:
            out.keep.add(path.stem)
            kept = (
                f"; the file could not be kept aside ({os_error_text(exc, name=False)}), so it is left "
                "as it is and not rewritten"
            )
    for cand in backup_candidates(state_dir, path.name, now.astimezone().date()):
        try:
            snap = load_snapshot(cand, now, whole=True)  # (one cut short: an older one is tried)
        except (SnapshotDamaged, ValueError):
            continue
        snap.path = path
        source = f"the backup of {cand.parent.name} plus the journal"
        if snap.problems:  # its records left out: the whole journal restores them
            snap.positions = {}
            bad = "; ".join(p.removeprefix(f"{path.name}: ") for p in snap.problems)
            source = f"the backup of {cand.parent.name} (in it, {bad}) plus the deck's whole journal"
            snap.problems = []
        return snap, f"{reason}{kept}; progress was rebuilt from {source}"
    return Snapshot(path.stem, path), f"{reason}{kept}; progress was rebuilt from the journal"


# Where the journal must be read from for a deck with events but no snapshot that the manifest
# does not list either (`_snapshots`' `unlisted`): a deck id no deck can have.
_UNLISTED = "\0unlisted"


def _snapshots(
    state_dir: Path, cache_dir: Path | None, now: datetime, writable: bool, out: LoadedState
) -> tuple[list[Snapshot], Files, dict[str, Position]]:
    """The snapshots (damaged ones recovered), the manifest's journal files, and `unlisted`: the
    positions up to which a deck with no snapshot, not listed by the manifest, has no event.

    A compaction writes the manifest only once every snapshot it wrote is in place, listing
    them all: a deck it does not list had no event before its positions. Without a manifest that
    reads (none yet, a kill or a full disk during the first compaction, deleted after a git
    merge, damaged) nothing is known of such a deck: `unlisted` is empty, so every journal is
    read from its start (before, only from the earliest snapshot's position: the reviews of a
    deck whose snapshot was never written, or was deleted with the manifest, were lost).
    """
    from retain.store.state.snapshot import ignored_snapshot_files

    # the manifest first: one from a newer retain refuses the open before anything is renamed
    manifest = state_dir / "snapshots.toml"
    untrusted: list[str] = []  # the files not as retain wrote them (`snapshot.sealed`): not used
    try:
        manifest_read = read_manifest(state_dir)
        unlisted = dict(manifest_read.positions) if os.path.lexists(manifest) else {}
        if not manifest_read.trusted:  # as if there were none; the next compaction writes it again
            untrusted.append(manifest.name)
            out.late = out.late or writable
    except SnapshotDamaged as exc:
        unlisted = {}
        manifest_read = Manifest(set(), {}, {})
        kept = ""
        if writable and manifest.is_file():  # not a folder in its place: the next compaction says so
            copy = manifest.with_name(f"{manifest.name}.damaged-{stamp(now)}")
            manifest.replace(copy)
            kept = f"; the file was kept as {copy.name}"
        out.late = writable  # the next compaction writes the manifest again
        out.messages.append(
            f"damaged state file {exc}{kept}; the journal was read from each snapshot's own position, "
            "so no progress is lost"
        )
    out.messages += ignored_snapshot_files(state_dir / "snapshots")
    snaps: list[Snapshot] = []
    for path in snapshot_files(state_dir / "snapshots"):
        try:
            snap = load_snapshot(path, now, cache_dir)
        except SnapshotDamaged as exc:
            snap, message = _recover(state_dir, path, f"damaged state file {exc}", now, writable, out)
            out.messages.append(message)
            out.dirty_decks.add(snap.deck_id)
        if not snap.trusted:  # (its states and positions may come from two versions: none is used)
            snap.states, snap.positions, snap.changed, snap.written = {}, {}, {}, None
            untrusted.append(f"snapshots/{path.name}")
            out.dirty_decks.add(snap.deck_id)
        if snap.problems:
            out.messages += snap.problems
            data = _read_or_none(path) if writable else None
            if data is not None:
                try:
                    copy = _quarantine(state_dir, path.name, data, now)
                    out.messages.append(f"a copy of {path.name} is kept as quarantine/{copy.name}")
                except OSError as exc:  # (a full disk) the file stays as it is: no copy, no rewrite
                    out.keep.add(snap.deck_id)
                    out.messages.append(
                        f"a copy of {path.name} could not be kept in quarantine/ "
                        f"({os_error_text(exc, name=False)}), so the file is left as it is and not "
                        "rewritten until it can be"
                    )
            snap.positions = {}  # rebuild this deck from the whole journal
            out.dirty_decks.add(snap.deck_id)
        if snap.migrated_from is not None:
            out.dirty_decks.add(snap.deck_id)
        snaps.append(snap)
        if snap.written is not None and snap.deck_id not in out.dirty_decks:
            out.written[snap.deck_id] = snap.written
    listed, complete, files = manifest_read.decks, manifest_read.positions, manifest_read.files
    out.holes = manifest_read.holes or {}  # (`_read_device` replaces each device's with what it finds)
    for snap in snaps:  # clean snapshots are complete up to the manifest's positions
        if snap.deck_id in out.dirty_decks:
            continue
        if manifest_read.covers(snap):
            for device, pos in complete.items():
                snap.positions[device] = max(snap.positions.get(device, _START), pos)
        elif snap.deck_id in listed:
            # not the snapshot the manifest was written with (a git merge or a folder sync
            # brought one of the two from another computer): its own positions hold, and the
            # next compaction writes the manifest again
            out.late = out.late or writable
    if untrusted and writable:
        out.messages.append(_untrusted_note(untrusted))
    present = {s.deck_id for s in snaps}
    for deck_id in sorted(listed - present):
        out.messages.append(
            f"the progress file snapshots/{deck_id}.toml is missing; progress was rebuilt from the journal"
        )
        snaps.append(Snapshot(deck_id, state_dir / "snapshots" / f"{deck_id}.toml"))
        out.dirty_decks.add(deck_id)
    return snaps, files, unlisted


def _untrusted_note(names: list[str]) -> str:
    """The one line for the state files not used as they are not as retain wrote them.

    Said only by a start that may write, which writes them again (so it is said once): a
    read-only one (`due`, `stats`) gives the same progress, rebuilt from the journals, without
    a word (JSON output is not interleaved with warnings about files that lose nothing)."""
    listed = (
        names[0]
        if len(names) == 1
        else ", ".join(names[:-1][:3])
        + (f" and {names[-1]}" if len(names) <= 4 else f" and {len(names) - 3} more")
    )
    one = len(names) == 1
    return (
        f"{listed} {'is' if one else 'are'} {NOT_AS_WRITTEN}; {'it was' if one else 'they were'} not "
        "used: progress was rebuilt from the journals, so none is lost, and "
        f"{'it is' if one else 'they are'} written again (after a merge, take one side of "
        "state/snapshots/ and state/snapshots.toml whole, or delete them)"
    )


def load_state(
    state_dir: Path, cache_dir: Path | None, now: datetime, own_device: str | None, writable: bool
) -> LoadedState:
    out = LoadedState()
    if os.path.lexists(state_dir) and not state_dir.is_dir():  # (a writer could not lock it: refused)
        gone = NotADirectoryError(
            errno.ENOTDIR, os.strerror(errno.ENOTDIR), os.fspath(state_dir / "snapshots")
        )
        out.messages.append(f"no progress can be read: {os_error_text(gone)}; every card shows as new")
        return out
    snaps, files, unlisted = _snapshots(state_dir, cache_dir, now, writable, out)
    deck_pos: dict[str, dict[str, Position]] = {}
    for snap in snaps:
        out.states.update(snap.states)
        out.latest.update(snap.changed)
        deck_pos[snap.deck_id] = snap.positions
    if deck_pos:  # (verified with the snapshots' positions; a device it lacks is read from its start)
        deck_pos[_UNLISTED] = unlisted
    tails: list[list[Tail]] = []
    scan = scan_folders(state_dir)
    taken = take_in_copies(state_dir, scan.read, now, writable)  # a sync tool's copies of journals
    if taken:
        out.messages += taken
        scan = scan_folders(state_dir)  # (with the folders their reviews were taken into)
    out.messages += folder_messages(state_dir, own_device if writable else None, now, scan)  # copies, damage
    renamed = scan.renamed
    for folder in scan.read:
        device = folder.name
        was = renamed.get(device)
        if was is not None:  # a renamed folder: its positions were recorded under the old id
            for positions in deck_pos.values():
                if device not in positions and was in positions:
                    positions[device] = positions[was]
            if device not in files and was in files:
                files[device] = files[was]
            if device not in out.holes and was in out.holes:
                out.holes[device] = out.holes.pop(was)
        _verify(folder, deck_pos, out, writable)
        starts = [p.get(device, _START) for p in deck_pos.values()]
        start = min(starts) if starts else _START
        own = writable and device == own_device
        mine = own_device is not None and device == own_device
        tails.append(_read_device(state_dir, folder, start, files.get(device), now, own, out, mine))
    # A card's events of one device apply in the order that device wrote them (a clock moved
    # back writes a rating dated before the one it was made from: the writer applied it last, so
    # does every replay); everything else by time (`_by_time`).
    merged = (tails[0] if tails else []) if len(tails) <= 1 else _by_time(tails)
    # An event older than the review a snapshot already holds for its card is history, not
    # the card's state: in time order that review comes after it (another device's journal
    # synced after this one compacted; a file the snapshot covered but whose position no
    # longer fits, read again from its start). Unless it was made from the state held here:
    # then it came after it (its device's clock moved back, or the clock of the device that
    # made the held state ran ahead), whatever its time says.
    # The same holds for a later suspend, bury, reset or undo (no review: `latest`, the
    # snapshot's [changed] table), for an event of the device that made that change (written
    # after it). A state made from "new" (`before` is None) proves nothing. Nor does, for any
    # other device, a state the change may have returned the card to (an undo, an unsuspend):
    # that event may have been made from it before the change. Which device reads, or wrote
    # the snapshot, never counts (a snapshot arrives by a sync). Such a card (`undecided`) is
    # given what a replay of every journal from its start gives (`_replay_cards`).
    # An event that leaves the state as it was (a cram rating, the undo of one) is history only.
    # An undo is the card as if the event it takes back never happened: its `a` says so only when
    # nothing lies between them (`UndoCheck`); else, and for an older event of another device
    # under a change held (which may be an undo), the card is replayed whole (`recount`).
    held, held_latest = dict(out.states), dict(out.latest)
    latest = out.latest
    several = len(tails) > 1  # (one device's events always follow from each other, as written)
    # An undo's `a` was computed when it was made: with several devices, an event it did not know
    # may lie between it and its target (a journal synced after it). Such a card is replayed whole.
    undos = UndoCheck() if several else None

    def apply(device: str, event: Event) -> None:
        key = event.key
        out.tail_events += 1
        if undos is not None:
            undos.applied(event, out.states.get(key))
        out.dirty_decks.add(key.partition("/")[0])
        known = latest.get(key)
        if known is None or event.time > known[0]:
            latest[key] = (event.time, device)
        if event.after is None:
            out.states.pop(key, None)
        else:
            out.states[key] = event.after

    def replayed(pos: Position, device: str, event: Event, late: bool) -> bool:
        """Not in the snapshot of its deck yet, and able to change a state."""
        done = deck_pos.get(event.key.partition("/")[0], {}).get(device)
        return not ((done is not None and pos < done and not late) or leaves_state(event))

    undecided: set[str] = set()  # cards whose snapshot cannot tell (`undecided`): replayed whole

    def is_history(device: str, event: Event) -> bool:
        key = event.key
        state, change = held.get(key), held_latest.get(key)
        if not history_only(event, device, state, change, out.states.get(key)):
            return False
        if _undecided(event, device, state, change):
            undecided.add(key)
        if undos is not None:
            undos.aside(event)
            if changed_elsewhere(device, state, change):
                undos.recount.add(key)
        return True

    tangled: set[str] = set()  # cards with an event not made from the state before it in time order
    aside: dict[str, list[CardState]] = {}  # per card, the states history-only events were made from
    made: dict[str, set[CardState]] = {}  # per card, the states events applied here left
    for _time, _seq, pos, device, event, late in merged:
        if not replayed(pos, device, event, late):
            continue
        if is_history(device, event):
            if several and event.before is not None:
                aside.setdefault(event.key, []).append(event.before)
            continue
        if several and event.before is not None and event.before != out.states.get(event.key):
            tangled.add(event.key)
        apply(device, event)
        if several and event.after is not None:
            made.setdefault(event.key, set()).add(event.after)
    # An event set aside as history but made from a state an event read here left (a device whose
    # clock runs behind the one it synced from, and so on down a chain) comes after that event.
    tangled.update(key for key, befores in aside.items() if any(b in made.get(key, ()) for b in befores))
    if tangled:  # (none unless two devices worked on one card at once, or a clock was off)
        by_key: dict[str, list[tuple[str, Event]]] = {}
        for _time, _seq, pos, device, event, late in merged:
            if event.key in tangled and replayed(pos, device, event, late):
                by_key.setdefault(event.key, []).append((device, event))
        for key, events in by_key.items():
            _restore(out, key, held.get(key), held_latest.get(key))
            if undos is not None:
                undos.again(key)
            left: set[CardState] = set()  # the states the events applied again left
            for device, event in causal_order(events, held.get(key)):
                if (event.before is not None and event.before in left) or not is_history(device, event):
                    apply(device, event)
                    if event.after is not None:
                        left.add(event.after)
    recount = undos.recount - undecided if undos is not None else set()
    if undecided or recount:  # (none unless two devices worked on one card at once, or a clock was off)
        found = _replay_cards(
            scan.read, undecided | recount, held_latest, now, held={k: held.get(k) for k in recount}
        )
        for key, (state, change) in found.items():
            _restore(out, key, state, change)
            out.dirty_decks.add(key.partition("/")[0])  # (its positions move past what was read)
    if not out.future:  # (the journals said it already: once is enough)
        out.messages += _ahead_note(snaps, now)
    return out


def _ahead_note(snaps: list[Snapshot], now: datetime) -> list[str]:
    """The note on events dated ahead for what the snapshots hold (their cards' last reviews and
    changes), one line: a synced computer whose clock runs ahead, whose snapshot came along with
    its journal, has them there and not in the journal after the snapshot's position."""
    limit = now + FUTURE_SKEW
    counts = {snap.path.name: n for snap in snaps if (n := ahead(snap, limit))}
    if not counts:
        return []
    names = ", ".join(sorted(counts)[:3]) + (f" and {len(counts) - 3} more" if len(counts) > 3 else "")
    return [
        f"snapshots/ ({names}): {sum(counts.values())} card(s) reviewed or changed at a time dated more "
        "than a day after this computer's clock (a clock set wrong, or a synced computer's running "
        "ahead?); they were kept and applied in time order"
    ]


def _by_time(tails: list[list[Tail]]) -> list[Tail]:
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


def _restore(out: LoadedState, key: str, state: CardState | None, change: Change | None) -> None:
    """A card's state and last change back to what the snapshots hold, to replay its events again."""
    if state is None:
        out.states.pop(key, None)
    else:
        out.states[key] = state
    if change is None:
        out.latest.pop(key, None)
    else:
        out.latest[key] = change


def causal_order(events: list[tuple[str, Event]], held: CardState | None = None) -> list[tuple[str, Event]]:
    """One card's events (device, event), given in time order, put in an order where each comes
    after the event that made the state it was made from (its `b` is that event's `a`, on another
    device) and after its own device's earlier events; otherwise by time.

    Time order alone put an event before the one it was made from when that one is dated later
    (its device's clock ran ahead: a review synced or imported, then a suspend made here from
    it): the later-dated event then undid it in a replay, though not live. Cards whose events
    all follow from each other in time order (all but a few) keep that order. `held`: the
    card's state in the snapshots, left before every one of `events` (a start with the snapshots
    and a replay of every journal then link alike).
    """
    n = len(events)
    made: dict[CardState, list[int]] = {}
    for i, (_device, event) in enumerate(events):
        if event.after is not None:
            made.setdefault(event.after, []).append(i)
    after_of: list[set[int]] = [set() for _ in range(n)]  # i -> the events that must follow i
    last_of: dict[str, int] = {}
    for i, (device, _event) in enumerate(events):  # each device's own order, as written
        prior = last_of.get(device)
        if prior is not None:
            after_of[prior].add(i)
        last_of[device] = i

    def leads_to(start: int, goal: int) -> bool:
        seen, todo = {start}, [start]
        while todo:
            for k in after_of[todo.pop()]:
                if k == goal:
                    return True
                if k not in seen:
                    seen.add(k)
                    todo.append(k)
        return False

    # Which event left the state each one was made from (its `b`, on another device)? A state
    # can be left twice (suspended, then unsuspended), so the links are made surest first: an
    # only candidate dated before it, an only candidate dated after it (a clock ahead), then
    # of several the nearest before it, else the nearest after it; never one closing a cycle.
    # The snapshot's state counts as left before them all (-1: no link needed). An event made
    # from new links to nothing: new is where every card starts.
    candidates: list[list[int]] = []
    previous: dict[str, CardState | None] = {}  # each device's last event's state, as written
    for i, (device, event) in enumerate(events):
        own = device in previous and previous[device] == event.before  # made from its own last
        previous[device] = event.after
        if event.before is None or own:
            candidates.append([])
            continue
        found = [j for j in made.get(event.before, ()) if events[j][0] != device]
        before_me = [j for j in found if j < i]
        after_me = [j for j in found if j > i]
        if held is not None and held == event.before:
            before_me.insert(0, -1)
        nearest = ([before_me[-1]] if before_me else []) + ([after_me[0]] if after_me else [])
        candidates.append(nearest if len(found) + (held == event.before) > 1 else found)
    passes: list[list[tuple[int, int]]] = [[], [], []]
    for i, found in enumerate(candidates):
        if len(found) == 1:
            passes[0 if found[0] < i else 1].append((found[0], i))
    for links in passes[:2]:
        for j, i in links:
            if j >= 0 and not leads_to(i, j):
                after_of[j].add(i)
    for i, found in enumerate(candidates):
        if len(found) > 1:
            link = next((j for j in found if j < 0 or not leads_to(i, j)), None)
            if link is not None and link >= 0:
                after_of[link].add(i)
    waits = [0] * n
    for following in after_of:
        for k in following:
            waits[k] += 1
    ready = [i for i in range(n) if waits[i] == 0]
    heapq.heapify(ready)
    order: list[int] = []
    while ready:
        i = heapq.heappop(ready)
        order.append(i)
        for k in after_of[i]:
            waits[k] -= 1
            if waits[k] == 0:
                heapq.heappush(ready, k)
    if len(order) < n:  # a cycle (states equal by chance): the rest by time
        placed = set(order)
        order += [i for i in range(n) if i not in placed]
    return [events[i] for i in order]


def leaves_state(event: Event) -> bool:
    """A cram rating, or the undo of one (its `b` is its `a`): history, never a card's state.
    Applied, it would put back this device's old state over another device's review since."""
    return event.kind == "cram" or (event.kind == "undo" and event.before == event.after)


def history_only(
    event: Event,
    device: str,
    held: CardState | None,
    changed: Change | None,
    current: CardState | None,
) -> bool:
    """Whether `event` (of `device`) is history only, not its card's state: it is older than the
    last event held for the card (`held`, its state as held, and `changed`, its last change with
    the device that made it), and not made from the card's `current` state (by the device that
    made that change, when the last event held is a change: see `load_state`).

    Whether an event applies never depends on which device reads, nor on which wrote the snapshot
    (a sync brings snapshots too)."""
    bound = _bound(held, changed[0] if changed is not None else None)
    return (
        bound is not None
        # At the very moment of the held state's last review, and not that state: the held state
        # was made from this event, later (a rating on a device whose clock ran behind counts from
        # the previous review's moment, `ReviewSession._anchored`: this event's, synced in a
        # snapshot ahead of its journal). Its own event (the held state) changes nothing.
        and (event.time < bound or (event.time == bound and event.after != held))
        and (
            event.before is None
            or (_change_last(held, changed) and changed is not None and device != changed[1])
            or event.before != current
        )
    )


def _change_last(held: CardState | None, changed: Change | None) -> bool:
    """The last event held for a unit is a change (a suspend, bury, reset or undo), not a review."""
    last = held.last_review if held is not None else None
    return changed is not None and (last is None or changed[0] > last)


def changed_elsewhere(device: str, held: CardState | None, changed: Change | None) -> bool:
    """The last event held for a unit is a change (`_change_last`) made on another device than
    `device`. It may be an undo: an older event of `device`, history only, may then be what the
    undo leaves (it takes its target out; its `a` was made without this event, which arrived
    since), so such a card gets what a replay of every journal gives (`undo_replay`)."""
    return _change_last(held, changed) and changed is not None and device != changed[1]


def _undecided(event: Event, device: str, held: CardState | None, changed: Change | None) -> bool:
    """`event`, history only by `history_only`, may still come after the change held for its card
    in a replay of every journal: it was made from the state that change left (`held`), on a
    device other than the change's. Whether that state was left before too (an undo, an
    unsuspend: then the event was made from that earlier one, in time order before the change)
    or only by the change (its device's clock ahead: the event was made from it, after it) only
    the journals know (`_replay_cards`)."""
    return (
        event.before is not None
        and event.before == held
        and _change_last(held, changed)
        and changed is not None
        and device != changed[1]
    )


def states_without(
    folders: list[Path], targets: Mapping[str, str], now: datetime
) -> dict[str, CardState | None]:
    """For each card key of `targets` (key -> the id of its last event, which an undo takes back),
    the state a replay of every journal (`folders`) gives the card just before that event: what
    the undo must put back. That is the event's `before` unless events written after it are dated
    before it (history imported since, another device's journal synced late): then the state
    they leave, as if they had come first. Events after it (later ratings and their undos, which
    are dated after it) are not replayed. A card whose event the journals do not hold is left out."""
    found = _replay_cards(folders, set(targets), {}, now, until=targets)
    return {key: state for key, (state, _change) in found.items()}


def replay_cards(
    folders: list[Path],
    keys: set[str],
    changes: Mapping[str, Change],
    now: datetime,
    held: Mapping[str, CardState | None] | None = None,
) -> dict[str, tuple[CardState | None, Change | None]]:
    """What a replay of every journal (`folders`) from its start gives each of `keys`: its state
    and last change (`_replay_cards`). For a history import recorded live (`StateWriter`)."""
    return _replay_cards(folders, keys, changes, now, held=held)


def _replay_cards(
    folders: list[Path],
    keys: set[str],
    changes: Mapping[str, Change],
    now: datetime,
    until: Mapping[str, str] | None = None,
    held: Mapping[str, CardState | None] | None = None,
) -> dict[str, tuple[CardState | None, Change | None]]:
    """What a replay of every journal from its start gives each of `keys` (`load_state` without
    snapshots): its state and last change. Only the records of `keys` are decoded
    (`_records_of`). A card is left out when the replay lacks the change its
    snapshot holds (`changes`: a journal not synced whole yet, a folder gone): the replay of
    what is here would lose that change, which the snapshot keeps; so is a card of `held` (key
    -> its state now) whose state no event here left. `until`: card key -> an event
    id: that card's events are replayed up to that event, without it (`states_without`; a card
    whose event is not found is left out)."""
    tails: list[list[Tail]] = []
    for folder in folders:
        tail: list[Tail] = []
        for path in journal_files(folder):
            for offset, event in _records_of(path, keys, now):
                tail.append((event.time, len(tail), Position(path.name, offset), folder.name, event, False))
        tails.append(_once(tail))
    by_key: dict[str, list[tuple[str, Event]]] = {}
    reached: set[str] = set()  # (`until`: the cards whose event was met)
    taken: dict[str, set[str]] = {}  # per card, the events taken back by undos that leave the state
    for _time, _seq, _pos, device, event, _late in _by_time(tails):
        if until is not None and (event.key in reached or until.get(event.key) == event.id):
            reached.add(event.key)
            continue
        if not leaves_state(event):
            by_key.setdefault(event.key, []).append((device, event))
        elif event.kind == "undo":  # (of a cram rating, or of an event that left the state as it was)
            taken.setdefault(event.key, set()).add(event.undoes)
    out: dict[str, tuple[CardState | None, Change | None]] = {}
    if until is not None:
        out.update({key: (None, None) for key in reached if key not in by_key})  # (nothing before it)
        by_key = {key: events for key, events in by_key.items() if key in reached}
    for key, events in by_key.items():
        change = changes.get(key)
        if change is not None and not any(
            e.time == change[0] and (d == change[1] or not change[1]) for d, e in events
        ):
            continue
        state = held.get(key) if held is not None else None
        if state is not None and not any(e.after == state for _d, e in events):
            continue
        out[key] = _replay_card(events, len(folders) > 1, taken.get(key, set()))
    return out


_FEW_KEYS = 32  # keys searched for one by one; more are found in one pass over the quoted strings
# a quoted string of a unit key's characters (`KEY_RE`: ASCII, no quotes), basic or literal
_QUOTED_KEY = re.compile(rb"[\"']([a-z0-9][a-z0-9:/-]*)[\"']")


def _records_of(path: Path, keys: set[str], now: datetime) -> list[tuple[int, Event]]:
    """The events of `keys` in the journal `path`, by offset, as `scan_file` reads them: only the
    lines that name one of the keys are decoded (`read_records`: ~50 ms for 60 MB of journals,
    where decoding every record takes seconds). A format-1 file is scanned whole."""
    try:
        with open_regular(path) as fh:
            data = fh.read()
    except OSError:  # (said when the file was read from its position)
        return []
    if file_format(data[:HEAD]) != 2:
        return [(pos.offset, e) for pos, e in scan_file(path, 0, now).events if e.key in keys]
    starts: set[int] = set()
    if len(keys) > _FEW_KEYS:  # (a bulk action's undo: one pass, not one search per key)
        wanted = {key.encode() for key in keys}
        for m in _QUOTED_KEY.finditer(data):
            if m[1] in wanted:
                starts.add(data.rfind(b"\n", 0, m.start()) + 1)
    else:
        for key in keys:  # (a key is ASCII without quotes: written as it is, `u="deck/card"`)
            needle = key.encode()
            at = data.find(needle)
            while at >= 0:
                starts.add(data.rfind(b"\n", 0, at) + 1)
                at = data.find(needle, at + len(needle))
    del data
    found = read_records(path, starts, now) if starts else {}
    return sorted((offset, e) for offset, e in found.items() if e.key in keys)


def _replay_card(
    events: list[tuple[str, Event]], several: bool, taken: set[str]
) -> tuple[CardState | None, Change | None]:
    """One card's state and last change from all its events (in `_by_time` order), as `load_state`
    gives them with no snapshot: in time order, or when an event is not made from the state
    before it (with `several` devices), in `causal_order`; last event wins, an undo leaving
    the card as if the event it takes back had never happened (`undone`: its `a` was made
    from the journals of its time, and one synced since may hold an event dated before it).
    `taken`: the ids of events taken back by undos left out of `events` (`leaves_state`)."""
    state: CardState | None = None
    tangled = False
    for _device, event in events:
        tangled = tangled or (several and event.before is not None and event.before != state)
        state = event.after
    if tangled:
        events = causal_order(events)
        state = events[-1][1].after if events else None
    if several and (taken or any(event.kind == "undo" for _device, event in events)):
        out = undone(events, taken)
        kept = [event for i, (_device, event) in enumerate(events) if i not in out]
        state = kept[-1].after if kept else None
    change: Change | None = None
    for device, event in events:
        if change is None or event.time > change[0]:
            change = (event.time, device)
    return state, change


def bound(state: CardState | None, changed: Change | None) -> datetime | None:
    """The time of the last event held for a unit (`_bound` of its state and last change)."""
    return _bound(state, changed[0] if changed is not None else None)


def _bound(state: CardState | None, changed: datetime | None) -> datetime | None:
    """The time of the last event a snapshot holds for a unit: its last review, or a later change."""
    last = state.last_review if state is not None else None
    if last is None or (changed is not None and changed > last):
        return changed
    return last


def _verify(
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
                if deck_id != _UNLISTED:
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


Tail = tuple[datetime, int, Position, str, Event, bool]  # time, order read, where, device, event, late


def _read_device(
    state_dir: Path,
    folder: Path,
    start: Position,
    known: dict[str, Position] | None,
    now: datetime,
    own: bool,
    out: LoadedState,
    mine: bool = False,
) -> list[Tail]:
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
                copy = _quarantine(state_dir, path.name, b"".join(scan.bad_blocks), now)
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
    return _once(events)


def _once(events: list[Tail]) -> list[Tail]:
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


def _read_or_none(path: Path) -> bytes | None:
    """The bytes of the regular file `path`; None when it is gone or no regular file now (a FIFO
    swapped in since it was read is never waited on)."""
    try:
        with open_regular(path) as fh:
            return fh.read()
    except OSError:
        return None
