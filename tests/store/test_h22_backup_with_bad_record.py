"""A damaged snapshot recovered from a daily backup that holds an invalid record: the record was
dropped and the backup's positions kept, so the card's progress was gone for good at the next
compaction. The deck's whole journal is replayed over such a backup (as over a live snapshot with
an invalid record), and the line says so. A backup cut short is never taken as whole because
one of its records is invalid too."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from store_helpers import KEYS, NOW, make_home, open_col, rate

from retain.store.state.snapshot import SnapshotDamaged, parse_snapshot


def _studied(root: Path) -> Path:
    col = open_col(make_home(root), NOW)
    for n, key in enumerate(KEYS):
        rate(col, key, NOW + timedelta(minutes=n))
    col.close(NOW + timedelta(minutes=9))
    return root / "state" / "snapshots" / "tiny.toml"


def test_a_backup_with_an_invalid_record_is_replayed_from_the_whole_journal(tmp_path: Path) -> None:
    snap = _studied(tmp_path)
    text = snap.read_text(encoding="utf-8")
    snap.write_text(text.replace("stability = 3.0", "stability = -1.0", 1), encoding="utf-8")
    day2 = NOW + timedelta(days=1)
    col = open_col(make_home(tmp_path), day2)  # the day's backup keeps the file with the bad record
    assert set(KEYS) <= set(col.states)
    col.close(day2)
    assert (tmp_path / "state" / "backups" / day2.date().isoformat() / "tiny.toml").read_text(
        encoding="utf-8"
    ).count("stability = -1.0") == 1
    snap.write_bytes(b"garbage")  # later the snapshot is damaged
    day3 = day2 + timedelta(hours=1)
    col = open_col(make_home(tmp_path), day3)
    try:
        assert {k for k in col.states if k.startswith("tiny/")} == set(KEYS)
        said = [m for m in col.messages if "tiny.toml" in m]
        assert len(said) == 1 and "invalid record" in said[0] and "whole journal" in said[0], said
    finally:
        col.close(day3)
    col = open_col(make_home(tmp_path), day3 + timedelta(minutes=1), read_only=True)
    try:
        assert {k for k in col.states if k.startswith("tiny/")} == set(KEYS)
    finally:
        col.close(day3)


def test_a_backup_cut_short_with_an_invalid_record_is_damaged(tmp_path: Path) -> None:
    snap = _studied(tmp_path)
    text = snap.read_text(encoding="utf-8").replace("stability = 3.0", "stability = -1.0", 1)
    cut = text[: text.index("[end]")]  # a half copy, cut at a line boundary
    with pytest.raises(SnapshotDamaged, match="cut short"):
        parse_snapshot(snap, cut, NOW, whole=True)


def test_a_backup_cut_short_with_an_invalid_record_is_passed_over(tmp_path: Path) -> None:
    snap = _studied(tmp_path)
    good = snap.read_text(encoding="utf-8")
    backups = tmp_path / "state" / "backups"
    older, newer = backups / "2026-03-26", backups / "2026-03-27"
    older.mkdir(parents=True)
    newer.mkdir()
    (older / "tiny.toml").write_text(good, encoding="utf-8")
    bad = good.replace("stability = 3.0", "stability = -1.0", 1)
    (newer / "tiny.toml").write_text(bad[: bad.index('[cards."tiny/two"]')], encoding="utf-8")
    snap.write_bytes(b"garbage")
    at = NOW + timedelta(hours=1)
    col = open_col(make_home(tmp_path), at)
    try:
        said = [m for m in col.messages if "tiny.toml" in m]
        assert len(said) == 1 and "the backup of 2026-03-26 plus the journal" in said[0], said
        assert {k for k in col.states if k.startswith("tiny/")} == set(KEYS)
    finally:
        col.close(at)
