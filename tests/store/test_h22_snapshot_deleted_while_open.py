"""A deck's snapshot deleted while retain runs (a `git merge` resolved by deleting it, in another
window) with no new event of that deck: the compaction at close wrote the manifest without the
deck, and the next start never read its reviews again (every card new, without a word). The deck
is written again from the states in memory."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from store_helpers import KEYS, NOW, make_home, open_col, rate

OTHER = "kafka"  # a bundled deck


def test_a_snapshot_deleted_during_a_session_is_written_again(tmp_path: Path) -> None:
    home = make_home(tmp_path)
    col = open_col(home, NOW)
    for n, key in enumerate(KEYS):
        rate(col, key, NOW + timedelta(minutes=n))
    col.close(NOW + timedelta(minutes=9))
    snap = tmp_path / "state" / "snapshots" / "tiny.toml"
    later = NOW + timedelta(hours=1)
    col = open_col(home, later)
    other = sorted(u.key for u in col.units if u.key.startswith(f"{OTHER}/"))[0]
    snap.unlink()  # meanwhile, in another window
    rate(col, other, later)  # another deck studied: a compaction at close
    col.close(later + timedelta(minutes=1))
    at = later + timedelta(minutes=2)
    col = open_col(home, at)
    try:
        assert {k for k in col.states if k.startswith("tiny/")} == set(KEYS)
        assert other in col.states
    finally:
        col.close(at)
    assert snap.is_file()
