"""The append-only journal: durable appends, month files, torn tails, damaged records, formats."""

from __future__ import annotations

import tomllib
import zlib
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from store_helpers import NOW, review_state

from retain.core.state import Event
from retain.store.state.journal import (
    JournalError,
    JournalWriter,
    Position,
    journal_files,
    repair_tail,
    scan_file,
)
from retain.store.state.statecodec import canonical_event, encode_event


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
    assert [e for _, e in scan.events] == [canonical_event(e) for e in events]
    assert scan.torn == b"" and scan.problems == [] and scan.end == path.stat().st_size
    text = path.read_text()
    assert text.startswith("# retain review journal")
    parsed = tomllib.loads(text)  # any TOML parser reads the whole file
    assert parsed["format"] == 2 and len(parsed) == 2 + 20
    assert all(int(key) == pos.offset for (pos, _), key in zip(scan.events, list(parsed)[2:], strict=True))


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


def test_a_batch_is_split_at_month_boundaries_in_utc(tmp_path: Path) -> None:
    east = timezone(timedelta(hours=5))  # 2027-01-01T03:00+05:00 is still December in UTC
    times = [
        datetime(2026, 11, 30, 23, 59, 59, 999999, tzinfo=UTC),
        datetime(2026, 12, 1, tzinfo=UTC),  # the first moment of a month
        datetime(2027, 1, 1, 3, tzinfo=east),
        datetime(2027, 1, 1, tzinfo=UTC),  # a year's end
        datetime(2027, 1, 1, 5, tzinfo=east),  # January in UTC too
    ]
    batch = [
        Event(f"dev-{n}", "review", "deck/card", at, review_state(at), None, 3, 100)
        for n, at in enumerate(times)
    ]
    writer = JournalWriter(tmp_path, fsync=False)
    positions = writer.append_many(batch)
    writer.close()
    assert [p.file for p in positions] == [
        "journal-2026-11.toml", "journal-2026-12.toml", "journal-2026-12.toml",
        "journal-2027-01.toml", "journal-2027-01.toml",
    ]  # fmt: skip
    later = writer.append_many([batch[0]])  # an older event after them: the newest file
    assert later[0].file == "journal-2027-01.toml"


@pytest.mark.parametrize("cut", [1, 10, 60, 100, -12, -1])
def test_torn_tail_is_detected_and_repaired_with_a_copy(tmp_path: Path, cut: int) -> None:
    _write(tmp_path, [_ev(0), _ev(1, 1)]).close()
    (path,) = journal_files(tmp_path)
    good = path.read_bytes()
    line = encode_event(_ev(2, 2), offset=len(good), device=tmp_path.name)
    torn = line[:cut] if cut > 0 else line[: len(line) + cut]
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


def test_an_unrepaired_torn_tail_never_swallows_new_events(tmp_path: Path) -> None:
    _write(tmp_path, [_ev(0)]).close()
    (path,) = journal_files(tmp_path)
    path.write_bytes(path.read_bytes() + b'999={i="x",u="deck/ca')  # torn, and nobody repaired it
    _write(tmp_path, [_ev(1, 1), _ev(2, 2)]).close()
    scan = scan_file(path, 0, NOW + timedelta(days=1))
    assert [e.id for _, e in scan.events] == ["dev-0", "dev-1", "dev-2"]
    assert scan.torn == b"" and len(scan.bad_blocks) == 1


def test_damaged_middle_record_is_skipped_not_fatal(tmp_path: Path) -> None:
    _write(tmp_path, [_ev(0), _ev(1, 1), _ev(2, 2)]).close()
    (path,) = journal_files(tmp_path)
    data = path.read_bytes().replace(b"ms=101", b"ms=999")
    path.write_bytes(data)
    scan = scan_file(path, 0, NOW + timedelta(days=1))
    assert [e.id for _, e in scan.events] == ["dev-0", "dev-2"]
    assert scan.torn == b"" and len(scan.bad_blocks) == 1
    assert "damaged event" in scan.problems[0]


def test_valid_crc_but_hostile_content_is_set_aside(tmp_path: Path) -> None:
    bad = Event("dev-9", "review", "deck/card", NOW, review_state(NOW), None, 3, 1)
    _write(tmp_path, [_ev(0)]).close()
    (path,) = journal_files(tmp_path)
    # a well-formed record whose state is NaN: written by hand with a matching CRC
    line = encode_event(bad, offset=path.stat().st_size).replace(b"S=3.0", b"S=nan")
    body = line[: line.rindex(b'c="')]
    path.write_bytes(path.read_bytes() + body + b'c="%08x"}\n' % zlib.crc32(body))
    scan = scan_file(path, 0, NOW + timedelta(days=1))
    assert [e.id for _, e in scan.events] == ["dev-0"]
    assert any("not a finite number" in p for p in scan.problems)


