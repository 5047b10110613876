"""A card deleted from its deck during a session is no longer "next due" in its summary.

Rated Good, a new card went into a "<10m" learning step and stayed in the session; then it was
deleted from the deck file (by hand, or in the browser). The session dropped it, and its summary
said "Next due: now" though nothing of the deck is due (`retain due`: 0; the deck list: 0/0/0):
the summary counted every card rated in the session with its state, deleted or not. A card the
session no longer has (its deck's file gone, or the card deleted) is no longer next due; a card of
a deck whose file does not load right now (held, its cards kept) still is.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from retain.core.session import ReviewSession
from retain.store import home as store_home
from retain.store.collection import Collection
from retain.store.home import open_home

NOW = datetime(2026, 12, 10, 8, 0, tzinfo=UTC)  # 08:00: the study day began at 04:00
HEAD = 'format = 1\n\n[deck]\nid = "solo"\nname = "Solo"\n'
CARD = '\n[[cards]]\nid = "{id}"\nfront = "front {id}"\nback = "back {id}"\n'


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(store_home, "bundled_decks_dir", lambda: None)
    (tmp_path / "decks").mkdir()
    (tmp_path / "decks" / "solo.toml").write_text(HEAD + CARD.format(id="one"), encoding="utf-8")
    (tmp_path / "config.toml").write_text("[study]\nfuzz = false\n", encoding="utf-8")
    return tmp_path


@pytest.fixture
def col(home: Path) -> Iterator[Collection]:
    collection = Collection.open(open_home({"RETAIN_HOME": str(home)}), NOW, tz=UTC)
    yield collection
    collection.close()


def _good_into_a_step(col: Collection) -> ReviewSession:
    """`solo/one` rated Good: a "<10m" learning step, served again at once (learn-ahead)."""
    session = col.start_session(["solo"], NOW)
    assert session.current is not None and session.current.key == "solo/one"
    session.reveal()
    session.rate(3, NOW)
    state = col.states["solo/one"]
    assert state.due is not None and timedelta(0) < state.due - NOW <= timedelta(minutes=10)
    return session


def test_a_deleted_card_is_not_next_due(col: Collection, home: Path) -> None:
    """The repro: the card rated Good is deleted from the deck file; the session drops it and
    has nothing else, so its summary says nothing is scheduled, as `retain due` does."""
    session = _good_into_a_step(col)
    assert session.summary().next_due == NOW  # (within learn-ahead: served now)
    (home / "decks" / "solo.toml").write_text(HEAD, encoding="utf-8")
    col.reload_library()
    at = NOW + timedelta(seconds=5)
    session.refresh_units(col.units_by_key, at, held=set())
    assert session.current is None
    summary = session.summary()
    assert summary.studied == 1  # (the rating stands)
    assert summary.next_due is None
    counts = col.due_counts(at).get("solo")  # (a deck without cards: not counted)
    assert counts is None or counts.total == 0


def test_a_deleted_card_leaves_the_rest_of_the_summary(col: Collection, home: Path) -> None:
    """Another card rated in the session, due in days, still names when the next card comes."""
    deck = home / "decks" / "solo.toml"
    deck.write_text(HEAD + CARD.format(id="one") + CARD.format(id="two"), encoding="utf-8")
    col.reload_library()
    session = col.start_session(["solo"], NOW)
    rated: dict[str, datetime | None] = {}
    while session.current is not None and len(rated) < 2:
        key = session.current.key
        session.reveal()
        session.rate(4 if key == "solo/two" else 3, NOW)  # one Good ("<10m"), two Easy (days)
        rated[key] = col.states[key].due
    easy = rated["solo/two"]
    assert easy is not None and easy - NOW > timedelta(days=1)
    deck.write_text(HEAD + CARD.format(id="two"), encoding="utf-8")
    col.reload_library()
    session.refresh_units(col.units_by_key, NOW, held=set())
    next_due = session.summary().next_due
    assert next_due is not None and next_due > NOW + timedelta(hours=12)  # two's review, not one's step


def test_a_card_of_a_deck_that_does_not_load_right_now_is_still_next_due(col: Collection, home: Path) -> None:
    """A syntax error mid-edit holds the deck: its cards stay in the session, and in its summary."""
    session = _good_into_a_step(col)
    (home / "decks" / "solo.toml").write_text(HEAD + '\n[[cards]\nid = "one', encoding="utf-8")
    col.reload_library()
    session.refresh_units(col.units_by_key, NOW, held={"solo"})
    assert "solo/one" in session.queue
    assert session.summary().next_due == NOW
