"""A snapshot cut short (a half copy, a backup restored onto a full disk) is found and rebuilt.

Cut at a line boundary, a snapshot is still valid TOML: before, the cards after the cut (a
card's `suspended = true`, the `[changed]` entries) were silently gone and, the snapshot's
positions being intact, the journal was never replayed for them. A snapshot now records how
many cards it holds (`card_count`, in its header) and ends with an `[end]` table repeating it.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from store_helpers import KEYS, NOW, make_home, open_col, rate

from retain.core.state import CardState, Event
from retain.store.state.journal import Position
from retain.store.state.snapshot import Snapshot, SnapshotDamaged, load_snapshot, write_snapshot

# A snapshot as the retain before this change wrote it (no `card_count`, no `[end]`).
TODAYS_LAYOUT = """\
# retain progress snapshot: compacted from the review journal; do not edit while retain runs
format = 1
deck = "kafka"
written = 2026-03-28 12:00:00+00:00

[journal.abc123]
file = "journal-2026-03.toml"
offset = 4242
check = "7ca4dad9"

[cards."kafka/a"]
state = 2
stability = 3.0
difficulty = 5.0
due = 2026-03-31 12:00:00+00:00
last_review = 2026-03-28 12:00:00+00:00
reps = 2
lapses = 0

[cards."kafka/b"]
state = 2
stability = 3.0
difficulty = 5.0
due = 2026-03-31 12:00:00+00:00
last_review = 2026-03-28 12:00:00+00:00
reps = 2
lapses = 0
suspended = true

