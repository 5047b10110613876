"""An undo in a replay: the card's state as if the event it takes back had never happened.

An undo event stores the state it put back (`a`), computed when it was made: what a replay of
the journals here then gave without the event taken back (`replay_cards.states_without`). Another
device's event dated before the undo that arrives after it (a journal synced late: a review
made offline on another computer) was not part of that, and applied "last event wins" the
undo's stale `a` went over it: the same events gave one state when the undo came after the
sync and another when it came before. A replay therefore leaves out every event an undo takes
back together with the undo (`undone`), and start-up, which applies a journal tail over the
snapshots event by event, trusts an undo's `a` only where nothing can have come in between
(`UndoCheck`); any other card is replayed whole from the journals.
"""

from __future__ import annotations

from collections.abc import Sequence, Set

from retain.core.state import CardState, Event

__all__ = ["UndoCheck", "undone"]


def undone(events: Sequence[tuple[str, Event]], taken: Set[str] = frozenset()) -> set[int]:
    """The places in one card's `events` (device, event; in replay order) of each undo whose
    target is among them and of that target: a replay leaves them all out. So it does the
    events of `taken`, the ids taken back by undos not among `events` (an undo that leaves
    the state as it was, `replay_rules.leaves_state`: of a rating that changed nothing).

    An undo taken back itself (a format that could undo an undo) leaves its target in: they
    are read from the last. An undo whose target is not here (a journal not synced whole yet),
    or whose target was made from a state no event here left (its older history is not here:
    a replay would drop the card back past it), is kept as an event, its `a` last event wins."""
    where = {event.id: i for i, (_device, event) in enumerate(events)}
    left = {event.after for _device, event in events}
    out = {i for i, (_device, event) in enumerate(events) if event.id in taken}
    for i in range(len(events) - 1, -1, -1):
        event = events[i][1]
        if event.kind != "undo" or i in out:
            continue
        j = where.get(event.undoes)
        if j is None or j >= i:
            continue
        before = events[j][1].before
        if before is not None and before not in left:
            continue
        out.update((i, j))
    return out


_ASIDE = object()  # (`UndoCheck.last`: the card's last event read was history only, not applied)


class UndoCheck:
    """Whether start-up may apply an undo of the journal tail as its own `a` ("last event wins").

    It may when the card's last event read before it (applied or not) is the event it takes
    back, applied over the state the undo puts back. Otherwise something may lie between the
    undo and its target that the undo did not know (another device's event dated before it,
    synced after it was made), and the card goes to `recount`: it gets what a replay of every
    journal gives (`undone`). So does an undo whose target is not in the tail (a snapshot holds
    it), even one made from the state the snapshot holds: that state may hold another device's
    older events the undo's computer never saw (it rated the card from new, in its view; the
    snapshot's computer had its own review before it), which a replay without the target
    gives, not the undo's `a`. (A one-card replay, ~60 ms; only until the next compaction moves
    the snapshot past the undo.) Asked only with several device folders: one device's events
    were all written, and so all known, before its undo was."""

    def __init__(self) -> None:
        self.last: dict[str, tuple[str, object]] = {}  # card -> (its last event's id, the state before it)
        self.recount: set[str] = set()

    def aside(self, event: Event) -> None:
        """`event` was read but is history only (not applied)."""
        self.last[event.key] = (event.id, _ASIDE)

    def applied(self, event: Event, prior: CardState | None) -> None:
        """`event` is applied over `prior`, the card's state before it."""
        key = event.key
        if event.kind == "undo" and not self._trusted(event):
            self.recount.add(key)
        self.last[key] = (event.id, prior)

    def again(self, key: str) -> None:
        """The card's tail events are applied again from the snapshot's state (a new order)."""
        self.last.pop(key, None)

    def _trusted(self, undo: Event) -> bool:
        last = self.last.get(undo.key)
        if last is None:  # (its target in a snapshot: what came before it there is not known)
            return False
        return last[0] == undo.undoes and last[1] is not _ASIDE and last[1] == undo.after
