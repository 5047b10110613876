"""Change progress from the browser and editor: move it to new unit keys, reset it, suspend.

Every change is a journal event, and the events of one call are recorded as one
durable batch (`Collection.record_many`: one fsync, all or none; card by card,
suspending 50k marked cards took 55 s), so nothing here rewrites history: the
old records stay in the journal forever, and replay ("last event wins") gives
the same states.

- `move_progress`: a cloze renumbered, or a card moved to another deck. The
  old key goes back to new and the new key gets the old key's state (a "reset"
  event whose `after` is that state). Moves may swap keys, so every state is
  read before anything is written, and every old key's back to new is written
  before any new key's state (the order pairs them: see `move_progress`).
- `reset_progress`: "forget" a card: back to new (a "reset" event, after=None).
- `set_suspended`: "suspend"/"unsuspend" events, as the study screen records.
- `set_buried`, `unbury_decks`: "bury"/"unbury" events (the browser's bury toggle, the deck
  list's Unbury): a card buried until the next study day, as the study screen's bury does, or
  back today.
The events of one call are one user action: each carries the id of its first
event (`Event.group`, `g` in the journal), so undo takes the action back in one
step, also after a restart (`core.session.record_undo_action`). An action of one
event carries nothing, as a rating does.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from datetime import datetime, timedelta

from retain.core.state import CardState, Event, EventKind, buried_on
from retain.store.collection import Collection

__all__ = ["buried_keys", "move_progress", "reset_progress", "set_buried", "set_suspended", "unbury_decks"]


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

    Written in three runs, one action (`Event.group`): the "back to new" of every old key that
    has progress or history (a swap's keys too, though each is moved into as well), then, in the
    same order, the record of the key each of those went to (its `after` the old key's state
    before, or a new card's state, `CardState()`, when it had none); last, the new keys of cards
    that had nothing to carry, when the new key has something (a new card's state written out,
    not a bare reset: that would read as a forget, which undo takes back). So the i-th new record
    took the i-th back to new's card, whatever the states are: readers pair them without guessing
    (`store.index.moves.group_moves`). A key both left and moved into has its back to new before
    its new state, so the journal's "last event wins" holds. Moves where neither key has progress
    or history write nothing: moving new cards is free. Returns the recorded events.
    """
    moves = {old: new for old, new in moves.items() if old != new}
    before = {key: col.states.get(key) for key in {*moves, *moves.values()}}
    history: set[str] = set()

    def holds(key: str) -> bool:
        return before[key] is not None or key in history

    def look_up(keys: list[str]) -> None:  # (asked only where it decides what is written)
        if keys:
            history.update(col.history_index.keys_with_events(now, keys))

    look_up([old for old in moves if before[old] is None])
    look_up([new for old, new in moves.items() if not holds(old) and before[new] is None])

    left = [old for old, new in moves.items() if holds(old)]
    emptied = set(left)
    events = [_made(col, "reset", old, now, None, before[old]) for old in left]
    for old in left:
        new = moves[old]
        events.append(_made(col, "reset", new, now, before[old] or CardState(), _then(new, before, emptied)))
    for old, new in moves.items():
        if old not in emptied and holds(new):
            events.append(_made(col, "reset", new, now, CardState(), _then(new, before, emptied)))
    return _record_all(col, events)


def _then(key: str, before: Mapping[str, CardState | None], emptied: set[str]) -> CardState | None:
    """`key`'s state once the move's backs to new are written: its own, or new when it was left."""
    return None if key in emptied else before[key]


def _made(
    col: Collection,
    kind: EventKind,
    key: str,
    now: datetime,
    after: CardState | None,
    before: CardState | None,
) -> Event:
    return Event(col.new_event_id(now), kind, key, now, after, before)


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


def buried_keys(col: Collection, keys: Iterable[str], now: datetime) -> list[str]:
    """Those of `keys` buried on the study day of `now` (until a later study day), in order."""
    today = col.today(now).isoformat()
    states = col.states
    return [
        k
        for k in dict.fromkeys(keys)
        if (st := states.get(k)) is not None and buried_on(st.buried_until, today)
    ]


def set_buried(col: Collection, keys: Iterable[str], buried: bool, now: datetime) -> list[Event]:
    """Bury each key until the next study day (as the study screen's bury), or unbury it: back
    on the study day of `now`. Unchanged keys are skipped (a card buried already, or not buried:
    one whose burial ended at a rollover is no longer buried). One action (`Event.group`), which
    undo takes back in one step."""
    day = col.today(now)
    today, tomorrow = day.isoformat(), (day + timedelta(days=1)).isoformat()
    events: list[Event] = []
    for key in dict.fromkeys(keys):
        state = col.states.get(key)
        if buried_on(state.buried_until if state else None, today) == buried:
            continue
        if buried:
            events.append(
                _event(col, "bury", key, now, (state or CardState()).with_flags(buried_until=tomorrow))
            )
        elif state is not None:
            events.append(_event(col, "unbury", key, now, state.with_flags(buried_until=None)))
    return _record_all(col, events)


def unbury_decks(col: Collection, deck_ids: Iterable[str], now: datetime) -> list[Event]:
    """Unbury every card of the decks `deck_ids` buried on the study day of `now` (the deck
    list's Unbury, as Anki's deck overview has): one action; [] when none is buried."""
    wanted = set(deck_ids)
    keys = [key for deck_id, key in col.unit_keys() if deck_id in wanted]  # (the library's cards)
    return set_buried(col, buried_keys(col, keys, now), False, now)
