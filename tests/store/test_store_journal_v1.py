"""Journals written in format 1 (`[[review]]` blocks) keep reading, and are never appended to.

The encoder below is the one retain used to write format 1, copied here so
the fixture is exactly what users have on disk.
"""

from __future__ import annotations

import zlib
from datetime import UTC, datetime, timedelta
from pathlib import Path

from store_helpers import KEYS, NOW, journal_paths, make_home, open_col, rate, review_state

from retain.core.state import CardState, Event
from retain.store.state.journal import JournalWriter, Position, journal_files, scan_file
from retain.store.state.snapshot import write_manifest, write_snapshot
from retain.store.state.statecodec import canonical_event, canonical_state


def _time(value: datetime) -> str:
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _v1_state(state: CardState) -> str:
    parts = [f"state = {state.state}"]
    if state.step is not None:
        parts.append(f"step = {state.step}")
    if state.stability is not None:
        parts.append(f"stability = {float(state.stability)!r}")
    if state.difficulty is not None:
        parts.append(f"difficulty = {float(state.difficulty)!r}")
    if state.due is not None:
        parts.append(f"due = {_time(state.due)}")
    if state.last_review is not None:
        parts.append(f"last_review = {_time(state.last_review)}")
    parts.append(f"reps = {state.reps}")
    parts.append(f"lapses = {state.lapses}")
    if state.suspended:
        parts.append("suspended = true")
    return "{ " + ", ".join(parts) + " }"


def v1_block(event: Event) -> bytes:
    lines = [
        "[[review]]",
        f'id = "{event.id}"',
        f'kind = "{event.kind}"',
        f'key = "{event.key}"',
        f"time = {_time(event.time)}",
    ]
    if event.rating:
        lines.append(f"rating = {event.rating}")
    if event.duration_ms:
        lines.append(f"duration_ms = {event.duration_ms}")
    if event.undoes:
        lines.append(f'undoes = "{event.undoes}"')
    if event.before is not None:
        lines.append(f"before = {_v1_state(event.before)}")
    if event.after is not None:
        lines.append(f"after = {_v1_state(event.after)}")
    body = ("\n".join(lines) + "\n").encode("utf-8")
    return body + b'crc = "%08x"\n' % zlib.crc32(body)


V1_HEADER = b"# retain review journal: append-only, one [[review]] block per event\nformat = 1\n\n"


def _v1_events(device: str) -> list[Event]:
    out: list[Event] = []
    for i, key in enumerate(KEYS):
        at = NOW - timedelta(hours=10 - i)
        state = CardState(2, None, 3.141592653589793 + i, 5.123456789012345, at + timedelta(days=2), at, 2)
        out.append(Event(f"{device}-{i}", "review", key, at, state, None, 3, 900 + i))
    return out


def _old_home(root: Path) -> tuple[Path, list[Event], list[int]]:
    """A home whose device has a format-1 journal and no snapshots; returns (file, events, block ends)."""
    home = make_home(root)
    open_col(home).close(NOW)  # makes the device folder
    (folder,) = (root / "state" / "devices").iterdir()
    events = _v1_events(folder.name)
    data = V1_HEADER
    ends = []
    for e in events:
        data += v1_block(e)
        ends.append(len(data))
    path = folder / "journal-2026-03.toml"
    path.write_bytes(data)
    return path, events, ends


def test_a_format_1_journal_reads_exactly(tmp_path: Path) -> None:
    path, events, _ends = _old_home(tmp_path)
    scan = scan_file(path, 0, NOW)
    assert [e for _, e in scan.events] == events  # full precision, as written
    assert scan.problems == [] and scan.torn == b"" and scan.end == path.stat().st_size
    col = open_col(make_home(tmp_path))
    try:
        assert {k: col.states[k] for k in KEYS} == {e.key: e.after for e in events}
    finally:
        col.close(NOW)


