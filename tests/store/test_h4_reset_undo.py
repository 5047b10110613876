"""A reset (the browser's `r`, Anki's Forget) is undone as a suspend of many is: one step for the
whole action, also after a restart, with the card's exact previous state back and its reviews
counted again; a move's or a reschedule's "reset" records are no reset and are never undone."""

from __future__ import annotations

import json
import shutil
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from store_helpers import KEYS, NOW, make_home, open_col

from retain.commands.stats import stats_report
from retain.core.session import action_label, record_undo_action
from retain.core.state import LEARNING, RELEARNING, REVIEW, CardState, Event
from retain.store.collection import Collection
from retain.store.home import Home
from retain.store.state.progress_edits import move_progress, reset_progress

BIG = 50
BIG_DECK = 'format = 1\n[deck]\nid = "big"\nname = "Big"\n\n' + "\n".join(
    f'[[cards]]\nid = "c{i:03d}"\nfront = "Question {i}"\nback = "A"\n' for i in range(BIG)
)
BIG_KEYS = [f"big/c{i:03d}" for i in range(BIG)]


def _state(at: datetime, i: int) -> CardState:
    """A state whose every field differs from a new card's (and from card to card)."""
    kind = (LEARNING, REVIEW, RELEARNING)[(i + 2) % 3]
    return CardState(
        state=kind,
        step=None if kind == REVIEW else i % 2,
        stability=1.2345678 + i,
        difficulty=4.321 + (i % 5),
        due=at + timedelta(days=1 + i % 4, minutes=i),
        last_review=at,
        reps=3 + i,
        lapses=i % 3,
    )


def _review(col: Collection, key: str, at: datetime, i: int, rating: int = 3) -> Event:
    event = Event(col.new_event_id(at), "review", key, at, _state(at, i), col.states.get(key), rating, 2000)
    return col.record(event)


def _home_with_history(root: Path) -> Home:
    """The tiny deck and a deck of 50 cards, every card reviewed on three study days."""
    home = make_home(root)
    (root / "decks" / "big.toml").write_text(BIG_DECK, encoding="utf-8")
    home = make_home(root)
    for day in (3, 2, 1):
        at = NOW - timedelta(days=day)
        col = open_col(home, at)
        try:
            for i, key in enumerate([*KEYS, *BIG_KEYS]):
                _review(col, key, at + timedelta(seconds=i), i + day, rating=1 + (i + day) % 4)
        finally:
            col.close(at)
    return home


def _figures(home: Home, at: datetime) -> dict[str, Any]:
    """What `retain stats --json` prints (over every deck, every day) and what the deck list and
    a session read from the history index: due counts and the day log."""
    col = Collection.open(home, at, tz=UTC, read_only=True)
    try:
        stats = json.loads(json.dumps(stats_report(col, at, None, None), default=str))
        due = col.due_counts(at)
        log = col.day_log(at)
        reviews = {k: len(col.history_index.card_reviews(at, k)) for k in [*KEYS, *BIG_KEYS]}
        return {"stats": stats, "due": repr(due), "log": repr(log), "reviews": reviews}
    finally:
        col.close(at)


def _undo(home: Home, at: datetime) -> tuple[list[Event], dict[str, CardState]]:
    col = open_col(home, at)
    try:
        done = record_undo_action(col, col.states, at)
        assert done is not None
        return done[0], dict(col.states)
    finally:
        col.close(at)


@pytest.mark.parametrize("when", ["same-run", "restart", "cache-deleted"])
def test_a_reset_of_one_card_is_undone_to_exactly_its_previous_state(tmp_path: Path, when: str) -> None:
    """It could not be undone at all: ctrl+z said "Nothing to undo" (or took back an older rating)."""
    home = _home_with_history(tmp_path)
    at = NOW + timedelta(minutes=1)
    before_figures = _figures(home, at)
    col = open_col(home, NOW)
    before = dict(col.states)
    assert before["tiny/one"].step is not None and before["tiny/one"].lapses
    reset_progress(col, ["tiny/one"], NOW)
    assert "tiny/one" not in col.states
    if when == "same-run":
        done = record_undo_action(col, col.states, at)
        assert done is not None
        undone, states = done[0], dict(col.states)
        col.close(at)
    else:
        col.close(NOW)
        reset_figures = _figures(home, at)
        assert reset_figures != before_figures  # (the reset shows: one card fewer learned)
        if when == "cache-deleted":
            shutil.rmtree(tmp_path / "cache")
        undone, states = _undo(home, at)
    assert action_label(undone) == "Undid reset of tiny/one"
    assert states == before  # due, stability, difficulty, reps, lapses, step: all as they were
    assert _figures(home, at) == before_figures  # its reviews count again, as before the reset
    shutil.rmtree(tmp_path / "cache")  # the index built afresh from the journals agrees
    assert _figures(home, at) == before_figures


def test_a_reset_of_50_marked_cards_is_undone_in_one_step_after_a_restart(tmp_path: Path) -> None:
    home = _home_with_history(tmp_path)
    at = NOW + timedelta(minutes=1)
    before_figures = _figures(home, at)
    col = open_col(home, NOW)
    before = dict(col.states)
    assert len(reset_progress(col, BIG_KEYS, NOW)) == BIG
    col.close(NOW)
    assert _figures(home, at) != before_figures
    undone, states = _undo(home, at)
    assert action_label(undone) == f"Undid reset of {BIG} cards"
    assert states == before  # all 50 back, in one step
    after_undo = _figures(home, at)
    assert after_undo == before_figures
    shutil.rmtree(tmp_path / "cache")  # the index built afresh from the journals agrees
    assert _figures(home, at) == before_figures
    col = open_col(home, at)
    try:  # the next undo is the last rating, one card: the reset is settled
        nxt = col.last_undoable_action(at)
        assert len(nxt) == 1 and nxt[0].kind == "review"
    finally:
        col.close(at)


