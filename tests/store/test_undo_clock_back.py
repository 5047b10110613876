"""Undo after the clock was moved back between two ratings of one card."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from store_helpers import NOW, make_home, open_col, rate

from retain.core.session import record_undo


def test_undo_after_the_clock_moved_back_takes_back_only_the_last_rating(tmp_path: Path) -> None:
    """The clock ran 3 h ahead for a rating, was corrected, and the card was rated again from that
    state: `u` took back the first (later-dated) rating, wiping out both."""
    home = make_home(tmp_path)
    ahead = NOW + timedelta(hours=3)
    col = open_col(home, ahead)
    try:
        first = rate(col, "tiny/one", ahead, rating=1)
        second = rate(col, "tiny/one", NOW, rating=3)  # clock corrected; made from the first's state
        assert second.before == first.after
        done = record_undo(col, col.states, NOW + timedelta(seconds=5))
        assert done is not None and done[0].id == second.id
        assert col.states.get("tiny/one") == first.after  # only the last rating is taken back
        done = record_undo(col, col.states, NOW + timedelta(seconds=6))  # then the first one
        assert done is not None and done[0].id == first.id
        assert "tiny/one" not in col.states
    finally:
        col.close(NOW + timedelta(minutes=1))
