"""Cards moved to another deck: their earlier ratings counted for the deck they are in now.

A move (`store.state.progress_edits.move_progress`: `m` in the browser, another deck
chosen in the editor, a cloze renumbered) carries a card's state to its new key and
leaves its review events under the old one. In the journal it is a pair of "reset"
records written at one time in one file: the old key's back to new, and the new key's
whose state after is the old key's state before. The `daily` sums count each rating
for the deck of its own key; the statistics of a deck follow the card instead, as
Anki's do (its deck statistics go by a card's current deck).

`deck_moves` finds the moves (through a partial index on the "back to new" resets, a
few rows even in a big history; a swap, which makes no key new, is not found), and `moved_sums` what to take from one deck's
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

__all__ = ["Move", "Moves", "deck_moves", "moved_sums"]

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
        "SELECT e.file, e.t, e.key, f.device, f.name, e.off FROM events e JOIN files f ON f.id = e.file"
        f" WHERE e.kind = {RESET} AND e.astate IS NULL AND e.undone = 0 ORDER BY e.t"
    ).fetchall()
    groups: dict[tuple[int, int], list[tuple[str, str, int]]] = {}
    for file_id, t, _key, device, name, off in forgets:
        groups.setdefault((file_id, t), []).append((device, name, off))
    found: list[Move] = []
    for (file_id, t), olds in groups.items():
        partners = db.execute(
            "SELECT f.device, f.name, e.off FROM events e JOIN files f ON f.id = e.file"
            f" WHERE e.file = ? AND e.t = ? AND e.kind = {RESET} AND e.astate IS NOT NULL AND e.undone = 0",
            (file_id, t),
        ).fetchall()
        if partners:
            found += _pairs(read(olds), read(partners), t)
    return found


def _pairs(olds: list[Event], news: list[Event], t: int) -> list[Move]:
    """Each new key paired with the old key whose state before it took (the same card id first).

    An old key is one made new by the move, or, in a chain (a cloze put in front: c1 -> c2,
    c2 -> c3), another new key of the same move: c2 took c1's state and gave its own to c3."""
    out: list[Move] = []
    left = [e for e in [*olds, *news] if e.before is not None]
    for new in news:
        same = [e for e in left if e.before == new.after and e.key != new.key]
        if not same:
            continue
        card = new.key.partition("/")[2]
        old = next((e for e in same if e.key.partition("/")[2] == card), same[0])
        left.remove(old)
        out.append(Move(old.key, new.key, t))
    return out


class Moves:
    """The moves of a history, to follow a rating to the key its card is under now."""

    def __init__(self, moves: list[Move]) -> None:
        self.out_of: dict[str, list[Move]] = {}
        for move in moves:
            self.out_of.setdefault(move.old, []).append(move)
        self.keys = set(self.out_of) | {m.new for m in moves}  # every key a move touches

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