[changed."kafka/b"]
at = 2026-03-28 12:05:00+00:00
by = "abc123"
"""


def _state(n: int, suspended: bool) -> CardState:
    at = NOW - timedelta(days=n)
    return CardState(2, 0, 3.0 + n, 5.0, at + timedelta(days=3), at, n + 1, 0, suspended=suspended)


def _same(a: Snapshot, b: Snapshot) -> bool:
    return (a.states, a.positions, a.changed, a.written) == (b.states, b.positions, b.changed, b.written)


def _replays_all(snap: Snapshot) -> bool:
    """Whether start-up replays the deck's whole journal over `snap`: a record was refused (said,
    and its positions dropped by `stateload`), or it holds nothing at all (no position, no time)."""
    return bool(snap.problems) or (snap.positions == {} and snap.written is None and snap.states == {})


def test_todays_layout_still_reads(tmp_path: Path) -> None:
    path = tmp_path / "kafka.toml"
    path.write_text(TODAYS_LAYOUT, encoding="utf-8")
    snap = load_snapshot(path, NOW)
    assert snap.problems == [] and set(snap.states) == {"kafka/a", "kafka/b"}
    assert snap.states["kafka/b"].suspended
    assert snap.positions == {"abc123": Position("journal-2026-03.toml", 4242, "7ca4dad9")}
    assert snap.changed == {"kafka/b": (datetime(2026, 3, 28, 12, 5, tzinfo=UTC), "abc123")}


def test_a_snapshot_written_now_reads_back_whole_also_with_crlf(tmp_path: Path) -> None:
    states = {f"kafka/c{i}": _state(i, i % 2 == 0) for i in range(5)}
    path = write_snapshot(tmp_path, "kafka", states, {"abc123": Position("journal-2026-03.toml", 9)}, NOW)
    assert load_snapshot(path, NOW).states == states
    path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))  # git autocrlf
    assert load_snapshot(path, NOW).states == states


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    suspended=st.lists(st.booleans(), min_size=1, max_size=6),
    changed=st.sets(st.integers(0, 5), max_size=3),
    data=st.data(),
)
def test_a_cut_at_any_line_is_found_or_loses_nothing(
    tmp_path: Path, suspended: list[bool], changed: set[int], data: st.DataObject
) -> None:
    """Cut before any line, a snapshot is either refused as damaged, or reads as the whole one,
    or the whole journal is replayed over it for its deck (`_replays_all`)."""
    states = {f"kafka/c{i}": _state(i, s) for i, s in enumerate(suspended)}
    changes = {f"kafka/c{i}": (NOW + timedelta(minutes=i), "abc123") for i in changed}
    path = write_snapshot(
        tmp_path, "kafka", states, {"abc123": Position("journal-2026-03.toml", 4242)}, NOW, changed=changes
    )
    whole = load_snapshot(path, NOW)
    assert whole.states == states and whole.changed == changes
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines(keepends=True)
    cut = data.draw(st.integers(0, len(lines)))
    path.write_text("".join(lines[:cut]), encoding="utf-8")
    try:
        snap = load_snapshot(path, NOW)
    except SnapshotDamaged as exc:
        assert "kafka.toml" in str(exc) and "\n" not in str(exc)
        return
    assert _same(snap, whole) or _replays_all(snap)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(suspended=st.lists(st.booleans(), min_size=1, max_size=4), data=st.data())
def test_a_cut_at_any_byte_is_found_or_loses_nothing(
    tmp_path: Path, suspended: list[bool], data: st.DataObject
) -> None:
    states = {f"kafka/c{i}": _state(i, s) for i, s in enumerate(suspended)}
    path = write_snapshot(tmp_path, "kafka", states, {"abc123": Position("journal-2026-03.toml", 42)}, NOW)
    whole = load_snapshot(path, NOW)
    raw = path.read_bytes()
    path.write_bytes(raw[: data.draw(st.integers(0, len(raw)))])
    try:
        snap = load_snapshot(path, NOW)
    except SnapshotDamaged:
        return
    assert _same(snap, whole) or _replays_all(snap)


def test_a_card_table_taken_out_is_found(tmp_path: Path) -> None:
    states = {f"kafka/c{i}": _state(i, False) for i in range(3)}
    path = write_snapshot(tmp_path, "kafka", states, {}, NOW)
    text = path.read_text(encoding="utf-8")
    start = text.index('[cards."kafka/c1"]')
    path.write_text(text[:start] + text[text.index('[cards."kafka/c2"]') :], encoding="utf-8")
    with pytest.raises(SnapshotDamaged, match=r"kafka\.toml: .*2 of the 3 cards"):
        load_snapshot(path, NOW)


def _study(root: Path) -> dict[str, CardState]:
    """Every unit of the tiny deck rated, the last one then suspended; closed (compacted)."""
    col = open_col(make_home(root), NOW)
    at = NOW
    for key in KEYS:
        at += timedelta(minutes=1)
        rate(col, key, at)
    before = col.states[KEYS[-1]]
    at += timedelta(minutes=1)
    after = replace(before, suspended=True)
    col.record(Event(col.new_event_id(at), "suspend", KEYS[-1], at, after, before))
    states = dict(col.states)
    col.close(at)
    return states


@pytest.mark.parametrize(
    "cut_before", ['[cards."tiny/three:c1"]', "suspended = true", "[changed.", "[journal."]
)
def test_a_cut_snapshot_is_rebuilt_from_the_journal(tmp_path: Path, cut_before: str) -> None:
    states = _study(tmp_path)
    path = tmp_path / "state" / "snapshots" / "tiny.toml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text[: text.index(cut_before)], encoding="utf-8")
    later = NOW + timedelta(hours=1)
    col = open_col(make_home(tmp_path), later)
    try:
        assert {k: v for k, v in col.states.items() if k.startswith("tiny/")} == states
        said = [m for m in col.messages if "tiny.toml" in m]
        assert len(said) == 1 and "rebuilt from" in said[0], col.messages
    finally:
        col.close(later)
    # the compaction wrote a whole snapshot again: the next start reads it, without a word
    assert load_snapshot(path, later).states == states
    col = open_col(make_home(tmp_path), later + timedelta(hours=1))
    try:
        assert {k: v for k, v in col.states.items() if k.startswith("tiny/")} == states
        assert not [m for m in col.messages if "tiny.toml" in m], col.messages
    finally:
        col.close(later + timedelta(hours=1))
