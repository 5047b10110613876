"""The reviews of a deck with no snapshot, which the manifest does not list, are never skipped.

The journal was read only from the earliest position of the snapshots there were. A deck whose
snapshot was never written (a kill or a full disk during a compaction) or was deleted with the
manifest (docs/state-format.md: after a git merge, "take either side ... (or delete them)") had
its reviews before that position skipped: its cards showed as new, with nothing said, and the
next compaction made it stick. Without a manifest every journal is now read from its start; with
one, from no later than its positions (a deck it does not list had no event before them).
"""

from __future__ import annotations

import errno
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from store_helpers import NOW, delete_snapshots, make_home, open_col, rate, states_at

from retain.core.state import CardState
from retain.store.state import writer

OTHER = 'format = 1\n[deck]\nid = "other"\nname = "Other"\n\n[[cards]]\nid = "a"\nfront = "A?"\nback = "a"\n'
LATER = NOW + timedelta(hours=5)


def _home(root: Path) -> None:
    make_home(root)
    (root / "decks" / "other.toml").write_text(OTHER, "utf-8")


def _session(root: Path, keys: list[str], at: datetime) -> None:
    col = open_col(make_home(root), at)
    try:
        for i, key in enumerate(keys):
            rate(col, key, at + timedelta(minutes=i))
    finally:
        col.close(at + timedelta(minutes=30))


def _replayed(root: Path, tmp_path: Path) -> dict[str, CardState]:
    """The states a replay of every journal gives (the reference)."""
    import shutil

    ref = tmp_path / "ref"
    shutil.copytree(root, ref)
    delete_snapshots(ref, cache=True)
    return dict(states_at(ref, LATER))


@pytest.mark.parametrize("how", ["git: both deleted", "killed in the first compaction"])
def test_a_deck_whose_snapshot_went_with_the_manifest_keeps_its_reviews(tmp_path: Path, how: str) -> None:
    root = tmp_path / "home"
    _home(root)
    if how.startswith("git"):
        _session(root, ["other/a"], NOW)  # other's snapshot: up to here
        _session(root, ["tiny/one"], NOW + timedelta(hours=1))  # tiny's: later
    else:
        _session(root, ["other/a", "tiny/one"], NOW)
    (root / "state" / "snapshots.toml").unlink()
    (root / "state" / "snapshots" / "other.toml").unlink()
    states = states_at(root, LATER)
    assert "other/a" in states, "the reviewed card of the deck without a snapshot shows as new"
    assert states == _replayed(root, tmp_path)
    assert "other/a" in states_at(root, LATER + timedelta(hours=1))  # and after the next compaction


def test_a_snapshot_a_full_disk_refused_is_read_again_next_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The close said "every review is in the journal and is read again next time"."""
    root = tmp_path / "home"
    _home(root)
    _session(root, ["tiny/one"], NOW)  # the manifest lists tiny only
    from retain.store.state.snapshot import write_snapshot as real

    def full_for_other(folder: Path, deck_id: str, *args: object, **kwargs: object) -> Path:
        if deck_id == "other":
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(folder, deck_id, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(writer, "write_snapshot", full_for_other)
    col = open_col(make_home(root), NOW + timedelta(hours=1))
    rate(col, "tiny/two", NOW + timedelta(hours=1))
    rate(col, "other/a", NOW + timedelta(hours=1, minutes=1))
    col.close(NOW + timedelta(hours=2))
    monkeypatch.undo()
    states = states_at(root, LATER)
    assert "other/a" in states
    assert states == _replayed(root, tmp_path)
