"""Snapshots: round trip, derived cache (hit equals parse, stale/damaged ignored), migration, hostile
records, and which files of the snapshots folder are snapshots (not a sync's conflict copy)."""

from __future__ import annotations

import os
import re
import shutil
from datetime import timedelta
from pathlib import Path

import pytest
from store_helpers import NOW, make_home, open_col, rate, review_state

from retain.core.model import Card, Unit
from retain.core.state import CardState
from retain.store.fastbuild import build_many, columns_of, field_names
from retain.store.index import derivedcache
from retain.store.state.journal import Position
from retain.store.state.migrate import FormatError
from retain.store.state.snapshot import (
    SnapshotDamaged,
    ignored_snapshot_files,
    load_snapshot,
    read_manifest,
    snapshot_files,
    write_snapshot,
)

STATES = {
    "kafka/a": review_state(NOW),
    "kafka/b:reverse": CardState(1, 0, 0.5, 7.0, NOW, NOW, 1, 0, suspended=True, buried_until="2026-03-29"),
    "kafka/c:c2": CardState(3, 0, 1.25, 9.5, NOW + timedelta(minutes=10), NOW, 9, 3, leech=True),
}
POS = {"abc123": Position("journal-2026-03.toml", 4242)}


def test_write_then_load_round_trips(tmp_path: Path) -> None:
    path = write_snapshot(tmp_path, "kafka", STATES, POS, NOW)
    snap = load_snapshot(path, NOW)
    assert snap.states == STATES and snap.positions == POS and snap.problems == []
    assert path.read_text().splitlines()[1] == "format = 1"


