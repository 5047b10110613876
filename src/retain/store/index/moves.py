"""Cards moved to another deck: their earlier ratings counted for the deck they are in now.

A move (`store.state.progress_edits.move_progress`: `m` in the browser, another deck
chosen in the editor, a cloze renumbered) carries a card's state to its new key and
leaves its review events under the old one. In the journal it is a pair of "reset"
records written at one time in one file: the old key's back to new, and the new key's
whose state after is the old key's state before. The `daily` sums count each rating
for the deck of its own key; the statistics of a deck follow the card instead, as
Anki's do (its deck statistics go by a card's current deck).

`deck_moves` finds the moves (through a partial index on the "back to new" resets, a
few rows even in a big history: every move writes one for each key it takes a card from, a
swap's too; a swap recorded by a retain older than that made no key new and is not found here),
`group_moves` which key went where in one move's records, and `moved_sums` what to take from one deck's
`daily` sums and add to another's: every rating made under a key before it moved,
counted for the deck of the last key the card moved to. A rating made under an old key
after its move (a new card given the same id) stays where it is.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from retain.core.due import deck_of
from retain.core.state import EVENT_KINDS, Event
from retain.store.index.daily import Tally, tally

__all__ = ["Move", "Moves", "deck_moves", "group_moves", "group_rows", "moved_sums"]

RESET = EVENT_KINDS.index("reset")
_MAX_STEPS = 64  # moves followed forward from one rating (a card moved back and forth: each once)

ReadFull = Callable[[Sequence[tuple[str, str, int]]], list[Event]]


@dataclass(frozen=True, slots=True)
class Move:
    old: str  # unit key the progress left
    new: str  # unit key it went to
    t: int  # when, microseconds since the epoch


def deck_moves(db: sqlite3.Connection, read: ReadFull) -> list[Move]:
    """Every move the history holds (not undone), oldest first."""
    forgets = db.execute(
        f"SELECT DISTINCT e.file, e.t FROM events e WHERE e.kind = {RESET} AND e.astate IS NULL"
        " AND e.undone = 0 ORDER BY e.t"
    ).fetchall()
    found: list[Move] = []
    for file_id, t in forgets:
        if db.execute(
            f"SELECT 1 FROM events WHERE file = ? AND t = ? AND kind = {RESET} AND astate IS NOT NULL"
            " AND undone = 0 LIMIT 1",
            (file_id, t),
        ).fetchone():
            found += [Move(old, new, t) for old, new in group_moves(read(group_rows(db, file_id, t)))]
    return found


def group_rows(db: sqlite3.Connection, file_id: int, t: int) -> list[tuple[str, str, int]]:
    """Where the "reset" records written at `t` in file `file_id` are (not undone), as written."""
    return db.execute(
        "SELECT f.device, f.name, e.off FROM events e JOIN files f ON f.id = e.file"
        f" WHERE e.file = ? AND e.t = ? AND e.kind = {RESET} AND e.undone = 0 ORDER BY e.off",
        (file_id, t),
    ).fetchall()


def group_moves(events: Sequence[Event]) -> list[tuple[str, str]]:
    """(old key, new key) of each move among `events`: the "reset" records written at one time
    in one file, in the order written; one action's each (`Event.group`; records without one,
    as older journals have, together).

    A move writes its old keys' "back to new" records first, then the new keys' records in the
    same order (the i-th new key took the i-th old key's state), then those of cards that had
    nothing to carry (a new card's state written out): so a swap, whose keys are all old and
    new, pairs as plainly as a renumber. Older journals wrote the new keys' records first (and
    no "back to new" for a key that was moved into too): their keys pair by state (`_by_state`)."""
    actions: dict[str | None, list[Event]] = {}
    for event in events:
        actions.setdefault(event.group, []).append(event)
    out: list[tuple[str, str]] = []
    for action in actions.values():
        first = next((i for i, e in enumerate(action) if e.after is None), None)
        rest = [] if first is None else action[first:]
        backs = [e for e in rest if e.after is None]
        carries = [e for e in rest if e.after is not None]
        if backs and carries and rest[: len(backs)] == backs and len(carries) >= len(backs):
            out += [(b.key, c.key) for b, c in zip(backs, carries, strict=False) if b.key != c.key]
        else:
            out += _by_state(action)
    return out


def _by_state(action: list[Event]) -> list[tuple[str, str]]:
    """Each new key of an older journal's move paired with the old key whose state before it
    took (the same card id first).

    An old key is one made new by the move, or, in a chain (a cloze put in front: c1 -> c2,
    c2 -> c3), another new key of the same move: c2 took c1's state and gave its own to c3."""
    out: list[tuple[str, str]] = []
    left = [e for e in action if e.before is not None]
    for new in (e for e in action if e.after is not None):
        same = [e for e in left if e.before == new.after and e.key != new.key]
        if not same:
            continue
        card = new.key.partition("/")[2]
        old = next((e for e in same if e.key.partition("/")[2] == card), same[0])
        left.remove(old)
        out.append((old.key, new.key))
    return out


class Moves:
    """The moves of a history, to follow a rating to the key its card is under now."""

    def __init__(self, moves: list[Move]) -> None:
        self.out_of: dict[str, list[Move]] = {}
        for move in moves:
            self.out_of.setdefault(move.old, []).append(move)
        self.keys = set(self.out_of) | {m.new for m in moves}  # every key a move touches
        # (key, time) of the moves' own records: no learner's event (an export leaves them out)
        self.records = {(m.old, m.t) for m in moves} | {(m.new, m.t) for m in moves}

    def __bool__(self) -> bool:
        return bool(self.out_of)

    def last(self, key: str, t: int) -> str:
        """The key a rating made under `key` at time `t` is under now (its card's moves followed)."""
        for _ in range(_MAX_STEPS):
            later = [m for m in self.out_of.get(key, ()) if m.t > t]
            if not later:
                break
            move = min(later, key=lambda m: m.t)
            key, t = move.new, move.t
        return key


def moved_sums(db: sqlite3.Connection, moves: Moves) -> Tally:
    """Per (deck, study day) changes to `daily`'s sums: each rating made under a key before it
    moved taken from its deck and added to the deck the card is in now. Empty when no move
    changed a card's deck."""
    sums: Tally = {}
    for key, gone in moves.out_of.items():
        if all(deck_of(moves.last(m.new, m.t)) == deck_of(key) for m in gone):
            continue  # every move of this key ends in its own deck (a cloze renumbered)
        rows = db.execute(
            "SELECT t, deck, day, bstate, bdays, rating, hour, ms FROM events"
            " WHERE key = ? AND t < ? AND kind = 0 AND undone = 0",
            (key, max(m.t for m in gone)),
        ).fetchall()
        for t, *rated in rows:
            deck = deck_of(moves.last(key, t))
            if deck != rated[0]:
                tally([tuple(rated)], sums, -1)
                tally([(deck, *rated[1:])], sums)
    return sums
