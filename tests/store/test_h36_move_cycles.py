"""A move that permutes keys (a swap of two cloze numbers, a 3-cycle, a cycle plus a chain, cards
moved between decks in a cycle) gives every reader the history of the card that holds a key now.

A swap made no key new, so `move_progress` wrote no "back to new" half: the deck statistics, the
optimizer's per-card history and `export --with-progress` (`.toml` and `.apkg`) did not see the
move, and left the swapped card's reviews under its old key, now another card's; the card detail
listed them under both keys. A key's own events before a move out of it (or into it) were also
listed as the card's that holds the key now.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from retain.core.due import deck_of
from retain.core.fsrsfit import HistoryRow, card_histories
from retain.core.state import REVIEW, CardState, Event
from retain.interop.progress_moves import DecksHistory, decks_history
from retain.store.collection import Collection
from retain.store.home import open_home
from retain.store.state.progress_edits import move_progress, reset_progress

NOW = datetime(2026, 3, 28, 12, 0, tzinfo=UTC)
MOVED = NOW - timedelta(hours=1)
DECKS = ("a", "b")
PLACED = ("a/k0", "a/k1", "a/k2", "b/k0", "b/k1", "a/t:c1", "a/t:c2", "a/t:c3")
FRESH = ("a/f0", "b/f0", "a/t:c4")  # keys no card has yet
STATUS = ("new", "studied", "forgotten")  # forgotten: studied, then reset (history, no progress)


@dataclass(frozen=True)
class Card:
    ratings: tuple[int, ...]
    forgotten: bool

    def log(self) -> list[tuple[str, int]]:
        return [("review", r) for r in self.ratings] + ([("reset", 0)] if self.forgotten else [])


def _open(root: Path, at: datetime = NOW) -> Collection:
    return Collection.open(open_home({"RETAIN_HOME": str(root)}), at, tz=UTC)


def _study(col: Collection, key: str, ratings: tuple[int, ...], start: datetime) -> None:
    for n, rating in enumerate(ratings):
        at = start + timedelta(minutes=n)
        before = col.states.get(key)
        after = CardState(REVIEW, None, 2.0 + n, 5.0, at + timedelta(days=rating), at, n + 1, n)
        col.record(Event(col.new_event_id(at), "review", key, at, after, before, rating, 1000))


def _home(root: Path, statuses: dict[str, str]) -> dict[str, Card]:
    """Each placed key's card: studied ones with a rating list of their own length."""
    (root / "decks").mkdir(parents=True)
    cards: dict[str, Card] = {}
    with _open(root, MOVED) as col:
        for i, key in enumerate(PLACED):
            status = statuses[key]
            ratings = () if status == "new" else tuple(1 + (i + n) % 4 for n in range(i + 1))
            _study(col, key, ratings, NOW - timedelta(days=30 - i))
            if status == "forgotten":
                reset_progress(col, [key], NOW - timedelta(days=10 - i))
            cards[key] = Card(ratings, status == "forgotten")
    return cards


def _expected(cards: dict[str, Card], moves: dict[str, str]) -> dict[str, Card]:
    """The card each key holds after `moves` (a key left and not moved into: nothing)."""
    held = {key: card for key, card in cards.items() if key not in moves}
    held.update({new: cards[old] for old, new in moves.items()})
    none = Card((), False)
    return {key: held.get(key, none) for key in (*PLACED, *FRESH)}


def _readers(col: Collection, at: datetime) -> Iterator[tuple[str, dict[str, list[tuple[str, int]]]]]:
    """Per reader, each key's (kind, rating) list: the card detail, the optimizer's history
    (`card_events(follow_moves=True)`, before the move) and the export with progress."""
    history = col.history_index
    yield (
        "card detail",
        {k: [(r.kind, r.rating) for r in history.card_reviews(at, k)] for k in (*PLACED, *FRESH)},
    )
    optimizer: dict[str, list[tuple[str, int]]] = {}
    for key, t, is_review, rating, *_ in history.card_events(at, DECKS, follow_moves=True):
        if t < int(MOVED.timestamp() * 1e6):
            optimizer.setdefault(key, []).append(("review" if is_review else "reset", rating))
    yield "optimizer", optimizer
    for decks in (DECKS, ("a",), ("b",)):
        exported: dict[str, list[tuple[str, int]]] = {}
        for r in decks_history(history, decks, at):
            exported.setdefault(r.key, []).append((r.kind, r.rating))
        yield f"export of {decks}", exported
    by_deck: dict[str, list[tuple[str, int]]] = {}
    for r in DecksHistory(history, DECKS, at):  # (a group's export: a deck at a time)
        by_deck.setdefault(r.key, []).append((r.kind, r.rating))
    yield f"export of {DECKS}, a deck at a time", by_deck


def _check(root: Path, cards: dict[str, Card], moves: dict[str, str]) -> None:
    want = _expected(cards, moves)
    at = NOW + timedelta(minutes=1)
    with _open(root, at) as col:
        for reader, got in _readers(col, at):
            for key, card in want.items():
                if reader.startswith("export of") and deck_of(key) not in reader:
                    continue
                assert got.get(key, []) == card.log(), (reader, key, moves)
        for key, card in want.items():
            state = col.states.get(key)
            if card.ratings and not card.forgotten:
                assert state is not None and state.reps == len(card.ratings), (key, moves)
            else:
                assert state is None or state.is_new, (key, moves)
        rows = col.history_index.card_events(at, DECKS, follow_moves=True)
        fitted = {key: ratings for key, _days, ratings in card_histories(HistoryRow(*r) for r in rows)}
        assert fitted == {k: list(c.ratings) for k, c in want.items() if c.ratings and not c.forgotten}, (
            moves
        )  # the optimizer: each card's reviews from new, no move read as a forget
        per_deck = {d: sum(r.reviews for r in col.history_index.day_rows(at, [d])) for d in DECKS}
        assert per_deck == {
            d: sum(len(c.ratings) for k, c in want.items() if deck_of(k) == d) for d in DECKS
        }, moves


