"""When start-up cannot keep a copy of what it must set aside (a full disk, a folder in the way),
retain still opens, says so in one line, and cuts nothing: the torn tail of a journal stays (and
nothing is appended after it), a snapshot with an invalid record or a damaged one is not
rewritten. Before, the open failed ("cannot open the progress: no space left on device").

The copy is made to fail for real: a folder where the copy must go (`quarantine` a file; a
folder at the name of the `.torn-`/`.damaged-` copy)."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest
from store_helpers import KEYS, NOW, journal_paths, make_home, open_col, rate

from retain.store.collection import CollectionError
from retain.store.state.stateload import stamp

LATER = NOW + timedelta(hours=1)


def _rated(root: Path) -> Path:
    col = open_col(make_home(root), NOW)
    for n, key in enumerate(KEYS):
        rate(col, key, NOW + timedelta(minutes=n))
    col.close(NOW + timedelta(minutes=9))
    (journal,) = journal_paths(root)
    return journal


def _studied(root: Path, at: datetime = LATER) -> set[str]:
    col = open_col(make_home(root), at, read_only=True)
    try:
        return {k for k in col.states if k.startswith("tiny/")}
    finally:
        col.close(at)


def test_a_torn_tail_that_cannot_be_copied_aside_is_left_and_not_written_after(tmp_path: Path) -> None:
    journal = _rated(tmp_path)
    with journal.open("ab") as fh:
        fh.write(b'99999={i=7,u="tiny/x')  # a power cut during a write
    torn = journal.read_bytes()
    journal.with_name(f"{journal.name}.torn-{stamp(LATER)}").mkdir()  # the copy cannot be made
    col = open_col(make_home(tmp_path), LATER)
    try:
        said = [m for m in col.messages if journal.name in m]
        assert len(said) == 1 and "not cut off" in said[0] and "could not be copied aside" in said[0], said
        assert set(KEYS) <= set(col.states)
        with pytest.raises(CollectionError, match="copied aside"):
            rate(col, KEYS[0], LATER)  # nothing is appended after the torn bytes
    finally:
        col.close(LATER)
    assert journal.read_bytes() == torn
    # once the copy can be made, the next start cuts the tail as ever, and nothing was lost
    journal.with_name(f"{journal.name}.torn-{stamp(LATER)}").rmdir()
    at = LATER + timedelta(minutes=5)
    col = open_col(make_home(tmp_path), at)
    try:
        assert any("was cut off" in m for m in col.messages), col.messages
        rate(col, KEYS[0], at)
    finally:
        col.close(at)
    assert _studied(tmp_path, at) == set(KEYS)


def _bad_record(root: Path) -> Path:
    _rated(root)
    snap = root / "state" / "snapshots" / "tiny.toml"
    text = snap.read_text(encoding="utf-8")
    snap.write_text(text.replace("stability = 3.0", "stability = -1.0", 1), encoding="utf-8")
    return snap


def test_a_snapshot_record_that_cannot_be_copied_aside_keeps_its_file(tmp_path: Path) -> None:
    snap = _bad_record(tmp_path)
    bad = snap.read_bytes()
    (tmp_path / "state" / "quarantine").write_text("in the way")  # no copy can be made there
    col = open_col(make_home(tmp_path), LATER)
    try:
        said = [m for m in col.messages if "could not be kept" in m]
        assert len(said) == 1 and "tiny.toml" in said[0], col.messages
        assert set(KEYS) <= set(col.states)  # rebuilt from the journal all the same
        rate(col, KEYS[1], LATER)
    finally:
        col.close(LATER + timedelta(minutes=1))
    assert snap.read_bytes() == bad  # never rewritten while no copy of it exists
    assert _studied(tmp_path, LATER + timedelta(minutes=2)) == set(KEYS)
    col = open_col(make_home(tmp_path), LATER + timedelta(minutes=2), read_only=True)
    try:
        assert col.states[KEYS[1]].last_review == LATER  # the rating of that session was read
    finally:
        col.close(LATER + timedelta(minutes=2))


def test_a_damaged_snapshot_that_cannot_be_renamed_aside_keeps_its_file(tmp_path: Path) -> None:
    _rated(tmp_path)
    snap = tmp_path / "state" / "snapshots" / "tiny.toml"
    snap.write_bytes(b"garbage")
    snap.with_name(f"tiny.toml.damaged-{stamp(LATER)}").mkdir()  # the file cannot be kept aside
    col = open_col(make_home(tmp_path), LATER)
    try:
        said = [m for m in col.messages if "tiny.toml" in m]
        assert len(said) == 1 and "could not be kept" in said[0], col.messages
        assert set(KEYS) <= set(col.states)
        rate(col, KEYS[2], LATER)
    finally:
        col.close(LATER + timedelta(minutes=1))
    assert snap.read_bytes() == b"garbage"
    assert _studied(tmp_path, LATER + timedelta(minutes=2)) == set(KEYS)


def test_damaged_journal_records_that_cannot_be_copied_aside_are_said_and_read_past(tmp_path: Path) -> None:
    journal = _rated(tmp_path)
    data = journal.read_bytes()
    lines = data.split(b"\n")
    lines[-3] = lines[-3].replace(b"c=", b"c=0", 1)  # the second last record damaged (its CRC)
    journal.write_bytes(b"\n".join(lines))
    (tmp_path / "state" / "snapshots.toml").unlink()  # (the journal is read from its start)
    for snap in (tmp_path / "state" / "snapshots").iterdir():
        snap.unlink()
    (tmp_path / "state" / "quarantine").write_text("in the way")
    col = open_col(make_home(tmp_path), LATER)
    try:
        said = [m for m in col.messages if "quarantine" in m]
        assert len(said) == 1 and "could not be copied" in said[0], col.messages
        assert len([k for k in col.states if k.startswith("tiny/")]) == len(KEYS) - 1
    finally:
        col.close(LATER)
    assert journal.read_bytes() == b"\n".join(lines)