def test_cache_hit_equals_a_fresh_parse(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    path = write_snapshot(tmp_path / "s", "kafka", STATES, POS, NOW, cache)
    cached = load_snapshot(path, NOW, cache)
    fresh = load_snapshot(path, NOW)
    assert cached.states == fresh.states == STATES
    assert cached.positions == fresh.positions
    # the cached objects hash and compare like constructor-built ones
    assert {v: k for k, v in cached.states.items()}[STATES["kafka/a"]] == "kafka/a"


def test_stale_cache_is_ignored_after_an_edit(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    path = write_snapshot(tmp_path / "s", "kafka", STATES, POS, NOW, cache)
    # (read as an older retain's file, without its digest: an edit of one with its digest is not
    # trusted at all since session 37, `test_h37_snapshot_merge`)
    text = re.sub(r'(?m)^digest = ".*"\n', "", path.read_text()).replace("reps = 9", "reps = 10")
    path.write_text(text)  # same size? no: one more digit; and a new mtime
    snap = load_snapshot(path, NOW, cache)
    assert snap.states["kafka/c:c2"].reps == 10
    path.write_text(
        path.read_text().replace("reps = 10", "reps = 11") + 'digest = "0123456789abcdef0123456789abcdef"\n'
    )
    assert not load_snapshot(path, NOW, cache).trusted


def test_damaged_cache_is_a_miss(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    path = write_snapshot(tmp_path / "s", "kafka", STATES, POS, NOW, cache)
    entry = derivedcache.cache_path(cache, "snapshots", path)
    entry.write_bytes(entry.read_bytes()[:100])
    assert load_snapshot(path, NOW, cache).states == STATES
    entry.write_bytes(b"\x00garbage")
    assert load_snapshot(path, NOW, cache).states == STATES


def test_unparseable_snapshot_raises_damaged(tmp_path: Path) -> None:
    path = tmp_path / "kafka.toml"
    path.write_text('format = 1\ndeck = "kafka"\n[cards]\n"kafka/a" = { state = ')
    with pytest.raises(SnapshotDamaged, match="not valid TOML"):
        load_snapshot(path, NOW)


def test_hostile_records_are_left_out_with_a_message(tmp_path: Path) -> None:
    path = tmp_path / "kafka.toml"
    path.write_text(
        'format = 1\ndeck = "kafka"\n[journal]\n[cards]\n'
        '"kafka/nan" = { state = 2, stability = nan, difficulty = 5.0, due = 2026-03-01T00:00:00Z }\n'
        '"kafka/neg" = { state = 2, stability = -4.0, difficulty = 5.0, due = 2026-03-01T00:00:00Z }\n'
        '"kafka/naive" = { state = 2, stability = 4.0, difficulty = 5.0, due = 2026-03-01T00:00:00 }\n'
        '"kafka/future" = { state = 2, stability = 4.0, difficulty = 5.0, due = 2026-03-01T00:00:00Z, '
        "last_review = 2299-01-01T00:00:00Z }\n"
        '"other/x" = { state = 2, stability = 4.0, difficulty = 5.0, due = 2026-03-01T00:00:00Z }\n'
        '"kafka/ok" = { state = 2, stability = 4.0, difficulty = 5.0, due = 2026-03-01T00:00:00Z }\n'
    )
    snap = load_snapshot(path, NOW)
    assert list(snap.states) == ["kafka/ok"]
    assert len(snap.problems) == 1 and "5 invalid record(s)" in snap.problems[0]


def test_v0_snapshot_is_migrated(tmp_path: Path) -> None:
    path = tmp_path / "kafka.toml"
    path.write_text(
        'deck = "kafka"\n\n[cards."kafka/a"]\nstate = 2\nstability = 4.0\ndifficulty = 5.0\n'
        "due = 2026-03-01T00:00:00Z\nreps = 3\n"
    )
    snap = load_snapshot(path, NOW)
    assert snap.migrated_from == 0
    assert snap.positions == {}  # v0 knew no positions: the whole journal is replayed over it
    assert snap.states["kafka/a"].reps == 3


def test_newer_snapshot_format_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "kafka.toml"
    path.write_text('format = 7\ndeck = "kafka"\n')
    with pytest.raises(FormatError, match="newer retain"):
        load_snapshot(path, NOW)


def test_fastbuild_objects_equal_constructed_ones() -> None:
    units = [Unit(f"d/c{i}", "d", f"c{i}", "", "basic", "f", "b", "x", ("a",), ("t",)) for i in range(50)]
    names = field_names(Unit)
    built = build_many(Unit, names, columns_of(units, names), len(units))
    assert built == units and [hash(u) for u in built] == [hash(u) for u in units]
    with pytest.raises(Exception, match="cannot assign"):
        built[0].key = "other"  # type: ignore[misc]
    cards = build_many(Card, ["id", "front"], [["a", "b"], ["F", "G"]], 2)
    assert cards == [Card("a", front="F"), Card("b", front="G")]
    with pytest.raises(ValueError):
        build_many(Card, ["front"], [["F"]], 1)  # `id` has no default
    with pytest.raises(ValueError):
        build_many(Card, ["id"], [["a"]], 2)  # short column


def test_cache_file_identity_changes_on_replace(tmp_path: Path) -> None:
    path = tmp_path / "f.toml"
    path.write_text("a")
    first = derivedcache.file_id(path)
    tmp = tmp_path / "g.toml"
    tmp.write_text("a")
    os.replace(tmp, path)
    assert derivedcache.file_id(path) != first


# ---- what the snapshots folder holds besides snapshots


CONFLICT = "tiny.sync-conflict-20261202-101010-ABCDEFG.toml"


def test_a_sync_conflict_copy_is_ignored_with_one_line(tmp_path: Path) -> None:
    """Syncthing leaves `snapshots/tiny.sync-conflict-….toml` when two machines compact into a
    shared snapshots folder: it was called a damaged state file, then an empty snapshot of a deck
    named "tiny.sync-conflict-…" was written over it and listed in snapshots.toml for good."""
    home = make_home(tmp_path)
    col = open_col(home)
    rate(col, "tiny/one", NOW)
    col.close(NOW)
    snaps = tmp_path / "state" / "snapshots"
    conflict = snaps / CONFLICT
    shutil.copy(snaps / "tiny.toml", conflict)
    copied = conflict.read_bytes()
    later = NOW + timedelta(minutes=5)
    col = open_col(home, later)
    try:
        said = [m for m in col.messages if "sync-conflict" in m]
        assert len(said) == 1 and "ignored" in said[0] and "can be deleted" in said[0], col.messages
        assert not any("damaged" in m for m in col.messages), col.messages
        rate(col, "tiny/two", later)
    finally:
        col.close(later)
    assert conflict.read_bytes() == copied  # left alone
    assert read_manifest(tmp_path / "state")[0] == {"tiny"}
    assert "sync-conflict" not in (tmp_path / "state" / "snapshots.toml").read_text()


def test_a_phantom_deck_left_by_an_older_retain_is_not_rebuilt(tmp_path: Path) -> None:
    """An older retain wrote an empty snapshot for the conflict copy's "deck" and listed it."""
    home = make_home(tmp_path)
    col = open_col(home)
    rate(col, "tiny/one", NOW)
    col.close(NOW)
    state = tmp_path / "state"
    phantom = CONFLICT.removesuffix(".toml")
    (state / "snapshots" / CONFLICT).write_text(f'format = 1\ndeck = "{phantom}"\n\n[journal]\n\n[cards]\n')
    manifest = state / "snapshots.toml"
    manifest.write_text(manifest.read_text().replace('decks = ["tiny"]', f'decks = ["{phantom}", "tiny"]'))
    col = open_col(home, NOW + timedelta(minutes=1))
    try:
        assert not any("missing" in m or "damaged" in m for m in col.messages), col.messages
        assert col.states["tiny/one"].last_review == NOW
    finally:
        col.close(NOW + timedelta(minutes=1))
    assert not (state / "snapshots" / f"{phantom}.toml.toml").exists()
    assert {p.name for p in (state / "snapshots").iterdir()} == {"tiny.toml", CONFLICT}


@pytest.mark.parametrize(
    ("name", "said"),
    [
        (CONFLICT, "is a sync-conflict copy of snapshots/tiny.toml"),
        ("tiny (Ann's conflicted copy 2026-12-02).toml", "is a sync-conflict copy of snapshots/tiny.toml"),
        ("tiny (conflicted copy 2026-12-02 101010).toml", "is a sync-conflict copy of snapshots/tiny.toml"),
        ("Tiny.toml", "its name is not a deck id"),
        ("tiny\n.toml", "its name is not a deck id"),
        ("tiny.toml.toml", "its name is not a deck id"),
    ],
)
def test_only_files_named_by_a_deck_id_are_snapshots(tmp_path: Path, name: str, said: str) -> None:
    for file in ("tiny.toml", "my-deck-2.toml", name, ".hidden.toml", "tiny.toml.damaged-20260328T120000Z"):
        (tmp_path / file).write_text("")
    assert [p.name for p in snapshot_files(tmp_path)] == ["my-deck-2.toml", "tiny.toml"]
    lines = ignored_snapshot_files(tmp_path)
    assert len(lines) == 1 and said in lines[0] and "ignored" in lines[0] and "\n" not in lines[0], lines
