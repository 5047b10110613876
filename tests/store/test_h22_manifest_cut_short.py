"""A manifest (`state/snapshots.toml`) cut short at a line boundary is found, not half trusted.

Cut between lines it is still TOML. Cut inside `[files]`, the journal files it no longer listed
looked as if they had arrived late ("arrived after a later journal file of that device was
read"), and cut inside `[snapshots]` the decks left out were quietly read from their own
positions. The manifest now records `deck_count` in its header and again in a closing `[end]`
table; a manifest with neither (from a retain before them) reads as before.
"""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from store_helpers import KEYS, NOW, make_home, open_col, rate, states_at

from retain.store.state.snapshot import SnapshotDamaged, read_manifest

LATER = NOW + timedelta(minutes=5)


def _compacted(tmp_path: Path) -> Path:
    col = open_col(make_home(tmp_path))
    for i, key in enumerate(KEYS):
        rate(col, key, NOW + timedelta(seconds=i))
    col.close(NOW + timedelta(minutes=1))
    return tmp_path / "state" / "snapshots.toml"


def test_a_whole_manifest_has_its_counts_and_reads(tmp_path: Path) -> None:
    manifest = _compacted(tmp_path)
    text = manifest.read_text("utf-8")
    assert text.splitlines()[1].startswith("deck_count = ")
    assert re.search(r'\n\[end\]\ndeck_count = 1\ndigest = "[0-9a-f]{32}"\n\Z', text), text[-200:]
    assert read_manifest(manifest.parent).decks == {"tiny"}


def test_a_manifest_from_before_the_counts_reads_as_before(tmp_path: Path) -> None:
    manifest = _compacted(tmp_path)
    text = manifest.read_text("utf-8")
    old = text.replace("deck_count = 1\n", "").replace("\n[end]\n", "\n")
    assert "deck_count" not in old and "[end]" not in old
    manifest.write_text(old, "utf-8")
    assert read_manifest(manifest.parent).decks == {"tiny"}


def test_a_cut_at_any_line_after_the_header_is_said_and_loses_nothing(tmp_path: Path) -> None:
    manifest = _compacted(tmp_path)
    whole = manifest.read_text("utf-8")
    lines = whole.splitlines(keepends=True)
    expected = states_at(tmp_path, LATER)
    for k in range(2, len(lines) - 1):  # from after `deck_count` to before the last line
        cut = "".join(lines[:k])
        manifest.write_text(cut, "utf-8")
        try:
            read_manifest(manifest.parent)
        except SnapshotDamaged as exc:
            assert "cut short" in str(exc) or "not valid TOML" in str(exc), (k, str(exc))
        else:
            pytest.fail(f"a manifest cut after line {k} was trusted:\n{cut}")
        col = open_col(make_home(tmp_path), LATER, read_only=True)
        try:
            said = [m for m in col.messages if "snapshots.toml" in m]
            assert len(said) == 1 and "\n" not in said[0], col.messages
            assert not [m for m in col.messages if "arrived after" in m], col.messages
        finally:
            col.close(LATER)
        assert states_at(tmp_path, LATER) == expected, k
        manifest.write_text(whole, "utf-8")
