"""The append-only journal: durable appends, month files, torn tails, damaged blocks, formats."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from store_helpers import NOW, review_state

from retain.core.state import Event
from retain.store.journal import (
    JournalError,
    JournalWriter,
    Position,
    journal_files,
    read_recent,
    repair_tail,
    scan_file,
)
from retain.store.statecodec import encode_event


def _ev(n: int, minutes: float = 0) -> Event:
    at = NOW + timedelta(minutes=minutes)
    return Event(f"dev-{n}", "review", f"deck/card-{n % 7}", at, review_state(at), None, 3, 100 + n)


def _write(folder: Path, events: list[Event]) -> JournalWriter:
    writer = JournalWriter(folder, fsync=False)
    for e in events:
        writer.append(e)
    return writer


def test_appended_events_read_back_in_order(tmp_path: Path) -> None:
    events = [_ev(i, i) for i in range(20)]
    _write(tmp_path, events).close()
    (path,) = journal_files(tmp_path)
    scan = scan_file(path, 0, NOW + timedelta(days=1))
    assert [e for _, e in scan.events] == events
    assert scan.torn == b"" and scan.problems == [] and scan.end == path.stat().st_size
    assert path.read_text().startswith("# retain review journal")


def test_append_returns_the_block_position(tmp_path: Path) -> None:
    writer = _write(tmp_path, [_ev(0)])
    pos = writer.append(_ev(1, 1))
    writer.close()
    scan = scan_file(tmp_path / pos.file, pos.offset, NOW + timedelta(days=1))
    assert [e.id for _, e in scan.events] == ["dev-1"]


def test_events_go_to_month_files_and_never_back(tmp_path: Path) -> None:
    writer = JournalWriter(tmp_path, fsync=False)
    writer.append(_ev(0, minutes=-60 * 24 * 40))  # February
    writer.append(_ev(1))  # March
    writer.append(_ev(2, minutes=-60 * 24 * 40))  # clock moved back: still the newest file
    writer.close()
    names = [p.name for p in journal_files(tmp_path)]
    assert names == ["journal-2026-02.toml", "journal-2026-03.toml"]
    march = scan_file(tmp_path / names[1], 0, NOW + timedelta(days=1))
    assert [e.id for _, e in march.events] == ["dev-1", "dev-2"]


@pytest.mark.parametrize("cut", [1, 10, 60, 200, -12, -1])
def test_torn_tail_is_detected_and_repaired_with_a_copy(tmp_path: Path, cut: int) -> None:
    _write(tmp_path, [_ev(0), _ev(1, 1)]).close()
    (path,) = journal_files(tmp_path)
    good = path.read_bytes()
    block = encode_event(_ev(2, 2))
    torn = block[:cut] if cut > 0 else block[: len(block) + cut]
    path.write_bytes(good + torn)
    scan = scan_file(path, 0, NOW + timedelta(days=1))
    assert [e.id for _, e in scan.events] == ["dev-0", "dev-1"]
    assert scan.torn == torn and scan.end == len(good)
    message = repair_tail(path, scan.end, scan.torn, NOW)
    assert path.read_bytes() == good
    copies = list(tmp_path.glob("journal-*.torn-*"))
    assert len(copies) == 1 and copies[0].read_bytes() == torn
    assert "cut off" in message
    # appending after the repair gives a clean file again
    _write(tmp_path, [_ev(3, 3)]).close()
    assert [e.id for _, e in scan_file(path, 0, NOW + timedelta(days=1)).events] == [
        "dev-0",
        "dev-1",
        "dev-3",
    ]


def test_damaged_middle_block_is_skipped_not_fatal(tmp_path: Path) -> None:
    _write(tmp_path, [_ev(0), _ev(1, 1), _ev(2, 2)]).close()
    (path,) = journal_files(tmp_path)
    data = path.read_bytes().replace(b"duration_ms = 101", b"duration_ms = 999")
    path.write_bytes(data)
    scan = scan_file(path, 0, NOW + timedelta(days=1))
    assert [e.id for _, e in scan.events] == ["dev-0", "dev-2"]
    assert scan.torn == b"" and len(scan.bad_blocks) == 1
    assert "damaged event" in scan.problems[0]


def test_valid_crc_but_hostile_content_is_set_aside(tmp_path: Path) -> None:
    bad = Event("dev-9", "review", "deck/card", NOW, review_state(NOW), None, 3, 1)
    _write(tmp_path, [_ev(0), bad]).close()
    (path,) = journal_files(tmp_path)
    # a well-formed block whose state is NaN: recompute nothing, just write it by hand
    block = encode_event(bad).replace(b"stability = 3.0", b"stability = nan")
    import zlib

    body = block[: block.rindex(b'crc = "')]
    block = body + b'crc = "%08x"\n' % zlib.crc32(body)
    path.write_bytes(path.read_bytes() + block)
    scan = scan_file(path, 0, NOW + timedelta(days=1))
    assert [e.id for _, e in scan.events] == ["dev-0", "dev-9"]
    assert any("not a finite number" in p for p in scan.problems)


def test_newer_journal_format_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "journal-2026-03.toml"
    path.write_text("format = 2\n\n")
    with pytest.raises(JournalError, match="newer retain"):
        scan_file(path, 0, NOW)


def test_read_recent_decodes_only_the_recent_events(tmp_path: Path) -> None:
    events = [_ev(i, minutes=i * 60) for i in range(60)]  # 60 hours
    _write(tmp_path, events).close()
    since = NOW + timedelta(hours=50)
    got = read_recent(tmp_path, since, NOW + timedelta(days=5))
    assert [e.id for e in got] == [f"dev-{i}" for i in range(50, 60)]


def test_positions_order_by_file_then_offset() -> None:
    assert Position("journal-2026-02.toml", 900) < Position("journal-2026-03.toml", 10)
    assert Position("journal-2026-03.toml", 10) < Position("journal-2026-03.toml", 11)


def test_damaged_header_never_costs_the_events(tmp_path: Path) -> None:
    _write(tmp_path, [_ev(0), _ev(1, 1)]).close()
    (path,) = journal_files(tmp_path)
    path.write_bytes(path.read_bytes().replace(b"format = 1", b"f\x00rmat = ", 1))
    scan = scan_file(path, 0, NOW + timedelta(days=1))
    assert [e.id for _, e in scan.events] == ["dev-0", "dev-1"]
    assert scan.torn == b"" and "header is damaged" in scan.problems[0]


def test_recent_reads_grow_past_the_first_chunk(tmp_path: Path) -> None:
    from retain.store.journal import recent_in_file

    _write(tmp_path, [_ev(i, minutes=i * 60) for i in range(60)]).close()
    (path,) = journal_files(tmp_path)
    since = NOW + timedelta(hours=40)  # the walk goes on to a block a day older: hour 16
    events, reached = recent_in_file(path, since, NOW + timedelta(days=5), chunk=700)
    assert [e.id for e in events] == [f"dev-{i}" for i in range(40, 60)] and reached
