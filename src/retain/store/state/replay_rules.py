"""The rules that say whether a journal event sets its card's state, shared by every replay.

Start-up (`stateload`), the replay of a few cards from every journal (`replay_cards`) and the
writer applying a history import live (`StateWriter._apply`) decide alike: an event older
than what is held for its card is history (`history_only`), a cram rating never sets a state
(`leaves_state`), and a card's events are put in an order where each follows the one it was
made from (`causal_order`). Whether an event applies never depends on which device reads.
"""

from __future__ import annotations

import heapq
from datetime import datetime

from retain.core.state import CardState, Event
from retain.store.state.snapshot import Change

__all__ = [
    "bound",
    "causal_order",
    "changed_elsewhere",
    "history_only",
    "is_undecided",
    "leaves_state",
    "next_change",
    "set_card",
]


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


def is_undecided(event: Event, device: str, held: CardState | None, changed: Change | None) -> bool:
    """`event`, history only by `history_only`, may still come after the change held for its card
    in a replay of every journal, which only the journals can tell (`replay_cards`):

    - it was made from the state that change left (`held`), on a device other than the change's.
      Whether that state was left before too (an undo, an unsuspend: then the event was made
      from that earlier one, in time order before the change) or only by the change (its
      device's clock ahead: the event was made from it, after it) only the journals know;
    - it is of the device that made the change, which wrote it after the change (the snapshot
      holds the change, the event is past it), so a replay puts it after the change whatever its
      date (a clock set back between them: a rating from "new" after an undo or a reset dated
      ahead), though not made from the state held: another event may lie between them."""
    if not _change_last(held, changed) or changed is None:
        return False
    return device == changed[1] or (event.before is not None and event.before == held)


def next_change(state: CardState | None, at: datetime, device: str) -> Change:
    """The card's last change (`Change`: time and device) once an event of `device` dated `at`,
    later than its last change so far, is applied over `state`.

    The time is the event's, or the review `state` holds when that is later: an event applied
    though dated before it was made from it or after it (a clock set back between two ratings,
    a device whose clock runs behind rating a synced card), and a replay of every journal puts
    it there, after that review. The `[changed]` entry a snapshot then writes keeps that place:
    with the event's own date as the card's bound, another device's review dated between the
    two, made without either (from new), went over the card at the next start, though a replay
    puts it before them."""
    last = state.last_review if state is not None else None
    return (last, device) if last is not None and last > at else (at, device)


def bound(state: CardState | None, changed: Change | None) -> datetime | None:
    """The time of the last event held for a unit (`_bound` of its state and last change)."""
    return _bound(state, changed[0] if changed is not None else None)


def _bound(state: CardState | None, changed: datetime | None) -> datetime | None:
    """The time of the last event a snapshot holds for a unit: its last review, or a later change."""
    last = state.last_review if state is not None else None
    if last is None or (changed is not None and changed > last):
        return changed
    return last


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


def set_card(
    states: dict[str, CardState],
    latest: dict[str, Change],
    key: str,
    state: CardState | None,
    change: Change | None,
) -> None:
    """Give the card `key` the state and last change a replay found (or held before its events
    were replayed again); None drops it: no progress, or no change later than its review."""
    if state is None:
        states.pop(key, None)
    else:
        states[key] = state
    if change is None:
        latest.pop(key, None)
    else:
        latest[key] = change
