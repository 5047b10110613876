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
- `take_back`: undo a batch of them at once (the browser's ctrl+z after a bulk
  suspend), each undo putting back the state from before its event.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta

from retain.core.state import CardState, Event, EventKind
from retain.store.collection import Collection

__all__ = ["move_progress", "reset_progress", "set_suspended", "take_back"]


def _event(col: Collection, kind: EventKind, key: str, now: datetime, after: CardState | None) -> Event:
    return Event(col.new_event_id(now), kind, key, now, after, col.states.get(key))


def _record_all(col: Collection, events: list[Event]) -> list[Event]:
    """`events` as one durable batch (all recorded, or none: CollectionError); as recorded."""
    if len(events) <= 1:
        return [col.record(event) for event in events]
    return col.record_many(events)


def move_progress(col: Collection, moves: Mapping[str, str], now: datetime) -> list[Event]:
    """Give each new key the state its old key had; old keys that nothing moves into become new.

    Keys without progress are skipped. Returns the recorded events.
    """
    moves = {old: new for old, new in moves.items() if old != new}
    before = {key: col.states.get(key) for key in {*moves, *moves.values()}}
    events: list[Event] = []
    for old, new in moves.items():
        state = before[old]
        if state is not None or before[new] is not None:
            events.append(_event(col, "reset", new, now, state))
    targets = set(moves.values())
    for old in moves:
        if old not in targets and before[old] is not None:
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


def take_back(col: Collection, batch: Sequence[Event], now: datetime) -> list[Event]:
    """Undo every event of `batch` (one bulk suspend, say) as one durable batch, as
    `core.session.record_undo` undoes one: each undo puts back the state from before its event,
    dated after all of them. The undo events recorded."""
    at = max([now, *(e.time + timedelta(microseconds=1) for e in batch)])
    undos = [
        Event(col.new_event_id(at), "undo", e.key, at, e.before, col.states.get(e.key), undoes=e.id)
        for e in batch
    ]
    return _record_all(col, undos)
