"""h36 (attacker 50): a recorded position start-up could not trust is said once, not at every start.

docs/state-format.md: "The next compaction records positions that fit the file as it is now, so
the note is said once." With the own journal cut to 0 bytes (or converted to CRLF) and nothing
rated since, no compaction wrote anything (no deck had changed), so the line came back at every
start until the next rating. Now a writer that did not trust a position writes the snapshots and
the manifest that recorded it again at its next compaction; the progress is kept."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from store_helpers import KEYS, NOW, journal_paths, make_home, open_col, rate

NOT_TRUSTED = "the recorded position was not trusted"


def _emptied(path: Path) -> None:
    path.write_bytes(b"")


def _crlf(path: Path) -> None:
    for p in path.parents[2].rglob("*.toml"):
        p.write_bytes(p.read_bytes().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n"))


@pytest.mark.parametrize("damage", [_emptied, _crlf], ids=["emptied", "crlf"])
def test_an_untrusted_position_is_said_once(tmp_path: Path, damage: Callable[[Path], None]) -> None:
    col = open_col(make_home(tmp_path))
    for i, key in enumerate(KEYS[:3]):
        rate(col, key, NOW + timedelta(minutes=i))
    col.close(NOW + timedelta(minutes=5))
    (journal,) = journal_paths(tmp_path)
    damage(journal)
    later = NOW + timedelta(minutes=10)
    said = []
    for _ in range(3):  # the app opened and closed three times, nothing rated
        col = open_col(make_home(tmp_path), later)
        said.append([m for m in col.messages if NOT_TRUSTED in m])
        assert {k for k in KEYS[:3] if col.states.get(k) is not None} == set(KEYS[:3])
        col.close(later)
    assert len(said[0]) == 1, said
    assert said[1:] == [[], []], said
