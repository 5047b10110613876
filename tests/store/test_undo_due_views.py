"""Undo and `is:due` see a card as a session does: an exam's caps, the learn-ahead window, and a
second undo of one card (found by the review of the undo and search changes)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from store_helpers import NOW, make_home, open_col, rate

from retain.core.custom_study import CustomStudy
from retain.core.state import LEARNING, RELEARNING
from retain.store.custom_session import start_custom_session
from retain.store.home import Home


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Home:
    from retain.store import home as store_home

    monkeypatch.setattr(store_home, "bundled_decks_dir", lambda: None)
    h = make_home(tmp_path)
    (tmp_path / "config.toml").write_text("[study]\nfuzz = false\n", encoding="utf-8")
    return h


def test_a_second_undo_to_a_state_not_due_takes_the_card_off_screen(home: Home) -> None:
    """Undo twice in a row on one card: the first undo brings it back (a relearning step due),
    the second puts back its review due in 2 days, yet the session keeps showing it (the
    `_forced` card of the first undo is never cleared), so rating it is an early review."""
    col = open_col(home)
    try:
        rate(col, "tiny/one", NOW - timedelta(days=1))  # review, due NOW + 2 days
        ahead = start_custom_session(col, CustomStudy("ahead", days=7), NOW)
        assert ahead.current is not None and ahead.current.key == "tiny/one"
        ahead.reveal()
        ahead.rate(1, NOW + timedelta(seconds=5))  # Again: relearning, due in minutes
        assert col.states["tiny/one"].state == RELEARNING
        due = col.states["tiny/one"].due
        assert due is not None
        at = due + timedelta(seconds=1)
        session = col.start_session(["tiny"], at)
        assert session.current is not None and session.current.key == "tiny/one"
        session.reveal()
        session.rate(3, at + timedelta(seconds=5))
        assert session.current is not None and session.current.key != "tiny/one"
        session.undo(at + timedelta(seconds=6))  # back to relearning, due: shown again (right)
        assert session.current is not None and session.current.key == "tiny/one"
        session.undo(at + timedelta(seconds=7))  # back to the review due in 2 days
        st = col.states["tiny/one"]
        assert (
            st.state not in (LEARNING, RELEARNING) and st.due is not None and st.due > at + timedelta(days=1)
        )
        assert session.current is None or session.current.key != "tiny/one"
    finally:
        col.close()


def _learning_due_in(col, key: str, at, minutes: int) -> None:  # type: ignore[no-untyped-def]
    from retain.core.state import CardState, Event

    step = CardState(
        state=LEARNING,
        stability=1.0,
        difficulty=5.0,
        due=at + timedelta(minutes=minutes),
        last_review=at - timedelta(minutes=1),
        reps=1,
        lapses=0,
        step=1,
    )
    col.record(
        Event(
            col.new_event_id(at - timedelta(minutes=1)),
            "review",
            key,
            at - timedelta(minutes=1),
            step,
            None,
            3,
            1000,
        )
    )


def test_is_due_finds_a_learning_step_within_learn_ahead_as_retain_due_counts_it(home: Home) -> None:
    """`is:due` is documented (search.py, authoring.md, CHANGELOG) as "due now, as `retain due`
    and the home screen count it"; they count a learning step due in 5 minutes (learn-ahead),
    the browser and `retain review --query is:due` find nothing."""
    from retain.store.custom_session import custom_units
    from retain.store.decks.browse import BrowseIndex

    col = open_col(home)
    try:
        _learning_due_in(col, "tiny/one", NOW, 5)
        counted = col.due_counts(NOW)["tiny"]
        assert counted.learning == 1
        found = BrowseIndex.from_collection(col).search("is:due", NOW, col.today(NOW))
        studied = custom_units(col, CustomStudy("search", query="is:due"), NOW)
        assert [u.key for u in found] == ["tiny/one"]
        assert [u.key for u in studied] == ["tiny/one"]
    finally:
        col.close()


def test_is_due_in_the_browser_takes_the_exam_cap_as_retain_due_does(home: Home, tmp_path: Path) -> None:
    """With an exam date, `retain due` (and custom study) count capped due dates; the browser's
    `is:due` reads the stored ones, so it disagrees with the count it is documented to match."""
    from retain.store.custom_session import custom_units
    from retain.store.decks.browse import BrowseIndex

    (tmp_path / "config.toml").write_text(
        "[study]\nfuzz = false\n\n[exam.tiny]\ndate = 2026-03-30\nrecall = 0.97\n", encoding="utf-8"
    )
    col = open_col(make_home(tmp_path))
    try:
        rate(col, "tiny/one", NOW - timedelta(days=2), rating=4)  # stored due: NOW + 2 days
        assert col.states["tiny/one"].due > NOW  # type: ignore[operator]
        assert col.due_counts(NOW)["tiny"].review == 1  # capped for the exam: due now
        assert [u.key for u in custom_units(col, CustomStudy("search", query="is:due"), NOW)] == ["tiny/one"]
        found = BrowseIndex.from_collection(col).search("is:due", NOW, col.today(NOW))
        assert [u.key for u in found] == ["tiny/one"]
    finally:
        col.close()


def test_undo_in_exam_mode_shows_a_card_due_for_the_exam_again(home: Home, tmp_path: Path) -> None:
    """Exam mode: the card is served because its capped due date is now (its stored one is in
    2 days). Undoing its rating puts the stored state back, the queue places that uncapped
    (`_store` -> `apply`), so `ready` says no: the card leaves the session and its header
    count, though `retain due` still counts it due. Before today undo always showed it again."""
    (tmp_path / "config.toml").write_text(
        "[study]\nfuzz = false\nnew_per_day = 0\n\n[exam.tiny]\ndate = 2026-03-30\nrecall = 0.97\n",
        encoding="utf-8",
    )
    col = open_col(make_home(tmp_path))
    try:
        rate(col, "tiny/one", NOW - timedelta(days=2), rating=4)  # stored due: NOW + 2 days
        assert col.due_counts(NOW)["tiny"].review == 1  # capped for the exam: due now
        session = col.start_session(["tiny"], NOW)
        assert session.current is not None and session.current.key == "tiny/one"
        assert session.counts(NOW).review == 1
        session.reveal()
        session.rate(3, NOW + timedelta(seconds=5))
        session.undo(NOW + timedelta(seconds=6))
        assert col.due_counts(NOW + timedelta(seconds=7))["tiny"].review == 1  # due, as before
        assert session.current is not None and session.current.key == "tiny/one"
        assert session.counts(NOW + timedelta(seconds=7)).review == 1
    finally:
        col.close()