def test_new_events_go_to_a_new_file_and_the_old_one_is_untouched(tmp_path: Path) -> None:
    path, events, _ends = _old_home(tmp_path)
    before = path.read_bytes()
    home = make_home(tmp_path)
    col = open_col(home)
    new = rate(col, "tiny/one", NOW + timedelta(minutes=1))
    col.close(NOW + timedelta(minutes=1))
    assert path.read_bytes() == before
    names = [p.name for p in journal_paths(tmp_path)]
    assert names == ["journal-2026-03.toml", "journal-2026-03.v2.toml"]
    assert Position(names[0], 10**9) < Position(names[1], 0)  # file order is write order
    col = open_col(home, NOW + timedelta(minutes=2))
    try:
        assert col.states["tiny/one"] == canonical_event(new).after
        assert events[1].after is not None
        assert col.states["tiny/two"] == canonical_state(events[1].after)  # since compacted
        assert [e.id for e in col.history(NOW + timedelta(minutes=2))] == [e.id for e in events] + [new.id]
    finally:
        col.close(NOW + timedelta(minutes=2))


def test_a_writer_never_appends_to_a_format_1_file(tmp_path: Path) -> None:
    folder = tmp_path / "dev"
    folder.mkdir()
    (folder / "journal-2026-04.toml").write_bytes(V1_HEADER + v1_block(_v1_events("dev")[0]))
    writer = JournalWriter(folder, fsync=False)
    pos = writer.append(_v1_events("dev")[1])  # a March event: the newest file's month goes on
    writer.close()
    assert pos.file == "journal-2026-04.v2.toml"
    assert [p.name for p in journal_files(folder)] == ["journal-2026-04.toml", "journal-2026-04.v2.toml"]


def test_old_positions_without_a_check_are_verified_by_their_boundary(tmp_path: Path) -> None:
    path, events, ends = _old_home(tmp_path)
    state_dir = tmp_path / "state"
    device = path.parent.name
    # a snapshot (written by the old retain) that includes the first three events
    covered = {e.key: canonical_state(e.after) for e in events[:3] if e.after is not None}
    old_pos = {device: Position(path.name, ends[2])}
    write_snapshot(state_dir / "snapshots", "tiny", covered, old_pos, NOW)
    write_manifest(state_dir, ["tiny"], old_pos, NOW)
    col = open_col(make_home(tmp_path))
    try:
        assert col.messages == []
        assert {k: col.states[k] for k in KEYS} == {**{e.key: e.after for e in events}, **covered}
        assert col.states[events[3].key] == events[3].after  # replayed from the old offset, exact
    finally:
        col.close(NOW)


def test_a_format_1_journal_converted_to_crlf_loses_nothing(tmp_path: Path) -> None:
    path, events, ends = _old_home(tmp_path)
    state_dir = tmp_path / "state"
    device = path.parent.name
    stale = {e.key: review_state(NOW - timedelta(days=30)) for e in events}
    old_pos = {device: Position(path.name, ends[2])}
    write_snapshot(state_dir / "snapshots", "tiny", stale, old_pos, NOW)
    write_manifest(state_dir, ["tiny"], old_pos, NOW)
    for p in [path, *state_dir.rglob("*.toml")]:
        p.write_bytes(p.read_bytes().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n"))
    scan = scan_file(path, 0, NOW)
    assert [e for _, e in scan.events] == events and scan.problems == []
    col = open_col(make_home(tmp_path))
    try:
        # the recorded offset no longer fits: the file is read from its start, and every event counts
        assert {k: col.states[k] for k in KEYS} == {e.key: e.after for e in events}
        assert any("read from its start" in m for m in col.messages)
        assert not any("cut off" in m or "set aside" in m for m in col.messages)
    finally:
        col.close(NOW)
    assert b"\r\n" in path.read_bytes() and scan_file(path, 0, NOW).events == scan.events


def test_a_format_1_journal_reads_in_bounded_steps(tmp_path: Path) -> None:
    path, events, _ends = _old_home(tmp_path)
    got: list[Event] = []
    start = 0
    for _ in range(100):
        scan = scan_file(path, start, NOW, max_bytes=200)
        got += [e for _, e in scan.events]
        assert scan.torn == b""
        if scan.end == start:
            break
        start = scan.end
    assert got == events