def _moves(perm: list[str], chosen: list[bool]) -> dict[str, str]:
    olds = [k for k, pick in zip(PLACED, chosen, strict=True) if pick]
    return dict(zip(olds, perm[: len(olds)], strict=True))


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    statuses=st.fixed_dictionaries({k: st.sampled_from(STATUS) for k in PLACED}),
    chosen=st.lists(st.booleans(), min_size=len(PLACED), max_size=len(PLACED)),
    data=st.data(),
)
def test_any_permutation_of_keys_keeps_each_cards_history(
    statuses: dict[str, str], chosen: list[bool], data: st.DataObject
) -> None:
    """The moved keys go to a permutation of themselves and of fresh keys (cycles and chains)."""
    olds = [k for k, pick in zip(PLACED, chosen, strict=True) if pick]
    perm = data.draw(st.permutations([*olds, *FRESH]))
    moves = _moves(perm, chosen)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        cards = _home(root, statuses)
        with _open(root, MOVED) as col:
            move_progress(col, moves, MOVED)
        _check(root, cards, moves)


def _swap_home(root: Path) -> dict[str, Card]:
    statuses = dict.fromkeys(PLACED, "new") | {"a/t:c1": "studied", "a/k0": "studied", "b/k0": "studied"}
    return _home(root, statuses)


def test_a_swap_of_two_cloze_numbers(tmp_path: Path) -> None:
    cards = _swap_home(tmp_path)
    moves = {"a/t:c1": "a/t:c2", "a/t:c2": "a/t:c1"}
    with _open(tmp_path, MOVED) as col:
        move_progress(col, moves, MOVED)
    _check(tmp_path, cards, moves)


def test_a_three_cycle_across_decks_and_a_chain(tmp_path: Path) -> None:
    cards = _swap_home(tmp_path)
    moves = {"a/k0": "b/k0", "b/k0": "a/k1", "a/k1": "a/k0", "a/t:c1": "a/t:c2", "a/t:c2": "a/t:c4"}
    with _open(tmp_path, MOVED) as col:
        move_progress(col, moves, MOVED)
    _check(tmp_path, cards, moves)


def test_the_index_rebuilt_from_the_journals_reads_the_same(tmp_path: Path) -> None:
    cards = _swap_home(tmp_path)
    moves = {"a/t:c1": "a/t:c2", "a/t:c2": "a/t:c1", "a/k0": "b/k0", "b/k0": "a/k0"}
    with _open(tmp_path, MOVED) as col:
        move_progress(col, moves, MOVED)
    for index in tmp_path.rglob("history.sqlite3*"):
        index.unlink()
    _check(tmp_path, cards, moves)


def test_a_move_recorded_by_an_older_retain_still_reads(tmp_path: Path) -> None:
    """Journals of older versions: the new keys' records first, then the old keys' back to new
    (a chain c1 -> c2 -> c3, a card moved to another deck), without a group (`g`)."""
    cards = _swap_home(tmp_path)
    moves = {"a/t:c1": "a/t:c2", "a/t:c2": "a/t:c3", "a/k0": "b/f0"}
    with _open(tmp_path, MOVED) as col:
        before = {k: col.states.get(k) for k in (*moves, *moves.values())}
        events = [
            Event(col.new_event_id(MOVED), "reset", new, MOVED, before[old] or CardState(), before[new])
            for old, new in moves.items()
            if before[old] is not None or before[new] is not None
        ]
        events += [
            Event(col.new_event_id(MOVED), "reset", old, MOVED, None, before[old])
            for old in moves
            if old not in moves.values() and before[old] is not None
        ]
        col.record_many(events)  # (no `g`, as older journals)
    _check(tmp_path, cards, moves)


def test_a_swap_recorded_by_an_older_retain_reads_in_the_card_detail(tmp_path: Path) -> None:
    """An older retain's swap: only the new keys' records, no back to new (the deck statistics,
    the optimizer and an export cannot find it; the card detail pairs it by state)."""
    cards = _home(tmp_path, dict.fromkeys(PLACED, "studied") | {"a/t:c2": "new"})
    at = NOW + timedelta(minutes=1)
    for pair in (("a/k0", "a/k1"), ("a/t:c1", "a/t:c2")):
        with _open(tmp_path, MOVED) as col:
            first, second = (col.states.get(k) for k in pair)
            col.record_many(
                [
                    Event(col.new_event_id(MOVED), "reset", pair[1], MOVED, first or CardState(), second),
                    Event(col.new_event_id(MOVED), "reset", pair[0], MOVED, second or CardState(), first),
                ]
            )
        with _open(tmp_path, at) as col:
            for old, new in (pair, pair[::-1]):
                got = [(r.kind, r.rating) for r in col.history_index.card_reviews(at, new)]
                assert got == cards[old].log(), (old, new)
