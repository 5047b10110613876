"""Change progress from the browser and editor: move it to new unit keys, reset it, suspend.

Every change is a journal event, and the events of one call are recorded as one
durable batch (`Collection.record_many`: one fsync, all or none; card by card,
suspending 50k marked cards took 55 s), so nothing here rewrites history: the
old records stay in the journal forever, and replay ("last event wins") gives
the same states.

- `move_progress`: a cloze renumbered, or a card moved to another deck. The
  new key gets the old key's state (a "reset" event whose `after` is that
  state) and the old key goes back to new. Moves may swap keys, so every state
  is read before anything is written.
- `reset_progress`: "forget" a card: back to new (a "reset" event, after=None).
- `set_suspended`: "suspend"/"unsuspend" events, as the study screen records.
The events of one call are one user action: each carries the id of its first
event (`Event.group`, `g` in the journal), so undo takes the action back in one
step, also after a restart (`core.session.record_undo_action`). An action of one
event carries nothing, as a rating does.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from datetime import datetime

from retain.core.state import CardState, Event, EventKind
from retain.store.collection import Collection

__all__ = ["move_progress", "reset_progress", "set_suspended"]


def _event(col: Collection, kind: EventKind, key: str, now: datetime, after: CardState | None) -> Event:
    return Event(col.new_event_id(now), kind, key, now, after, col.states.get(key))


def _record_all(col: Collection, events: list[Event]) -> list[Event]:
    """`events` (made at one time) as one durable batch (all recorded, or none:
    CollectionError), marked as one action (`Event.group`); as recorded."""
    if len(events) <= 1:
        return [col.record(event) for event in events]
    first = events[0]
    if all(e.time == first.time for e in events):  # (an action's events share its time)
        events = [replace(e, group=first.id) for e in events]
    return col.record_many(events)


def move_progress(col: Collection, moves: Mapping[str, str], now: datetime) -> list[Event]:
    """Give each new key the state its old key had; old keys that nothing moves into become new.

    A card without progress moved onto a key that has some gives that key a new card's state
    written out (`CardState()`, not a bare reset: that would read as a forget, which undo takes
    back). One without progress moved from a key with history (reset since it was studied) is
    recorded too, so that undo sees the card moved since. Keys without progress or history are
    skipped: moving new cards writes nothing. Returns the recorded events.
    """
    moves = {old: new for old, new in moves.items() if old != new}
    before = {key: col.states.get(key) for key in {*moves, *moves.values()}}
    bare = [old for old, new in moves.items() if before[old] is None and before[new] is None]
    history = col.history_index.keys_with_events(now, bare) if bare else set()
    events: list[Event] = []
    for old, new in moves.items():
        state = before[old]
        if state is not None:
            events.append(_event(col, "reset", new, now, state))
        elif before[new] is not None or old in history:
            events.append(_event(col, "reset", new, now, CardState()))
    targets = set(moves.values())
    for old in moves:
        if old not in targets and (before[old] is not None or old in history):
            events.append(_event(col, "reset", old, now, None))
    return _record_all(col, events)


def reset_progress(col: Collection, keys: Iterable[str], now: datetime) -> list[Event]:
    """Back to new (review history stays in the journal). Keys already new are skipped."""
    return _record_all(
        col, [_event(col, "reset", key, now, None) for key in dict.fromkeys(keys) if key in col.states]
    )


def set_suspended(col: Collection, keys: Iterable[str], suspended: bool, now: datetime) -> list[Event]:
    """Suspend or unsuspend each key (a new card can be suspended too); unchanged keys are skipped."""
    events: list[Event] = []
    for key in dict.fromkeys(keys):
        state = col.states.get(key) or CardState()
        if state.suspended == suspended:
            continue
        kind: EventKind = "suspend" if suspended else "unsuspend"
        events.append(_event(col, kind, key, now, state.with_flags(suspended=suspended)))
    return _record_all(col, events)
