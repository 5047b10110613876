"""A deck's review history for an export, following cards moved between decks.

A move (`store.state.progress_edits.move_progress`: the browser's `m`, another deck chosen
in the editor, a cloze renumbered) carries a card's state to its new key and leaves its
earlier events under the old key, in the old deck. An export with progress sends the
history with the card, as the card detail and the statistics count it: a card moved into
the deck brings the ratings it had before (written under the key it has now), and one moved
out takes them along. The History says where each rating belongs now
(`History.card_events(..., follow_moves=True)`) and which keys a card was under before
(`History.card_reviews`); both only for the few keys that have a "reset" record here, the
mark every move leaves on both of its keys.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, nullcontext
from datetime import datetime

from retain.core.due import deck_of
from retain.core.state import CardState, Event
from retain.interop.bundle import Review
from retain.interop.history import events_for_deck
from retain.store.index.history import History
from retain.store.index.ingest import micros

__all__ = ["DecksHistory", "decks_history"]

_FOLLOWED = ("review", "reset")  # the kinds `card_events` places (reviews and resets)


class DecksHistory:  # (a `bundle.DeckReviews`)
    """The review history of some decks for an export, read a deck at a time when it is used
    (`of`, or iterated: deck by deck, each deck's oldest first), never held whole: a group of
    50k cards held its 290k events at once, ~400 MB. A deck's events are `decks_history` of
    that deck alone, which follows moves as the whole group's call does (a card moved between
    two decks of it goes with the deck it is in now). `ratings` counts the ratings handed out;
    each deck is read inside `reading()` (the CLI's "reading your review history" line)."""

    def __init__(self, history: History, deck_ids: Sequence[str], now: datetime) -> None:
        self.deck_ids = list(deck_ids)
        self.ratings = 0
        self._history = history
        self._now = now
        self._read: tuple[str, list[Review]] | None = None  # a deck read by `__bool__`, not yet handed out
        self.reading: Callable[[], AbstractContextManager[object]] = nullcontext

    def of(self, deck_id: str) -> list[Review]:
        """The events of `deck_id` (one of `deck_ids`), oldest first."""
        if self._read is not None and self._read[0] == deck_id:
            reviews, self._read = self._read[1], None
        else:
            reviews = self._deck(deck_id)
        self.ratings += sum(1 for r in reviews if r.kind == "review")  # (not suspends, resets)
        return reviews

    def __iter__(self) -> Iterator[Review]:
        for deck_id in self.deck_ids:
            yield from self.of(deck_id)

    def __bool__(self) -> bool:
        """Whether any deck has an event: read up to the first deck that has one (kept for `of`)."""
        if self._read is not None:
            return True
        for deck_id in self.deck_ids:
            if reviews := self._deck(deck_id):
                self._read = (deck_id, reviews)
                return True
        return False

    def _deck(self, deck_id: str) -> list[Review]:
        with self.reading():
            return decks_history(self._history, [deck_id], self._now)


def decks_history(history: History, deck_ids: Sequence[str], now: datetime) -> list[Review]:
    """The events of `deck_ids`' cards, oldest first (undo events and what they took back left
    out): each deck's own, less those of cards moved out of them since (with the old key's half
    of the move), plus those of cards moved in (under the key the card has now)."""
    events = history.events(now, decks=list(deck_ids))
    own = [r for deck_id in deck_ids for r in events_for_deck(events, deck_id)]
    marked = {r.key for r in own if r.kind == "reset"}  # both halves of a move are resets
    if not marked:
        return own
    return _without_moves(history, now, events, _followed(history, deck_ids, now, events, own, marked))


def _followed(
    history: History,
    deck_ids: Sequence[str],
    now: datetime,
    events: list[Event],
    own: list[Review],
    marked: set[str],
) -> list[Review]:
    """`own`, less the events of cards moved out since, plus those of cards moved in."""
    now_at: set[tuple[str, int]] = set()  # (key now, time) of the ratings and resets of these decks
    for key, t, *_ in history.card_events(now, deck_ids, follow_moves=True):
        if key in marked:
            now_at.add((key, t))
    gone = _moved_out(own, now_at | history.moves(now).records, marked)  # (`card_events` leaves
    # the moves' own records out: they stay where they are written)
    came = _moved_in(history, own, now_at, marked, events, now)
    kept = [r for r in own if (r.key, micros(r.time)) not in gone]
    return sorted(kept + came, key=lambda r: r.time)


def _without_moves(
    history: History, now: datetime, events: list[Event], reviews: list[Review]
) -> list[Review]:
    """`reviews` less the "reset" records that are a move's own (`move_progress`), no learner
    action: Anki gets no row for them (a "Reset" row would start the card over there) and the
    ease replay (`ankikeep.AnkiEase`) never sees them, as the card detail lists none of them
    (`History.card_reviews`). The old key's half is a back to new that is no forget
    (`History.forgets`: a forget has no other half); the new key's carries a state the key did
    not earn there (`_carried`), or is one of a move the History pairs (`History.moves`: the
    new state of a card that had none, a swap's keys)."""
    backs = [e for e in events if e.kind == "reset" and e.after is None]
    forgets = history.forgets(now, min(e.time for e in backs)) if backs else set()
    halves = {(e.key, e.time) for e in backs if e.id not in forgets}
    paired = history.moves(now).records  # (key, µs) of the records of the moves the History pairs
    return [
        r
        for r in reviews
        if r.kind != "reset"
        or ((r.key, r.time) not in halves and (r.key, micros(r.time)) not in paired and not _carried(r))
    ]


def _carried(r: Review) -> bool:
    """A "reset" that gives its key a state from elsewhere: a studied card's (more reviews, lapses
    or another last review than the key had: a reschedule, Anki's "Set due date", keeps those), or
    a new card's written out over a studied one (`CardState()`: a card without progress moved
    onto a key that had some; a forget leaves none)."""
    after, before = r.after, r.before
    if after is None:
        return False
    if after == CardState():
        return before is not None and not before.is_new
    if after.is_new:
        return False
    if before is None or before.is_new:
        return after.reps > 0
    return (after.reps, after.lapses, after.last_review) != (before.reps, before.lapses, before.last_review)


def _moved_out(own: list[Review], now_at: set[tuple[str, int]], marked: set[str]) -> set[tuple[str, int]]:
    """(key, time) of the events of cards that left their key since (to a key the History places
    elsewhere): every event up to the move, and the move's "back to new" record."""
    last_gone: dict[str, int] = {}
    for r in own:
        t = micros(r.time)
        if r.key in marked and r.kind in _FOLLOWED and (r.key, t) not in now_at:
            last_gone[r.key] = max(t, last_gone.get(r.key, t))
    if not last_gone:
        return set()
    until = dict(last_gone)
    moves: dict[str, int] = {}  # the move itself: the first "back to new" after the last event that went
    for r in own:
        t = micros(r.time)
        if r.key in last_gone and r.kind == "reset" and r.after is None and t >= last_gone[r.key]:
            moves[r.key] = min(t, moves.get(r.key, t))
    until.update(moves)
    return {(r.key, micros(r.time)) for r in own if r.key in until and micros(r.time) <= until[r.key]}


def _moved_in(
    history: History,
    own: list[Review],
    now_at: set[tuple[str, int]],
    marked: set[str],
    events: list[Event],
    now: datetime,
) -> list[Review]:
    """The events cards moved into these decks had under their earlier keys, under the key now."""
    held = {(r.key, micros(r.time)) for r in own if r.key in marked}
    into = sorted({key for key, t in now_at if (key, t) not in held})
    wanted: dict[tuple[str, int], str] = {}  # (earlier key, time) -> key now
    for key in into:
        for row in history.card_reviews(now, key):
            if row.key != key:
                wanted[(row.key, micros(row.time))] = key
    if not wanted:
        return []
    have = {e.key.split("/", 1)[0] for e in events}
    other = sorted({deck_of(old) for old, _ in wanted} - have)
    found = [*events, *(history.events(now, decks=other) if other else [])]
    undone = {e.undoes for e in found if e.kind == "undo"}
    out: list[Review] = []
    for e in found:
        now_key = wanted.get((e.key, micros(e.time)))
        if now_key is not None and e.kind != "undo" and e.id not in undone:
            out.append(Review(now_key, e.time, e.after, e.before, e.kind, e.rating, e.duration_ms))
    return out
