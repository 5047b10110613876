"""A card moved to another deck takes its review history along in the statistics, as in Anki
(whose deck statistics follow a card's current deck): the deck it is in now counts its earlier
ratings, the deck it left no longer does. Ratings made after a move under the old key (a new
card given the same id) stay with the old deck."""

from __future__ import annotations

import shutil
from datetime import UTC, timedelta
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from retain.commands.stats import stats_report
from retain.core.fsrsfit import HistoryRow, card_histories
from retain.core.state import REVIEW, CardState, Event
from retain.store.collection import Collection
from retain.store.decks.card_edits import move_card
from retain.store.home import open_home
from retain.store.state.progress_edits import move_progress, reset_progress

from .conftest import FIXED_NOW


def _review(col: Collection, key: str, days_ago: float, rating: int = 3) -> None:
    at = FIXED_NOW - timedelta(days=days_ago)
    after = CardState(REVIEW, None, 4.0 + days_ago, 6.0, at + timedelta(days=3), at, 1, 0)
    col.record(Event(col.new_event_id(at), "review", key, at, after, col.states.get(key), rating, 1000))


def _open(home: Path) -> Collection:
    return Collection.open(open_home({"RETAIN_HOME": str(home)}), FIXED_NOW, tz=UTC)


def _reviews(col: Collection, decks: list[str] | None) -> int:
    return sum(row.reviews for row in col.history_index.day_rows(FIXED_NOW, decks))


def _days(col: Collection, deck: str) -> int:
    found = col.history_index.activity(FIXED_NOW).get(deck)
    return 0 if found is None else len(found.days)


def test_a_moved_cards_reviews_count_for_the_deck_it_is_in_now(retain_home: Path) -> None:
    with _open(retain_home) as col:
        _review(col, "kafka/isr", 4, rating=3)  # new
        _review(col, "kafka/isr", 3, rating=1)  # a review failed
        _review(col, "kafka/isr", 2, rating=3)  # and passed
        moved = move_card(col, "kafka", "isr", "redis", FIXED_NOW - timedelta(days=1))
        assert moved.deck_id == "redis"
        assert _reviews(col, ["redis"]) == 3
        assert _reviews(col, ["kafka"]) == 0
        assert _reviews(col, None) == 3  # every deck: unchanged
        assert (_days(col, "redis"), _days(col, "kafka"), _days(col, "")) == (3, 0, 3)
        by_deck = {row["deck_id"]: row for row in stats_report(col, FIXED_NOW)["decks"]}
        assert by_deck["redis"]["retention"] == 0.5
        assert by_deck["kafka"]["retention"] is None
        assert stats_report(col, FIXED_NOW, "redis")["reviews"]["days_studied"] == 3
        assert stats_report(col, FIXED_NOW, "kafka")["reviews"]["days_studied"] == 0


def test_the_figures_stay_the_same_after_the_index_is_rebuilt(retain_home: Path) -> None:
    with _open(retain_home) as col:
        _review(col, "kafka/isr", 2)
        move_card(col, "kafka", "isr", "redis", FIXED_NOW - timedelta(days=1))
    for path in (retain_home / "cache").glob("history.sqlite3*"):
        path.unlink()
    with _open(retain_home) as col:
        assert (_reviews(col, ["redis"]), _reviews(col, ["kafka"])) == (1, 0)


def test_a_chain_of_moves_counts_for_the_last_deck_and_a_move_back_for_the_first(retain_home: Path) -> None:
    with _open(retain_home) as col:
        _review(col, "kafka/isr", 5, rating=2)
        move_progress(col, {"kafka/isr": "redis/isr"}, FIXED_NOW - timedelta(days=4))
        _review(col, "redis/isr", 3, rating=4)
        move_progress(col, {"redis/isr": "kafka/isr"}, FIXED_NOW - timedelta(days=2))  # and back
        _review(col, "kafka/isr", 1, rating=3)
        assert (_reviews(col, ["kafka"]), _reviews(col, ["redis"])) == (3, 0)
        assert (_days(col, "kafka"), _days(col, "redis")) == (3, 0)


def test_an_old_key_used_again_after_a_move_keeps_only_its_own_later_ratings(retain_home: Path) -> None:
    with _open(retain_home) as col:
        _review(col, "kafka/isr", 5, rating=2)
        move_progress(col, {"kafka/isr": "redis/isr"}, FIXED_NOW - timedelta(days=4))
        _review(col, "kafka/isr", 3, rating=1)  # a new card with the old id, reviewed since
        assert (_reviews(col, ["kafka"]), _reviews(col, ["redis"])) == (1, 1)


def test_a_card_made_new_again_keeps_its_history_in_its_deck(retain_home: Path) -> None:
    """A "forget" is a reset too, with no partner: nothing moves."""
    with _open(retain_home) as col:
        _review(col, "kafka/isr", 2)
        reset_progress(col, ["kafka/isr"], FIXED_NOW - timedelta(days=1))
        assert (_reviews(col, ["kafka"]), _reviews(col, ["redis"])) == (1, 0)


