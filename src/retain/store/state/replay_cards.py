"""A few cards replayed from every journal, as a start without snapshots would give them.

Start-up replays the cards the snapshots cannot decide (`stateload`); the writer, the cards a
history import recorded live may have changed under an undo (`StateWriter._recount`); an undo,
the state its card has without the event it takes back (`states_without`). Only the records
of those cards are decoded (`_records_of`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path

from retain.core.state import CardState, Event
from retain.store.files import open_regular
from retain.store.state.journal import Position, journal_files, read_records, scan_file
from retain.store.state.journal_format import HEAD, file_format
from retain.store.state.journal_tail import Tail, by_time, each_once
from retain.store.state.replay_rules import causal_order, leaves_state
from retain.store.state.snapshot import Change
from retain.store.state.undo_replay import undone

__all__ = ["replay_cards", "states_without"]


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
        tails.append(each_once(tail))
    by_key: dict[str, list[tuple[str, Event]]] = {}
    reached: set[str] = set()  # (`until`: the cards whose event was met)
    taken: dict[str, set[str]] = {}  # per card, the events taken back by undos that leave the state
    for _time, _seq, _pos, device, event, _late in by_time(tails):
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
        if change is not None and not any(e.time == change[0] for _d, e in events):
            continue  # (its device may be another: an event applied after the change, dated before it)
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
    """One card's state and last change from all its events (in `by_time` order), as `load_state`
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
