"""A journal emptied to 0 bytes (what a crash on a delayed-allocation file system can leave, or
a sync tool's failed copy): the writer appended records to it with no header, and every later
start said "unknown journal format None" and that the file is shorter than the recorded
position, for good. Now the writer starts the file with its header, and after one writer session
(which compacts) nothing more is said."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from store_helpers import KEYS, NOW, journal_paths, make_home, open_col, rate, rated_home

from retain.store.state.journal_format import journal_header


def _rated(root: Path) -> None:
    """Three cards rated in a new home, then closed (compacted: snapshots hold them)."""
    rated_home(root, closed=NOW + timedelta(minutes=5))


def test_an_emptied_journal_gets_its_header_and_is_said_once(tmp_path: Path) -> None:
    _rated(tmp_path)
    (path,) = journal_paths(tmp_path)
    path.write_bytes(b"")  # emptied
    at = NOW + timedelta(hours=1)
    col = open_col(make_home(tmp_path), at)
    try:
        rate(col, KEYS[3], at)
    finally:
        col.close(at)
    assert path.read_bytes().startswith(journal_header(path.parent.name))
    later = at + timedelta(hours=1)
    col = open_col(make_home(tmp_path), later)
    try:
        assert col.messages == [], col.messages
        assert KEYS[3] in col.states
    finally:
        col.close(later)


def test_a_journal_cut_back_to_its_header_is_said_once(tmp_path: Path) -> None:
    _rated(tmp_path)
    (path,) = journal_paths(tmp_path)
    path.write_bytes(journal_header(path.parent.name))  # every record cut off
    at = NOW + timedelta(hours=1)
    col = open_col(make_home(tmp_path), at)
    try:
        assert any("shorter" in m for m in col.messages), col.messages
        rate(col, KEYS[3], at)
    finally:
        col.close(at)
    later = at + timedelta(hours=1)
    col = open_col(make_home(tmp_path), later)
    try:
        assert col.messages == [], col.messages
    finally:
        col.close(later)
