"""Recorded journal positions are verified before they are trusted (issue 10, "two ways progress is lost").

A snapshot or the manifest records, per device, how far into the journal it
is complete (file, byte offset, CRC of the record before it). Damage to the
files (CRLF conversion, truncation, zeroed bytes, a flipped bit, inserted
bytes, a shorter file) must never lose or miscount events, and new events
must never be appended where a later full replay cannot read them.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from store_helpers import KEYS, NOW, journal_paths, make_home, open_col, rate

from retain.core.state import CardState, Event
from retain.store.state.journal import Position, scan_file, verify_position
from retain.store.state.statecodec import canonical_event


def _history(root: Path, minutes: int = 12) -> tuple[Path, list[Event]]:
    """A home whose one device has rated `minutes` times (two rounds over the keys) and compacted."""
    home = make_home(root)
    col = open_col(home)
    events = [
        canonical_event(rate(col, KEYS[i % len(KEYS)], NOW + timedelta(minutes=i), 2 + i % 3))
        for i in range(minutes)
    ]
    col.close(NOW + timedelta(minutes=minutes))
    (path,) = journal_paths(root)
    return path, events


def _lines(path: Path) -> list[tuple[int, bytes]]:
    data = path.read_bytes()
    out, offset = [], 0
    for raw in data.split(b"\n")[:-1]:
        out.append((offset, raw + b"\n"))
        offset += len(raw) + 1
    return [(o, line) for o, line in out if line[:1].isdigit()]


def _crlf(root: Path, path: Path) -> None:
    for p in (root / "state").rglob("*.toml"):
        p.write_bytes(p.read_bytes().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n"))


def _truncate_mid_last(root: Path, path: Path) -> None:
    offset, line = _lines(path)[-1]
    path.write_bytes(path.read_bytes()[: offset + len(line) // 2])


def _shorter(root: Path, path: Path) -> None:
    offset, _line = _lines(path)[-2]
    path.write_bytes(path.read_bytes()[:offset])


def _zeroed_middle(root: Path, path: Path) -> None:
    offset, _line = _lines(path)[5]
    data = bytearray(path.read_bytes())
    data[offset + 20 : offset + 40] = bytes(20)
    path.write_bytes(bytes(data))


def _flipped_bit_last(root: Path, path: Path) -> None:
    offset, _line = _lines(path)[-1]
    data = bytearray(path.read_bytes())
    data[offset + 30] ^= 0x04
    path.write_bytes(bytes(data))


def _flipped_bit_middle(root: Path, path: Path) -> None:
    offset, _line = _lines(path)[4]
    data = bytearray(path.read_bytes())
    data[offset + 30] ^= 0x04
    path.write_bytes(bytes(data))


def _inserted(root: Path, path: Path) -> None:
    offset, _line = _lines(path)[3]
    data = path.read_bytes()
    path.write_bytes(data[:offset] + b"# a note someone added\n" + data[offset:])


def _inserted_mid_line(root: Path, path: Path) -> None:
    offset, _line = _lines(path)[6]
    data = path.read_bytes()
    path.write_bytes(data[: offset + 10] + b"xyz" + data[offset + 10 :])


DAMAGE: dict[str, tuple[Callable[[Path, Path], None], int]] = {
    # name: (damage, how many of the 12 events the journal itself can no longer give back)
    "crlf": (_crlf, 0),
    "truncated": (_truncate_mid_last, 1),
    "shorter": (_shorter, 2),
    "zeroed": (_zeroed_middle, 1),
    "flipped-last": (_flipped_bit_last, 1),
    "flipped-middle": (_flipped_bit_middle, 1),
    "inserted-line": (_inserted, 0),
    "inserted-in-record": (_inserted_mid_line, 1),
}


def _latest(events: list[Event]) -> dict[str, CardState | None]:
    out: dict[str, CardState | None] = {}
    for e in sorted(events, key=lambda e: e.time):
        out[e.key] = e.after
    return out


@pytest.mark.parametrize("case", sorted(DAMAGE))
def test_damage_never_loses_or_miscounts_events(tmp_path: Path, case: str) -> None:
    path, events = _history(tmp_path)
    damage, unreadable = DAMAGE[case]
    damage(tmp_path, path)
    home = make_home(tmp_path)
    t1 = NOW + timedelta(hours=1)
    col = open_col(home, t1)
    try:
        assert not col.read_only
        # every card keeps its progress: the snapshot covers what the damaged journal cannot give back
        assert {k: col.states.get(k) for k in KEYS} == _latest(events)
        readable = {e.id for e in col.history(t1)}
        assert len(readable & {e.id for e in events}) == len(events) - unreadable
        for message in col.messages:
            assert "\n" not in message
        # new reviews after the damage
        new = [
            canonical_event(rate(col, key, t1 + timedelta(minutes=i), 4)) for i, key in enumerate(KEYS[:2])
        ]
    finally:
        col.close(t1 + timedelta(minutes=5))
    # a full replay (no snapshots) reads every new event: nothing was appended onto a damaged tail
    for p in (tmp_path / "state" / "snapshots").glob("*.toml"):
        p.unlink()
    (tmp_path / "state" / "snapshots.toml").unlink()
    t2 = t1 + timedelta(minutes=10)
    col = open_col(home, t2)
    try:
        got = {e.id for e in col.history(t2)}
        assert {e.id for e in new} <= got
        assert [col.states.get(e.key) for e in new] == [e.after for e in new]
    finally:
        col.close(t2)
    for journal in journal_paths(tmp_path):
        assert scan_file(journal, 0, t2).torn == b""


def test_a_damaged_position_is_said_once_and_then_trusted_again(tmp_path: Path) -> None:
    path, events = _history(tmp_path)
    _crlf(tmp_path, path)
    home = make_home(tmp_path)
    col = open_col(home, NOW + timedelta(hours=1))
    messages = list(col.messages)
    col.close(NOW + timedelta(hours=1))
    assert len([m for m in messages if "read from its start" in m]) == 1, messages
    col = open_col(home, NOW + timedelta(hours=2))
    try:
        assert col.messages == []  # the compaction recorded positions that fit the converted file
        assert {k: col.states.get(k) for k in KEYS} == _latest(events)
    finally:
        col.close(NOW + timedelta(hours=2))


def test_verify_position_cases(tmp_path: Path) -> None:
    path, _events = _history(tmp_path)
    folder = path.parent
    lines = _lines(path)
    end = lines[-1][0] + len(lines[-1][1])
    crc = lines[-1][1][-11:-3].decode()
    assert verify_position(folder, Position(path.name, end, crc)) == ""
    assert verify_position(folder, Position(path.name, end)) == ""  # no check: boundary + key == offset
    assert verify_position(folder, Position(path.name, lines[3][0], lines[2][1][-11:-3].decode())) == ""
    assert "not the end" in verify_position(folder, Position(path.name, end, "00000000"))
    assert "not the end" in verify_position(folder, Position(path.name, end - 5))
    assert "shorter" in verify_position(folder, Position(path.name, end + 1))
    assert verify_position(folder, Position("journal-1999-01.toml", 500)) == ""  # nothing there to skip