_KEYS = ("kafka/isr", "kafka/acks", "redis/isr", "redis/aof")
_steps = st.lists(
    st.one_of(
        st.tuples(st.just("rate"), st.sampled_from(_KEYS)),
        st.tuples(st.just("move"), st.sampled_from(_KEYS), st.sampled_from(_KEYS)),
        st.tuples(st.just("forget"), st.sampled_from(_KEYS)),
    ),
    max_size=10,
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=_steps)
def test_any_moves_count_each_rating_for_the_deck_its_card_is_in_now(
    retain_home: Path, steps: list[tuple[str, ...]]
) -> None:
    """A model: each card is an identity living at one key; a rating belongs to the identity; a
    move takes the identity to the new key (the old key's next rating is a new card's). A card
    without progress (new, or made new again) moves nothing in the journal: its ratings stay."""
    for path in (retain_home / "state", retain_home / "cache"):
        shutil.rmtree(path, ignore_errors=True)
    at: dict[str, int] = {}  # key -> identity living there
    progress: set[str] = set()  # keys with a state
    ratings: list[int] = []  # identity of each rating
    made = 0
    with _open(retain_home) as col:
        for i, (what, *keys) in enumerate(steps):
            when = FIXED_NOW - timedelta(days=20 - i)
            if what == "rate":
                if keys[0] not in at:
                    at[keys[0]], made = made, made + 1
                _review(col, keys[0], 20 - i)
                ratings.append(at[keys[0]])
                progress.add(keys[0])
            elif what == "move" and keys[0] != keys[1] and keys[1] not in at:
                move_progress(col, {keys[0]: keys[1]}, when)
                if keys[0] in at:  # (a forgotten card's reviews and reset go with it too: h36)
                    at[keys[1]] = at.pop(keys[0])
                    if keys[0] in progress:
                        progress.remove(keys[0])
                        progress.add(keys[1])
            elif what == "forget":
                reset_progress(col, [keys[0]], when)  # the same card, new again
                progress.discard(keys[0])
        where = {ident: key.partition("/")[0] for key, ident in at.items()}
        for deck in ("kafka", "redis"):
            assert _reviews(col, [deck]) == sum(1 for ident in ratings if where[ident] == deck)


def test_the_optimizer_reads_a_moved_cards_whole_history_under_its_deck_now(retain_home: Path) -> None:
    """Before, the old key's history ended in the move's "back to new" and the new key's began
    with a review from a review state: the card gave the optimizer nothing at all."""
    with _open(retain_home) as col:
        _review(col, "kafka/isr", 6, rating=3)  # from new
        _review(col, "kafka/isr", 4, rating=1)
        move_card(col, "kafka", "isr", "redis", FIXED_NOW - timedelta(days=3))
        _review(col, "redis/isr", 2, rating=4)
        _review(col, "kafka/acks", 1, rating=3)  # an untouched card

        def histories(decks: list[str] | None) -> list[tuple[str, list[int]]]:
            rows = col.history_index.card_events(FIXED_NOW, decks, follow_moves=True)
            return [(key, ratings) for key, _days, ratings in card_histories(HistoryRow(*r) for r in rows)]

        assert histories(["redis"]) == [("redis/isr", [3, 1, 4])]
        assert histories(["kafka"]) == [("kafka/acks", [3])]
        assert sorted(histories(None)) == [
            ("kafka/acks", [3]),
            ("redis/isr", [3, 1, 4]),
        ]


def test_optimizer_follows_each_card_of_a_cloze_shift(retain_home: Path) -> None:
    """A new cloze put in front renumbers c1 -> c2 and c2 -> c3 in one save: the old c2 takes
    the old c1's state and is not made new, so the move c2 -> c3 was missed; the optimizer mixed
    two cards' ratings under c2 and lost the old c2's history (found by the review)."""
    c1, c2, c3 = (f"redis/persistence:c{n}" for n in (1, 2, 3))
    with _open(retain_home) as col:
        _review(col, c1, 10, rating=3)  # from new
        _review(col, c2, 9, rating=3)  # from new
        _review(col, c1, 8, rating=3)
        _review(col, c2, 7, rating=1)
        move_progress(col, {c1: c2, c2: c3}, FIXED_NOW - timedelta(days=5))
        _review(col, c2, 3, rating=4)  # the card that was c1
        _review(col, c3, 2, rating=3)  # the card that was c2
        rows = col.history_index.card_events(FIXED_NOW, ["redis"], follow_moves=True)
        found = {key: ratings for key, _days, ratings in card_histories(HistoryRow(*r) for r in rows)}
        # the browser's card detail (card_reviews) already follows both moves
        assert [r.rating for r in col.history_index.card_reviews(FIXED_NOW, c3)] == [3, 1, 3]
        assert found.get(c2) == [3, 3, 4]
        assert found.get(c3) == [3, 1, 3]
