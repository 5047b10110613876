"""Snapshots: round trip, derived cache (hit equals parse, stale/damaged ignored), migration, hostile records."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import pytest
from store_helpers import NOW, review_state

from retain.core.model import Card, Unit
from retain.core.state import CardState
from retain.store.fastbuild import build_many, columns_of, field_names
from retain.store.index import derivedcache
from retain.store.state.journal import Position
from retain.store.state.migrate import FormatError
from retain.store.state.snapshot import SnapshotDamaged, load_snapshot, write_snapshot

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
    text = path.read_text().replace("reps = 9", "reps = 10")
    path.write_text(text)  # same size? no: one more digit; and a new mtime
    snap = load_snapshot(path, NOW, cache)
    assert snap.states["kafka/c:c2"].reps == 10


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
