"""Undo in a study session shows the card again only when the session would serve it now."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from store_helpers import NOW, make_home, open_col, rate

from retain.core.custom_study import CustomStudy
from retain.store.custom_session import start_custom_session
from retain.store.home import Home

OTHER = """format = 1

[deck]
id = "other"
name = "Other deck"

[[cards]]
id = "a"
front = "A?"
back = "a"
"""


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Home:
    from retain.store import home as store_home

    monkeypatch.setattr(store_home, "bundled_decks_dir", lambda: None)
    h = make_home(tmp_path)
    (tmp_path / "decks" / "other.toml").write_text(OTHER, encoding="utf-8")
    (tmp_path / "config.toml").write_text("[study]\nfuzz = false\n", encoding="utf-8")
    return h


def test_undoing_a_cram_rating_in_a_normal_session_does_not_serve_a_card_not_due(home: Home) -> None:
    """The cram left tiny/one due in 3 days: shown again here, rating it was an early FSRS review."""
    col = open_col(home)
    try:
        rate(col, "tiny/one", NOW - timedelta(days=1))
        cram = start_custom_session(col, CustomStudy("cram", deck_ids=("tiny",)), NOW)
        assert cram.current is not None and cram.current.key == "tiny/one"
        cram.reveal()
        cram.rate(3, NOW + timedelta(seconds=5))
        session = col.start_session(["tiny"], NOW + timedelta(seconds=10))
        first = session.current
        assert first is not None and first.key != "tiny/one"
        session.undo(NOW + timedelta(seconds=11))
        assert session.last_undone is not None and session.last_undone.kind == "cram"
        assert session.current is not None and session.current.key == first.key
    finally:
        col.close()


def test_undoing_a_suspend_of_a_card_not_due_does_not_serve_it(home: Home) -> None:
    col = open_col(home)
    try:
        rate(col, "tiny/one", NOW - timedelta(days=1))  # due in 3 days
        ahead = start_custom_session(col, CustomStudy("ahead", days=7), NOW)
        assert ahead.current is not None and ahead.current.key == "tiny/one"
        ahead.suspend(NOW + timedelta(seconds=1))
        session = col.start_session(["tiny"], NOW + timedelta(seconds=10))
        first = session.current
        assert first is not None and first.key != "tiny/one"
        session.undo(NOW + timedelta(seconds=11))
        assert not col.states["tiny/one"].suspended
        assert session.current is not None and session.current.key == first.key
    finally:
        col.close()


def test_undoing_a_rating_of_another_deck_does_not_bring_it_into_this_session(home: Home) -> None:
    """Its deck's limits never counted it here; it is new again in its own deck."""
    col = open_col(home)
    try:
        other = col.start_session(["other"], NOW)
        assert other.current is not None and other.current.key == "other/a"
        other.reveal()
        other.rate(3, NOW + timedelta(seconds=2))
        session = col.start_session(["tiny"], NOW + timedelta(seconds=10))
        first = session.current
        assert first is not None
        session.undo(NOW + timedelta(seconds=11))
        assert "other/a" not in col.states
        assert session.current is not None and session.current.key == first.key
        assert col.due_counts(NOW + timedelta(seconds=12))["other"].new == 1
    finally:
        col.close()


def test_undoing_a_rating_of_this_session_shows_the_card_again(home: Home) -> None:
    col = open_col(home)
    try:
        session = col.start_session(["tiny"], NOW)
        first = session.current
        assert first is not None
        session.reveal()
        session.rate(4, NOW + timedelta(seconds=2))
        assert session.current is not None and session.current.key != first.key
        session.undo(NOW + timedelta(seconds=3))
        assert session.current is not None and session.current.key == first.key
    finally:
        col.close()


def test_undo_refusal_names_the_rating_and_why(home: Home) -> None:
    from retain.store.state.progress_edits import move_progress

    col = open_col(home)
    try:
        rate(col, "tiny/one", NOW)
        assert col.undo_refusal(NOW + timedelta(minutes=1)) is None  # undoable: nothing to explain
        move_progress(col, {"tiny/one": "tiny/moved"}, NOW + timedelta(minutes=2))  # (a reset is undone)
        assert col.last_undoable(NOW + timedelta(minutes=3)) is None
        assert col.undo_refusal(NOW + timedelta(minutes=3)) == (
            "Cannot undo Good on tiny/one: its progress was reset or moved since"
        )
    finally:
        col.close()


def test_the_undo_window_counts_from_now_not_from_when_the_collection_opened(
    home: Home, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A TUI left open for three days: the rating made when it opened is out of the 2-day window,
    though it was made within 2 days of the opening (the window was counted from there), and
    undo says why it leaves it."""
    from retain.core.session import record_undo
    from retain.store import collection as collection_module

    col = open_col(home)
    try:
        rate(col, "tiny/one", NOW)
        assert col.can_undo() and col.last_undoable() is not None

        class ThreeDaysOn(datetime):
            @classmethod
            def now(cls, tz: object = None) -> ThreeDaysOn:
                moment = datetime.now(UTC) + timedelta(days=3)
                return cls.fromtimestamp(moment.timestamp(), UTC)

        monkeypatch.setattr(collection_module, "datetime", ThreeDaysOn)  # the system clock, 3 days on
        assert col.last_undoable() is None
        assert not col.can_undo()  # (it was kept from the rating: no record since)
        assert record_undo(col, col.states, NOW + timedelta(days=3)) is None
        assert col.undo_refusal() == "Cannot undo Good on tiny/one: undo reaches back 2 days"
        assert col.undo_refusal(NOW + timedelta(days=1)) is None  # within the window: undoable
        monkeypatch.undo()
    finally:
        col.close()