@pytest.mark.parametrize("number", [10**12, 10**18, 10**200])
def test_an_event_id_number_out_of_range_is_named_so(tmp_path: Path, number: int) -> None:
    """It was set aside as "event id is missing", which sent the reader looking for a gap."""
    _write(tmp_path, [_ev(0)]).close()
    (path,) = journal_files(tmp_path)
    body = f'{path.stat().st_size}={{i={number},u="deck/card",t=2026-03-28T12:00:00Z,r=3,'.encode()
    path.write_bytes(path.read_bytes() + body + b'c="%08x"}\n' % zlib.crc32(body))
    scan = scan_file(path, 0, NOW + timedelta(days=1))
    assert [e.id for _, e in scan.events] == ["dev-0"]
    assert any("event id is a number out of range" in p for p in scan.problems), scan.problems


def test_newer_journal_format_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "journal-2026-03.toml"
    path.write_text("format = 3\n\n")
    with pytest.raises(JournalError, match="newer retain"):
        scan_file(path, 0, NOW)


def test_positions_order_by_file_then_offset() -> None:
    assert Position("journal-2026-02.toml", 900) < Position("journal-2026-03.toml", 10)
    assert Position("journal-2026-03.toml", 10) < Position("journal-2026-03.toml", 11)


def test_damaged_header_never_costs_the_events(tmp_path: Path) -> None:
    _write(tmp_path, [_ev(0), _ev(1, 1)]).close()
    (path,) = journal_files(tmp_path)
    path.write_bytes(path.read_bytes().replace(b"format = 2", b"f\x00rmat = ", 1))
    scan = scan_file(path, 0, NOW + timedelta(days=1))
    assert [e.id for _, e in scan.events] == ["dev-0", "dev-1"]
    assert scan.torn == b"" and "header is damaged" in scan.problems[0]


def test_positions_carry_the_check_of_the_record_before_them(tmp_path: Path) -> None:
    writer = JournalWriter(tmp_path, fsync=False)
    first = writer.append(_ev(0))
    second = writer.append(_ev(1, 1))
    end = writer.end()
    writer.close()
    assert end is not None and first.check == "" and second.check and end.check
    assert Position(end.file, end.offset) == end  # the check takes no part in comparisons
    assert hash(Position(end.file, end.offset)) == hash(end)
    (path,) = journal_files(tmp_path)
    scan = scan_file(path, 0, NOW + timedelta(days=1))
    assert scan.end == end.offset and scan.end_check == end.check
    assert scan_file(path, second.offset, NOW + timedelta(days=1)).end_check == end.check


def test_append_many_writes_one_batch_with_one_fsync(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    calls: list[int] = []
    real_fsync = os.fsync

    def counted_fsync(fd: int) -> None:
        calls.append(fd)
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", counted_fsync)
    writer = JournalWriter(tmp_path, fsync=True)
    writer.append(_ev(0))
    calls.clear()
    events = [_ev(i, i) for i in range(1, 101)]
    positions = writer.append_many(events)
    assert len(calls) == 1
    writer.close()
    (path,) = journal_files(tmp_path)
    scan = scan_file(path, 0, NOW + timedelta(days=1))
    assert [p for p, _ in scan.events][1:] == positions
    assert [e for _, e in scan.events][1:] == [canonical_event(e) for e in events]


def test_a_failed_batch_is_cut_back_and_raises(tmp_path: Path) -> None:
    import os

    writer = JournalWriter(tmp_path, fsync=False)
    writer.append(_ev(0))
    (path,) = journal_files(tmp_path)
    size = path.stat().st_size
    assert writer._fd is not None
    good_fd = writer._fd
    writer._fd = os.open(path, os.O_RDONLY)  # every write now fails (EBADF)
    try:
        with pytest.raises(JournalError, match="cannot write"):
            writer.append_many([_ev(1, 1), _ev(2, 2)])
    finally:
        os.close(writer._fd)
        writer._fd = good_fd
    assert path.stat().st_size == size
    writer.append(_ev(3, 3))
    writer.close()
    assert [e.id for _, e in scan_file(path, 0, NOW + timedelta(days=1)).events] == ["dev-0", "dev-3"]


@pytest.mark.parametrize("max_bytes", [1, 100, 333, 1000, 4096])
def test_scanning_in_bounded_steps_reads_the_same_events(tmp_path: Path, max_bytes: int) -> None:
    _write(tmp_path, [_ev(i, i) for i in range(40)]).close()
    (path,) = journal_files(tmp_path)
    now = NOW + timedelta(days=1)
    whole = scan_file(path, 0, now)
    path.write_bytes(path.read_bytes() + b'123={i="torn')
    got: list[tuple[Position, Event]] = []
    start, torn = 0, b""
    for _ in range(10_000):
        scan = scan_file(path, start, now, max_bytes=max_bytes)
        got += scan.events
        if scan.end == start and not scan.events:
            torn = scan.torn
            break
        assert scan.torn == b"" or scan.end + len(scan.torn) == path.stat().st_size
        torn = scan.torn
        start = scan.end
    assert got == whole.events and torn == b'123={i="torn'
