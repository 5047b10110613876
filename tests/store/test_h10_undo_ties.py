"""Several events at one clock instant (a frozen clock, faketime): every reader that picks "the
newest" by time breaks the tie on where the events are written (the journal file, then the
offset), never on the order the index happened to receive them or on the event id's text."""

from __future__ import annotations

import itertools
import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest
from store_helpers import NOW, make_home, open_col, rate

from retain.core.cardlog import log_lines
from retain.core.state import Event
from retain.store.collection import Collection
from retain.store.index.db import INDEX_NAME

# (card, rating) rated in this order, all at NOW: events "72", "73", "74" of the report
TIED = (("tiny/one", 1), ("tiny/two", 3), ("tiny/three:c1", 3))


def _rate_tied(col: Collection) -> list[Event]:
    return [rate(col, key, NOW, rating=rating) for key, rating in TIED]


def _reorder_index(index: Path, order: tuple[int, ...]) -> None:
    """Write the index's event rows again, in `order` (indices into their journal order): what a
    feed by another process (`retain due` while the TUI was open) can leave behind."""
    db = sqlite3.connect(index)
    try:
        rows = db.execute("SELECT * FROM events ORDER BY file, off").fetchall()
        marks = ",".join("?" * len(rows[0]))
        db.execute("DELETE FROM events")
        for i in order:
            db.execute(f"INSERT INTO events VALUES ({marks})", rows[i])
        db.commit()
    finally:
        db.close()


@pytest.mark.parametrize("order", list(itertools.permutations(range(3))), ids=str)
def test_undo_takes_back_the_last_written_of_events_at_one_instant(
    tmp_path: Path, order: tuple[int, ...]
) -> None:
    """Three ratings at one frozen instant, the index rows in every order: `u` took back the one
    the index held last (Again on card A), not the newest written (Good on card C)."""
    home = make_home(tmp_path)
    col = open_col(home, NOW)
    try:
        events = _rate_tied(col)
        col.history_index.refresh(NOW)  # the index holds the three rows
        index = col.history_index.cache_dir
        assert index is not None
    finally:
        col.close(NOW)
    _reorder_index(index / INDEX_NAME, order)
    col = open_col(home, NOW + timedelta(seconds=1))
    try:
        at = NOW + timedelta(seconds=1)
        assert [e.id for e in col.last_undoable_action(at)] == [events[2].id]
        last = col.last_undoable(at)
        assert last is not None and last.id == events[2].id
    finally:
        col.close(NOW + timedelta(seconds=1))


def test_undo_refusal_names_the_last_written_of_events_at_one_instant(tmp_path: Path) -> None:
    """The newest rating (Good on card C, tied in time with two older ones) was changed since
    (rescheduled: a "reset" that carries its state, no undo target), so undo takes nothing back:
    the refusal said nothing ("Nothing to undo"), as it looked at the first of the tied ratings
    (card A, unchanged since) instead."""
    home = make_home(tmp_path)
    col = open_col(home, NOW)
    try:
        events = _rate_tied(col)
        key = events[2].key
        held = col.states[key]
        col.record(Event(col.new_event_id(NOW), "reset", key, NOW, held, held))
        assert col.last_undoable_action(NOW) == []
        assert col.undo_refusal(NOW) == (
            "Cannot undo Good on tiny/three:c1: its progress was reset or moved since"
        )
    finally:
        col.close(NOW)


def test_history_lists_events_at_one_instant_in_the_order_written(tmp_path: Path) -> None:
    """Twelve ratings at one instant: their ids end in -1 .. -12, and as text "-10" sorts before
    "-2": the day's reviews, the full history and a card's log put them out of order."""
    home = make_home(tmp_path)
    col = open_col(home, NOW)
    try:
        written = [rate(col, "tiny/one", NOW, rating=1 + i % 4) for i in range(12)]
        ids = [e.id for e in written]
        history = col.history_index
        assert [r.eid for r in history.reviews(NOW)] == ids
        assert [r.eid for r in history.card_reviews(NOW, "tiny/one")] == ids
        assert [e.id for e in history.events(NOW)] == ids
        assert [e.id for e in col.history(NOW)] == ids
        # the card's log, newest first: the last written on top
        lines = log_lines(history.card_reviews(NOW, "tiny/one"), col.tz)
        ratings = {1: "Again", 2: "Hard", 3: "Good", 4: "Easy"}
        assert ratings[written[-1].rating] in lines[1] and ratings[written[-2].rating] in lines[2]
    finally:
        col.close(NOW)
