"""A move of a card that has no progress is recorded when it matters: undo and the card's log see it.

- Reset a studied card (`r`), move it to another deck (`m`), then ctrl+z: undo put the progress
  back on the old key, which no deck holds any more, and the moved card stayed new. The move of
  a card without progress wrote nothing, so undo could not see that the card had moved since.
- A never-studied card moved onto a key that still had progress (a cloze renumbered over a
  deleted one) wrote a lone "reset" back to new: the card's log showed "Forgotten", and ctrl+z
  took it back, giving the card progress earned on another question.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from store_helpers import NOW, open_col
from test_h4_reset_undo import _home_with_history

from retain.core.session import record_undo_action
from retain.core.state import NEW
from retain.store.state.progress_edits import move_progress, reset_progress


def test_undo_of_a_reset_refuses_once_the_card_moved(tmp_path: Path) -> None:
    home = _home_with_history(tmp_path)
    col = open_col(home, NOW)
    try:
        studied = col.states["tiny/one"]
        reset_progress(col, ["tiny/one"], NOW)  # the browser's `r`
        assert "tiny/one" not in col.states
        at = NOW + timedelta(seconds=5)
        move_progress(col, {"tiny/one": "big/moved"}, at)  # `m`: the card, now new, to another deck
        later = at + timedelta(seconds=5)
        undone = record_undo_action(col, col.states, later)
        assert col.states.get("tiny/one") is None, "undo put progress back on a key no deck holds"
        assert undone is None or all(e.key != "tiny/one" for e in undone[0])
        assert col.states.get("big/moved") is None or col.states["big/moved"].state == NEW
        assert studied.state != NEW
    finally:
        col.close(NOW)


def test_a_new_cards_move_onto_progress_is_no_forget(tmp_path: Path) -> None:
    home = _home_with_history(tmp_path)
    col = open_col(home, NOW)
    try:
        assert "tiny/ghost" not in col.states and "tiny/one" in col.states
        (event,) = move_progress(col, {"tiny/ghost": "tiny/one"}, NOW)  # a new card takes the key
        assert event.kind == "reset" and event.key == "tiny/one"
        assert col.states.get("tiny/one") is None or col.states["tiny/one"].state == NEW
        at = NOW + timedelta(minutes=1)
        assert not col.history_index.forgets(at, NOW - timedelta(days=1))
        targets = col.last_undoable_action(at)
        assert [e.kind for e in targets] == ["review"] and targets[0].key == "big/c049"
        assert record_undo_action(col, col.states, at) is not None
        assert col.states.get("tiny/one") is None or col.states["tiny/one"].state == NEW  # the move stands
    finally:
        col.close(NOW)


def test_a_plain_move_of_a_never_studied_card_writes_nothing(tmp_path: Path) -> None:
    """Moving new cards between decks stays free: no record unless a key has history."""
    home = _home_with_history(tmp_path)
    col = open_col(home, NOW)
    try:
        assert move_progress(col, {"tiny/ghost": "big/ghost"}, NOW) == []
    finally:
        col.close(NOW)
