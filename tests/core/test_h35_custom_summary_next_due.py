"""A custom study's summary says when normal study serves the next card of its decks.

The summary of a cram, a study ahead or a search counted only the cards rated in it and its own
learning steps: a cram of a deck with new cards waiting said "Next due: nothing scheduled", or
the crammed card's due ("in 9d"), while `retain due` and the home screen had cards ready now.
Its "Next due" follows the rule of a daily session of the same decks: now when that would serve
a card, else when it serves the next one (`ReviewSession.serving`, `decks_queue`).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from retain.core.custom_study import CustomStudy
from retain.core.session import ReviewSession
from retain.core.state import REVIEW, CardState, Event
from retain.store import home as store_home
from retain.store.collection import Collection
from retain.store.custom_session import start_custom_session
from retain.store.home import open_home

NOW = datetime(2026, 12, 10, 8, 0, tzinfo=UTC)  # 08:00: the study day began at 04:00


def _deck(deck_id: str, cards: int) -> str:
    body = "".join(f'\n[[cards]]\nid = "c{i}"\nfront = "Q{i}"\nback = "A{i}"\n' for i in range(cards))
    return f'format = 1\n\n[deck]\nid = "{deck_id}"\nname = "{deck_id.title()}"\n{body}'


@pytest.fixture
def col(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Collection]:
    """A home with `kafka` (4 cards) and `redis` (2 cards), no bundled decks, no fuzz."""
    monkeypatch.setattr(store_home, "bundled_decks_dir", lambda: None)
    (tmp_path / "decks").mkdir()
    (tmp_path / "decks" / "kafka.toml").write_text(_deck("kafka", 4), encoding="utf-8")
    (tmp_path / "decks" / "redis.toml").write_text(_deck("redis", 2), encoding="utf-8")
    (tmp_path / "config.toml").write_text("[study]\nfuzz = false\n", encoding="utf-8")
    collection = Collection.open(open_home({"RETAIN_HOME": str(tmp_path)}), NOW, tz=UTC)
    yield collection
    collection.close()


def _review(col: Collection, key: str, due: datetime) -> None:
    """Give `key` a review state due at `due` (recorded a week before NOW, as a real review)."""
    at = NOW - timedelta(days=7)
    after = CardState(state=REVIEW, stability=10.0, difficulty=5.0, due=due, last_review=at, reps=3, lapses=0)
    col.record(Event(col.new_event_id(at), "review", key, at, after, col.states.get(key), 3, 1000))


def _rate_all(session: ReviewSession, rating: int, at: datetime) -> datetime:
    while session.current is not None:
        session.reveal()
        session.rate(rating, at)
        at += timedelta(seconds=10)
    return at - timedelta(seconds=10)


def _served_now(col: Collection, decks: list[str], at: datetime) -> datetime | None:
    """What a daily session of `decks` started at `at` says is next due: now when it has a card."""
    session = col.start_session(decks, at)
    return at if session.current is not None else session.summary().next_due


def _custom(col: Collection, study: CustomStudy, at: datetime) -> ReviewSession:
    session = start_custom_session(col, study, at)
    session.decks_queue = col.study_queue  # (the study screen gives it: `StudyScreen.action_end`)
    return session


def test_a_cram_of_a_deck_with_new_cards_waiting_is_next_due_now(col: Collection) -> None:
    """The repro: kafka's cards crammed (two of them reviews due in days, two new), every one
    rated Good. Cram leaves them as they were: kafka's two new cards are served now."""
    _review(col, "kafka/c0", NOW + timedelta(days=9))
    _review(col, "kafka/c1", NOW + timedelta(days=12))
    session = _custom(col, CustomStudy("cram", deck_ids=("kafka",), label="Kafka"), NOW)
    last = _rate_all(session, 3, NOW)
    assert col.due_counts(last)["kafka"].new == 2  # what `retain due` shows
    assert session.summary().next_due == last  # was NOW + 9 days (the crammed review's due)


def test_study_ahead_with_a_review_due_today_left_is_next_due_now(col: Collection) -> None:
    """Study ahead 3 days, one card rated and the session ended: kafka/c1, due today, is still
    due (a daily session of kafka would show it now). Was the rated card's due, days away."""
    for i, hours in enumerate((2, 3, 60, 480)):
        _review(col, f"kafka/c{i}", NOW + timedelta(hours=hours))
    session = _custom(col, CustomStudy("ahead", days=3), NOW)
    assert session.current is not None and session.current.key == "kafka/c0"
    session.reveal()
    session.rate(3, NOW)
    assert session.summary().next_due == NOW


def test_study_ahead_of_one_deck_is_not_due_now_by_another_decks_cards(col: Collection) -> None:
    """The session's decks are its cards' decks: redis's new cards (no card of redis in a study
    ahead) do not make it "now"; it names kafka's next card, as a daily session of kafka does."""
    for i, hours in enumerate((2, 60, 480, 500)):
        _review(col, f"kafka/c{i}", NOW + timedelta(hours=hours))
    session = _custom(col, CustomStudy("ahead", days=1), NOW)
    last = _rate_all(session, 3, NOW)
    expected = _served_now(col, ["kafka"], last)
    assert expected is not None and expected > last
    assert session.summary().next_due == expected


def test_a_search_over_a_deck_with_new_cards_is_next_due_now(col: Collection) -> None:
    """A search for one card of each deck, both rated Easy: each deck still has new cards."""
    session = _custom(col, CustomStudy("search", query="Q0"), NOW)
    last = _rate_all(session, 4, NOW)
    assert session.summary().next_due == last  # was the Easy cards' due, days away


def test_a_cram_after_the_days_new_cards_names_the_next_review(col: Collection) -> None:
    """Nothing ready now (every card a review, the soonest due in 5 days): the summary says when
    normal study serves it, as a daily session of the deck says; not "nothing scheduled"."""
    for i in range(4):
        _review(col, f"kafka/c{i}", NOW + timedelta(days=5 + i))
    session = _custom(col, CustomStudy("cram", deck_ids=("kafka",), label="Kafka"), NOW)
    last = _rate_all(session, 3, NOW)
    expected = _served_now(col, ["kafka"], last)
    assert expected == col.studyday.start_of(col.studyday.of(NOW + timedelta(days=5)))
    assert session.summary().next_due == expected


def test_a_daily_session_left_with_cards_ready_is_next_due_now(col: Collection) -> None:
    """The same rule in a daily session: ended with cards ready, its summary says now."""
    session = col.start_session(["kafka"], NOW)
    session.reveal()
    session.rate(4, NOW)
    assert session.current is not None
    assert session.summary().next_due == NOW


def test_without_a_decks_queue_the_custom_queue_counts_its_own_cards(col: Collection) -> None:
    """A custom session built without a collection's queue (tests, tools) keeps the old rule:
    its learning steps and the cards rated (a crammed review: its due)."""
    _review(col, "kafka/c0", NOW + timedelta(days=9))
    session = start_custom_session(col, CustomStudy("cram", deck_ids=("kafka",), label="Kafka"), NOW)
    assert session.decks_queue is None
    session.reveal()
    session.rate(3, NOW)
    assert session.summary().next_due == col.studyday.start_of(col.studyday.of(NOW + timedelta(days=9)))
