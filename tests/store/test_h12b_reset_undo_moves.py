"""A move of a new card onto a key that has progress records one lone "reset" back to new (no half
carries a state): it is a move's record, not a forget, and ctrl+z must not take it back."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from store_helpers import NOW, open_col
from test_h4_reset_undo import _home_with_history

from retain.core.session import record_undo_action
from retain.store.state.progress_edits import move_progress


@pytest.mark.xfail(
    strict=True,
    reason="history.forget_sql cannot tell this lone move record from a forget (journal has no marker)",
)
def test_a_new_cards_move_onto_progress_is_no_forget(tmp_path: Path) -> None:
    home = _home_with_history(tmp_path)
    col = open_col(home, NOW)
    try:
        assert "tiny/ghost" not in col.states and "tiny/one" in col.states
        events = move_progress(col, {"tiny/ghost": "tiny/one"}, NOW)  # a new card takes the id
        assert [(e.kind, e.key, e.after) for e in events] == [("reset", "tiny/one", None)]
        at = NOW + timedelta(minutes=1)
        targets = col.last_undoable_action(at)
        assert [e.kind for e in targets] == ["review"] and targets[0].key == "big/c049"
        assert record_undo_action(col, col.states, at) is not None
        assert "tiny/one" not in col.states  # the move stands: the card is new
    finally:
        col.close(NOW)
