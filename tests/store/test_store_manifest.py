"""The manifest `state/snapshots.toml`: a newer one is refused, a damaged one is kept and replaced."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from store_helpers import NOW, make_home, open_col, rate

from retain.store.collection import CollectionError
from retain.store.state.migrate import FormatError
from retain.store.state.snapshot import SnapshotDamaged, read_manifest

LATER = NOW + timedelta(minutes=5)


def _compacted(tmp_path: Path) -> Path:
    """A home whose state has one rating compacted into a snapshot and the manifest."""
    col = open_col(make_home(tmp_path))
    rate(col, "tiny/one", NOW)
    col.close(NOW)
    return tmp_path / "state" / "snapshots.toml"


@pytest.mark.parametrize("read_only", [False, True])
def test_a_manifest_from_a_newer_retain_is_refused_not_rewritten(tmp_path: Path, read_only: bool) -> None:
    """A `format = 2` manifest was once taken for "no manifest" without a word and rewritten in
    format 1 at the next compaction; like a newer snapshot or journal, it refuses the open."""
    manifest = _compacted(tmp_path)
    manifest.write_text(manifest.read_text().replace("format = 1", "format = 2"))
    newer = manifest.read_bytes()
    with pytest.raises(CollectionError) as info:
        open_col(make_home(tmp_path), LATER, read_only=read_only)
    message = str(info.value)
    assert "\n" not in message and "snapshots.toml" in message and "newer retain" in message
    assert manifest.read_bytes() == newer
    assert list(manifest.parent.glob("snapshots.toml.damaged-*")) == []


def test_read_manifest_raises_format_error_for_a_newer_format(tmp_path: Path) -> None:
    (tmp_path / "snapshots.toml").write_text('format = 7\ndecks = ["tiny"]\n\n[journal]\n')
    with pytest.raises(FormatError, match="format 7"):
        read_manifest(tmp_path)


DAMAGE = {
    "not toml": b"format = 1\ndecks = [\x00\n",
    "not utf-8": b'format = 1\ndecks = ["tiny\xff"]\n',
    "format a string": b'format = "1"\ndecks = ["tiny"]\n',
    "format true": b'format = true\ndecks = ["tiny"]\n',
    "no format": b'decks = ["tiny"]\n',
    "decks not a list": b'format = 1\ndecks = "tiny"\n',
    "a deck not a string": b"format = 1\ndecks = [1]\n",
    "bad position": b'format = 1\ndecks = ["tiny"]\n\n[journal]\nabc = { file = 3, offset = -1 }\n',
    "files not a table": b'format = 1\ndecks = ["tiny"]\nfiles = 3\n',
    "bad files entry": b'format = 1\ndecks = ["tiny"]\n\n[files.abc]\n"journal-2026-03.toml" = { offset = "x" }\n',
}


@pytest.mark.parametrize("damage", DAMAGE)
def test_read_manifest_raises_damaged_for_a_manifest_not_as_written(tmp_path: Path, damage: str) -> None:
    (tmp_path / "snapshots.toml").write_bytes(DAMAGE[damage])
    with pytest.raises(SnapshotDamaged, match=r"^snapshots\.toml: ") as info:
        read_manifest(tmp_path)
    assert "\n" not in str(info.value)


def test_no_manifest_is_no_message(tmp_path: Path) -> None:
    assert read_manifest(tmp_path)[:3] == (set(), {}, {})


def test_a_damaged_manifest_is_kept_said_and_written_again(tmp_path: Path) -> None:
    """Garbage in snapshots.toml was replaced at the next compaction, without a word or a copy."""
    manifest = _compacted(tmp_path)
    garbage = b"\x00\x01 not a manifest \xff"
    manifest.write_bytes(garbage)
    col = open_col(make_home(tmp_path), LATER)
    try:
        said = [m for m in col.messages if "snapshots.toml" in m]
        assert len(said) == 1 and "damaged state file" in said[0] and "kept as" in said[0], col.messages
        assert col.states["tiny/one"].last_review == NOW  # started as without a manifest
    finally:
        col.close(LATER)  # nothing was rated: the manifest is written again all the same
    copies = list(manifest.parent.glob("snapshots.toml.damaged-*"))
    assert [c.read_bytes() for c in copies] == [garbage]
    assert read_manifest(manifest.parent)[0] == {"tiny"}
    col = open_col(make_home(tmp_path), LATER + timedelta(minutes=1))
    try:
        assert not [m for m in col.messages if "snapshots.toml" in m], col.messages  # said once
    finally:
        col.close(LATER + timedelta(minutes=1))


def test_a_reader_says_a_damaged_manifest_is_damaged_and_writes_nothing(tmp_path: Path) -> None:
    manifest = _compacted(tmp_path)
    manifest.write_text("format = 1\ndecks = 3\n")
    col = open_col(make_home(tmp_path), LATER, read_only=True)
    try:
        assert any("snapshots.toml" in m and "damaged" in m for m in col.messages), col.messages
        assert col.states["tiny/one"].last_review == NOW
    finally:
        col.close(LATER)
    assert manifest.read_text() == "format = 1\ndecks = 3\n"
    assert list(manifest.parent.glob("snapshots.toml.damaged-*")) == []


def test_a_name_that_is_no_deck_id_is_dropped_from_the_manifest(tmp_path: Path) -> None:
    """A retain that took any .toml file for a snapshot listed its conflict copies as decks;
    each start then said the "deck" was missing and wrote an empty snapshot for it."""
    (tmp_path / "snapshots.toml").write_text(
        'format = 1\ndecks = ["tiny", "tiny.sync-conflict-20261202-101010-ABCDEFG", "tiny\\n"]\n'
    )
    assert read_manifest(tmp_path)[0] == {"tiny"}
