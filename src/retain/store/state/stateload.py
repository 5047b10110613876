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

`load_state` here puts the parts together: `snapshot_load` reads 1, `journal_tail` 2 and 3,
`replay_rules` says which event sets a card's state, `replay_cards` replays the cards the
snapshots cannot decide, and all of it fills one `loaded_state.LoadedState`.
"""

from __future__ import annotations

import errno
import os
from datetime import datetime
from pathlib import Path

from retain.core.state import CardState, Event
from retain.store.oserror import os_error_text
from retain.store.state.device import folder_messages, scan_folders
from retain.store.state.journal import Position
from retain.store.state.journal_copies import take_in_copies
from retain.store.state.journal_tail import UNLISTED, Tail, by_time, read_device, verify_positions
from retain.store.state.loaded_state import START, LoadedState, stamp
from retain.store.state.replay_cards import replay_cards, states_without
from retain.store.state.replay_rules import (
    bound,
    causal_order,
    changed_elsewhere,
    history_only,
    is_undecided,
    leaves_state,
    next_change,
    set_card,
)
from retain.store.state.snapshot_load import ahead_note, read_snapshots
from retain.store.state.undo_replay import UndoCheck

__all__ = [  # (the rules and replays live in their own modules; named here as they always were)
    "LoadedState",
    "bound",
    "changed_elsewhere",
    "history_only",
    "leaves_state",
    "load_state",
    "replay_cards",
    "stamp",
    "states_without",
]


def load_state(
    state_dir: Path, cache_dir: Path | None, now: datetime, own_device: str | None, writable: bool
) -> LoadedState:
    """The states at `now`: the snapshots plus every device folder's journal tail (see above).
    `writable`: this retain holds the writer lock, so damage may be copied aside and this
    device's (`own_device`) torn tail cut; a reader never writes."""
    out = LoadedState()
    if os.path.lexists(state_dir) and not state_dir.is_dir():  # (a writer could not lock it: refused)
        gone = NotADirectoryError(
            errno.ENOTDIR, os.strerror(errno.ENOTDIR), os.fspath(state_dir / "snapshots")
        )
        out.messages.append(f"no progress can be read: {os_error_text(gone)}; every card shows as new")
        return out
    snaps, files, unlisted = read_snapshots(state_dir, cache_dir, now, writable, out)
    deck_pos: dict[str, dict[str, Position]] = {}
    for snap in snaps:
        out.states.update(snap.states)
        out.latest.update(snap.changed)
        deck_pos[snap.deck_id] = snap.positions
    if deck_pos:  # (verified with the snapshots' positions; a device it lacks is read from its start)
        deck_pos[UNLISTED] = unlisted
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
        verify_positions(folder, deck_pos, out, writable)
        starts = [p.get(device, START) for p in deck_pos.values()]
        start = min(starts) if starts else START
        own = writable and device == own_device
        mine = own_device is not None and device == own_device
        tails.append(read_device(state_dir, folder, start, files.get(device), now, own, out, mine))
    # A card's events of one device apply in the order that device wrote them (a clock moved
    # back writes a rating dated before the one it was made from: the writer applied it last, so
    # does every replay); everything else by time (`by_time`).
    merged = (tails[0] if tails else []) if len(tails) <= 1 else by_time(tails)
    # An event older than the review a snapshot already holds for its card is history, not
    # the card's state: in time order that review comes after it (another device's journal
    # synced after this one compacted; a file the snapshot covered but whose position no
    # longer fits, read again from its start). Unless it was made from the state held here:
    # then it came after it (its device's clock moved back, or the clock of the device that
    # made the held state ran ahead), whatever its time says.
    # The same holds for a later suspend, bury, reset or undo (no review: `latest`, the
    # snapshot's [changed] table), for an event of the device that made that change (written
    # after it). A state made from "new" (`before` is None) proves nothing of when it was made,
    # nor does, for any other device, a state the change may have returned the card to (an
    # undo, an unsuspend): that event may have been made from it before the change. But an
    # event of the device that made the change held, or that wrote an event of the card applied
    # here before it, was written after that one, so a replay puts it after it whatever its
    # date (a clock set back: rated from new after an undo or a reset dated ahead). Which device
    # reads, or wrote the snapshot, never counts (a snapshot arrives by a sync). Such a card
    # (`undecided`) is given what a replay of every journal from its start gives (`replay_cards`).
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

    wrote: set[tuple[str, str]] = set()  # (card, device) of each event applied here

    def apply(device: str, event: Event) -> None:
        key = event.key
        out.tail_events += 1
        prior = out.states.get(key)
        if key in held or key in held_latest:  # (no other card's event can be history: `is_history`)
            wrote.add((key, device))
        if undos is not None:
            undos.applied(event, prior)
        out.dirty_decks.add(key.partition("/")[0])
        known = latest.get(key)
        if known is None or event.time > known[0]:
            latest[key] = next_change(prior, event.time, device)
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
        if is_undecided(event, device, state, change) or (key, device) in wrote:
            undecided.add(key)  # (its device wrote it after an event of the card applied here)
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
            set_card(out.states, out.latest, key, held.get(key), held_latest.get(key))
            wrote.difference_update((key, device) for device, _event in events)
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
        found = replay_cards(
            scan.read, undecided | recount, held_latest, now, held={k: held.get(k) for k in recount}
        )
        for key, (state, change) in found.items():
            set_card(out.states, out.latest, key, state, change)
            out.dirty_decks.add(key.partition("/")[0])  # (its positions move past what was read)
    if not out.future:  # (the journals said it already: once is enough)
        out.messages += ahead_note(snaps, now)
    return out