def test_a_reset_is_undone_from_a_study_session_too(tmp_path: Path) -> None:
    home = _home_with_history(tmp_path)
    col = open_col(home, NOW)
    try:
        before = dict(col.states)
        reset_progress(col, KEYS, NOW)
        session = col.start_session(["tiny"], NOW)
        assert session.undo(NOW + timedelta(seconds=1)) is not None
        assert action_label(session.last_undone_action) == f"Undid reset of {len(KEYS)} cards"
        assert dict(col.states) == before
    finally:
        col.close(NOW)


def test_a_card_studied_since_its_reset_is_undone_rating_first_then_the_reset(tmp_path: Path) -> None:
    home = _home_with_history(tmp_path)
    col = open_col(home, NOW)
    try:
        before = col.states["tiny/one"]
        reset_progress(col, ["tiny/one"], NOW)
        _review(col, "tiny/one", NOW + timedelta(minutes=1), 7)
        done = record_undo_action(col, col.states, NOW + timedelta(minutes=2))
        assert done is not None and action_label(done[0]) == "Undid Good on tiny/one"
        assert "tiny/one" not in col.states  # new, as the reset left it
        done = record_undo_action(col, col.states, NOW + timedelta(minutes=3))
        assert done is not None and action_label(done[0]) == "Undid reset of tiny/one"
        assert col.states["tiny/one"] == before
    finally:
        col.close(NOW)


def test_a_reset_whose_card_was_reviewed_elsewhere_since_is_left_and_said(tmp_path: Path) -> None:
    """Undo stays exact: putting back the state before the reset would erase the later review."""
    from retain.store.state.journal import JournalWriter

    home = _home_with_history(tmp_path)
    col = open_col(home, NOW)
    reset_progress(col, ["tiny/one"], NOW)
    col.close(NOW)
    laptop = _state(NOW + timedelta(minutes=1), 11)
    writer = JournalWriter(tmp_path / "state" / "devices" / "laptop-1", fsync=False)
    writer.append(Event("laptop-1-1", "review", "tiny/one", NOW + timedelta(minutes=1), laptop, None, 3, 900))
    writer.close()
    at = NOW + timedelta(minutes=2)
    col = open_col(home, at)
    try:
        assert col.last_undoable_action(at) == []
        assert col.undo_refusal(at) == (
            "Cannot undo reset of tiny/one: another device reviewed the card since"
        )
        held = col.states["tiny/one"]
        assert (held.reps, held.due) == (laptop.reps, laptop.due)  # the laptop's review stands
    finally:
        col.close(at)


def test_an_old_reset_is_not_undone_and_the_window_is_said(tmp_path: Path) -> None:
    home = _home_with_history(tmp_path)
    then = NOW + timedelta(hours=1)
    col = open_col(home, then)
    reset_progress(col, ["tiny/one"], then)
    col.close(then)
    at = then + timedelta(days=3)
    col = open_col(home, at)
    try:
        assert col.last_undoable_action(at) == []
        assert col.undo_refusal(at) == "Cannot undo reset of tiny/one: undo reaches back 2 days"
    finally:
        col.close(at)


@pytest.mark.parametrize("restart", [False, True])
def test_a_move_is_no_reset_and_undo_leaves_it(tmp_path: Path, restart: bool) -> None:
    """A move's records are "reset" records too (the old key back to new, the new key with its
    state): undo must not take back a move (or half of one), whose deck file was written."""
    home = _home_with_history(tmp_path)
    col = open_col(home, NOW)
    one, c000 = col.states["tiny/one"], col.states["big/c000"]
    move_progress(col, {"tiny/one": "big/c000", "big/c000": "tiny/one"}, NOW)  # a swap
    moved = col.states["tiny/two"]
    move_progress(col, {"tiny/two": "tiny/moved"}, NOW + timedelta(seconds=1))
    move_progress(col, {"tiny/two:reverse": "big/c001"}, NOW + timedelta(seconds=2))  # onto progress
    if restart:
        col.close(NOW)
        col = open_col(home, NOW + timedelta(minutes=1))
    try:
        at = NOW + timedelta(minutes=1)
        targets = col.last_undoable_action(at)
        assert [e.kind for e in targets] == ["review"] and targets[0].key == "big/c049"  # the last rating
        assert record_undo_action(col, col.states, at) is not None
        assert col.states["big/c000"] == one and col.states["tiny/one"] == c000
        assert col.states["tiny/moved"] == moved and "tiny/two" not in col.states
        assert "tiny/two:reverse" not in col.states
    finally:
        col.close(NOW)


def test_a_reschedule_is_no_reset_and_undo_leaves_it(tmp_path: Path) -> None:
    """`retain optimize` reschedules with "reset" records that carry the new state (its own undo is
    `--undo-reschedule`): ctrl+z does not take them back."""
    home = _home_with_history(tmp_path)
    col = open_col(home, NOW)
    try:
        old = col.states["tiny/one"]
        new = replace(old, stability=99.0)
        col.record(Event(col.new_event_id(NOW), "reset", "tiny/one", NOW, new, old))
        targets = col.last_undoable_action(NOW + timedelta(seconds=1))
        assert [e.kind for e in targets] == ["review"] and targets[0].key == "big/c049"
        assert col.states["tiny/one"] == new
    finally:
        col.close(NOW)
