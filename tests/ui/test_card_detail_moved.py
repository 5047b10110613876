"""The card detail's history follows a card's progress when it moves (another deck, a cloze renumbered)."""

from __future__ import annotations

from datetime import UTC, timedelta
from pathlib import Path

from retain.core.state import REVIEW, CardState, Event
from retain.store.collection import Collection
from retain.store.decks.card_edits import move_card
from retain.store.home import open_home
from retain.store.state.progress_edits import move_progress

from .conftest import FIXED_NOW


def _review(col: Collection, key: str, days_ago: float, rating: int = 3) -> None:
    at = FIXED_NOW - timedelta(days=days_ago)
    after = CardState(REVIEW, None, 4.0 + days_ago, 6.0, at + timedelta(days=3), at, 1, 0)
    col.record(Event(col.new_event_id(at), "review", key, at, after, col.states.get(key), rating, 1000))


def test_the_card_detail_history_follows_a_moved_card(retain_home: Path) -> None:
    """A move (`m`, or the editor's deck choice) carried the state to the new key but left the
    history under the old one: the card detail said "1 review" and listed none."""
    with Collection.open(open_home({"RETAIN_HOME": str(retain_home)}), FIXED_NOW, tz=UTC) as col:
        _review(col, "kafka/isr", 2)
        moved = move_card(col, "kafka", "isr", "redis", FIXED_NOW)
        key = f"{moved.deck_id}/{moved.card.id}"
        assert col.states[key].reps == 1
        rows = col.history_index.card_reviews(FIXED_NOW, key)
        assert [(r.key, r.rating) for r in rows] == [("kafka/isr", 3)]
        assert col.history_index.reviews(FIXED_NOW, key=key) == []  # the stats keep it where it was made


def test_a_chain_of_moves_and_a_move_back_are_followed_once_each(retain_home: Path) -> None:
    with Collection.open(open_home({"RETAIN_HOME": str(retain_home)}), FIXED_NOW, tz=UTC) as col:
        _review(col, "kafka/isr", 5, rating=2)
        move_progress(col, {"kafka/isr": "kafka/isr2"}, FIXED_NOW - timedelta(days=4))
        _review(col, "kafka/isr2", 3, rating=4)
        move_progress(col, {"kafka/isr2": "kafka/isr"}, FIXED_NOW - timedelta(days=2))  # and back
        _review(col, "kafka/isr", 1, rating=3)
        rows = col.history_index.card_reviews(FIXED_NOW, "kafka/isr")
        assert [(r.key, r.rating) for r in rows] == [("kafka/isr", 2), ("kafka/isr2", 4), ("kafka/isr", 3)]


def test_a_key_used_again_after_a_move_lends_only_what_came_before(retain_home: Path) -> None:
    with Collection.open(open_home({"RETAIN_HOME": str(retain_home)}), FIXED_NOW, tz=UTC) as col:
        _review(col, "kafka/isr", 5, rating=2)
        move_progress(col, {"kafka/isr": "redis/isr"}, FIXED_NOW - timedelta(days=4))
        _review(col, "kafka/isr", 3, rating=1)  # a new card with the old id, reviewed since
        rows = col.history_index.card_reviews(FIXED_NOW, "redis/isr")
        assert [(r.key, r.rating) for r in rows] == [("kafka/isr", 2)]


def test_the_card_detail_lists_cram_ratings_and_forgets_but_not_moves(retain_home: Path) -> None:
    """A forgotten card showed "new" with "History: 2 reviews" and no word of the forget, and a
    card crammed listed none of its cram ratings (Anki's card info lists both). A move's own
    records, the card moved away and back, are still no forget."""
    from retain.core.cardlog import log_lines
    from retain.store.state.progress_edits import reset_progress

    with Collection.open(open_home({"RETAIN_HOME": str(retain_home)}), FIXED_NOW, tz=UTC) as col:
        _review(col, "kafka/isr", 6, rating=2)
        move_progress(col, {"kafka/isr": "kafka/isr2"}, FIXED_NOW - timedelta(days=5))
        move_progress(col, {"kafka/isr2": "kafka/isr"}, FIXED_NOW - timedelta(days=4))  # and back
        reset_progress(col, ["kafka/isr"], FIXED_NOW - timedelta(days=3))  # forgotten
        at = FIXED_NOW - timedelta(days=2)
        col.record(Event(col.new_event_id(at), "cram", "kafka/isr", at, None, None, 4, 500))
        _review(col, "kafka/isr", 1, rating=3)
        rows = col.history_index.card_reviews(FIXED_NOW, "kafka/isr")
        assert [(r.kind, r.rating) for r in rows] == [("review", 2), ("reset", 0), ("cram", 4), ("review", 3)]
        lines = log_lines(rows, UTC)
        assert lines[0] == "History: 2 reviews, 1 crammed, 1 forgotten"
        assert "Forgotten (back to new)" in lines[3] and lines[2].split()[2:4] == ["Cram", "Easy"]
