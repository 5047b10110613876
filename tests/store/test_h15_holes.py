"""Records set aside in another device's journal are awaited (`holes` in the manifest and the index).

The case a sync tool leaves (zeros where a record goes, whole later) is in
`test_late_journal_files.py`; these check the rules around it: time order when
the card changed here since, a hostile or older manifest, and this device's own
damaged records, which are quarantined and never awaited.
"""

from __future__ import annotations

import sqlite3
import tomllib
from datetime import timedelta
from pathlib import Path

import pytest
import tomli_w
from hypothesis import given
from hypothesis import strategies as st
from store_helpers import NOW, delete_snapshots, make_home, open_col, rate
from test_late_journal_files import _review, _write, _zero_record

from retain.store.state.journal import Position
from retain.store.state.snapshot import read_manifest, write_manifest


def _laptop_with_a_zeroed_record(root: Path) -> tuple[Path, bytes]:
    """The laptop's file: tiny/one, tiny/two (zeroed: a sync half-way), then ten more records."""
    laptop = root / "state" / "devices" / "laptop"
    at = NOW - timedelta(hours=3)
    keys = ["tiny/one", "tiny/two", *["tiny/three:c1"] * 10]
    _write(laptop, [_review("laptop", i, key, at + timedelta(minutes=i)) for i, key in enumerate(keys)])
    (journal,) = laptop.glob("journal-*.toml")
    return journal, _zero_record(journal, "tiny/two")


def _holes(root: Path) -> dict[str, object]:
    data = tomllib.loads((root / "state" / "snapshots.toml").read_text())
    return {
        f"{device}/{name}": entry["holes"]
        for device, files in data.get("files", {}).items()
        for name, entry in files.items()
        if "holes" in entry
    }


def test_a_record_whole_later_is_history_when_the_card_was_rated_here_since(tmp_path: Path) -> None:
    """The laptop's review of tiny/two (3 hours ago) arrives whole after this computer rated the card:
    in time order it comes first, so the card keeps the rating made here; the history has both."""
    home = make_home(tmp_path)
    open_col(home).close(NOW)
    journal, whole = _laptop_with_a_zeroed_record(tmp_path)
    col = open_col(home, NOW)
    here = rate(col, "tiny/two", NOW)
    col.close(NOW)
    assert _holes(tmp_path) == {f"laptop/{journal.name}": [journal.read_bytes().index(b"\0")]}
    journal.write_bytes(whole)
    later = NOW + timedelta(minutes=5)
    col = open_col(home, later)
    try:
        assert col.states["tiny/two"] == here.after
        assert [e.time for e in col.history(later) if e.key == "tiny/two"] == [
            NOW - timedelta(hours=3, minutes=-1),
            NOW,
        ]
        assert any("whole now" in m for m in col.messages), col.messages
    finally:
        col.close(later)
    assert _holes(tmp_path) == {}


def test_the_index_reads_a_file_again_only_when_a_record_left_out_is_whole(tmp_path: Path) -> None:
    """The index lists the records it left out; the file is read again when one is whole (its end,
    which the index checks, did not change), and not at every feed while it stays damaged."""
    home = make_home(tmp_path)
    open_col(home).close(NOW)
    journal, whole = _laptop_with_a_zeroed_record(tmp_path)
    col = open_col(home, NOW)
    try:
        assert len(col.history(NOW)) == 11
        db = sqlite3.connect(tmp_path / "cache" / "history.sqlite3")
        ((holes,),) = db.execute("SELECT holes FROM files").fetchall()
        assert holes == str(journal.read_bytes().index(b"\0"))
        rowids = db.execute("SELECT rowid FROM events ORDER BY rowid").fetchall()
        rate(col, "tiny/one", NOW)  # a feed while it stays damaged: the laptop's rows stay as they were
        assert len(col.history(NOW)) == 12
        assert db.execute("SELECT rowid FROM events ORDER BY rowid").fetchall()[:11] == rowids
        journal.write_bytes(whole)
        assert sorted(e.key for e in col.history(NOW)).count("tiny/two") == 1
        assert len(col.history(NOW)) == 13
        assert db.execute("SELECT holes FROM files WHERE device = 'laptop'").fetchall() == [("",)]
    finally:
        col.close(NOW)


def test_this_devices_own_damaged_record_is_not_awaited(tmp_path: Path) -> None:
    """Its own damaged record is copied to quarantine/ (said once); the manifest awaits nothing."""
    home = make_home(tmp_path)
    col = open_col(home, NOW)
    for i, key in enumerate(["tiny/one", "tiny/two", "tiny/three:c1"]):
        rate(col, key, NOW + timedelta(minutes=i))
    col.close(NOW + timedelta(minutes=5))
    (journal,) = (tmp_path / "state" / "devices").glob("*/journal-*.toml")
    _zero_record(journal, "tiny/two")
    delete_snapshots(tmp_path)  # every journal is read again from its start
    for step in range(2):
        at = NOW + timedelta(hours=1, minutes=step)
        col = open_col(home, at)
        try:
            assert "tiny/one" in col.states and "tiny/three:c1" in col.states
            assert ([m for m in col.messages if "quarantine" in m] != []) == (step == 0), col.messages
        finally:
            col.close(at)
    assert len(list((tmp_path / "state" / "quarantine").iterdir())) == 1
    assert _holes(tmp_path) == {}


@pytest.mark.parametrize("holes", ['"228"', "[-1]", "[true]", "[1.5]", '["x"]', "{a = 1}"])
def test_a_manifest_with_bad_holes_is_damaged_and_nothing_is_lost(tmp_path: Path, holes: str) -> None:
    home = make_home(tmp_path)
    col = open_col(home, NOW)
    rate(col, "tiny/one", NOW)
    col.close(NOW)
    manifest = tmp_path / "state" / "snapshots.toml"
    data = tomllib.loads(manifest.read_text())
    device = next(iter(data["files"]))
    name = next(iter(data["files"][device]))
    text = manifest.read_text()
    assert f'[files.{device}."{name}"]' in text
    manifest.write_text(
        text.replace(f'[files.{device}."{name}"]\n', f'[files.{device}."{name}"]\nholes = {holes}\n')
    )
    col = open_col(home, NOW + timedelta(minutes=1))
    try:
        assert "tiny/one" in col.states
        (said,) = [m for m in col.messages if "snapshots.toml" in m]
        assert "holes" in said and "\n" not in said
    finally:
        col.close(NOW + timedelta(minutes=1))


def test_a_manifest_without_holes_reads_as_before(tmp_path: Path) -> None:
    """A manifest written before `holes` existed (and one an older retain rewrites) awaits nothing."""
    (tmp_path / "state").mkdir()
    doc = {
        "format": 1,
        "decks": [],
        "journal": {},
        "files": {"laptop": {"journal-2026-03.toml": {"offset": 9}}},
    }
    (tmp_path / "state" / "snapshots.toml").write_text(tomli_w.dumps(doc))
    read = read_manifest(tmp_path / "state")
    assert read.files == {"laptop": {"journal-2026-03.toml": Position("journal-2026-03.toml", 9)}}
    assert not read.holes


_NAMES = st.sampled_from(["journal-2026-02.toml", "journal-2026-03.toml", "journal-2026-03.v2.toml"])


@given(
    st.dictionaries(
        st.sampled_from(["laptop", "phone-2", "a"]),
        st.dictionaries(_NAMES, st.lists(st.integers(0, 2**40), max_size=5), min_size=1),
        max_size=3,
    )
)
def test_holes_round_trip_through_the_manifest(
    tmp_path_factory: pytest.TempPathFactory, holes: dict[str, dict[str, list[int]]]
) -> None:
    state = tmp_path_factory.mktemp("state")
    files = {d: {n: Position(n, 10**12) for n in known} for d, known in holes.items()}
    write_manifest(state, [], {}, NOW, files, {}, holes)
    expected = {d: {n: sorted(set(o)) for n, o in known.items() if o} for d, known in holes.items()}
    assert (read_manifest(state).holes or {}) == {d: k for d, k in expected.items() if k}
