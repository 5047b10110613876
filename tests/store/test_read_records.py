"""`journal.read_records`: the events at given offsets, decoded a bounded batch at a time."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from store_helpers import NOW, review_state

from retain.core.state import Event
from retain.store.state import journal
from retain.store.state.journal import JournalWriter, read_records
from retain.store.state.journal_format import HEAD, header_end
from retain.store.state.statecodec import line_crc


def _journal(folder: Path, n: int) -> tuple[Path, list[int], list[Event]]:
    writer = JournalWriter(folder, fsync=False)
    events = [
        Event(
            f"dev-{i}",
            "review",
            f"tiny/c{i}",
            NOW + timedelta(minutes=i),
            review_state(NOW),
            None,
            3,
            100 + i,
        )
        for i in range(n)
    ]
    positions = writer.append_many(events)
    writer.close()
    (path,) = folder.glob("journal-*.toml")
    return path, [p.offset for p in positions], events


@pytest.mark.parametrize("batch", [1, 2, 3, 2048])
def test_every_asked_record_is_read_whatever_the_batch(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, batch: int
) -> None:
    path, offsets, events = _journal(tmp_path / "dev", 7)
    monkeypatch.setattr(journal, "_DECODE_BATCH", batch)
    asked = set(offsets[1:6]) | {offsets[0] + 1}  # one offset that starts no record: left out
    found = read_records(path, asked, NOW + timedelta(days=1))
    assert sorted(found) == offsets[1:6]
    assert [found[o].duration_ms for o in offsets[1:6]] == [e.duration_ms for e in events[1:6]]
    assert [found[o].key for o in offsets[1:6]] == [e.key for e in events[1:6]]


def _whole_file_reference(path: Path, asked: set[int]) -> set[int]:
    """The offsets the former whole-file reader found intact: a newline before, one after, a good CRC."""
    data = path.read_bytes()
    begin = header_end(data[:HEAD], 2)[0]
    found = set()
    for off in asked:
        end = data.find(b"\n", off)
        if off < begin or end < 0 or data[off - 1 : off] != b"\n":
            continue
        raw = data[off:end]
        raw = raw[:-1] if raw.endswith(b"\r") else raw
        if line_crc(raw + b"\n"):
            found.add(off)
    return found


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    window=st.integers(1, 700),
    picks=st.lists(st.integers(0, 40), max_size=25),
    strays=st.lists(st.integers(0, 4000), max_size=8),
    crlf=st.booleans(),
    cut=st.integers(0, 200),
    long_key=st.integers(0, 58),  # (a unit key holds at most 64 characters: a longer one is no record)
)
def test_a_window_at_a_time_reads_what_the_whole_file_gave(
    tmp_path_factory: pytest.TempPathFactory,
    window: int,
    picks: list[int],
    strays: list[int],
    crlf: bool,
    cut: int,
    long_key: int,
) -> None:
    """`read_records` reads a journal a window at a time (a whole month file per deck left the heap
    larger by tens of MB): any window size, lines longer than it, CRLF line ends, a torn last line
    and offsets that start no record give the records the whole file gave, and nothing else."""
    folder = tmp_path_factory.mktemp("j")
    path, offsets, events = _journal(folder / "dev", 12)
    writer = JournalWriter(folder / "dev", fsync=False)  # one line longer than most windows
    (long_pos,) = writer.append_many(
        [
            Event(
                "dev-long" + "x" * 2 * long_key,
                "review",
                "tiny/k" + "k" * long_key,
                NOW,
                review_state(NOW),
                None,
                3,
                7,
            )
        ]
    )
    writer.close()
    offsets.append(long_pos.offset)
    data = path.read_bytes()
    if crlf:  # (offsets move: each line one byte longer)
        head_end = header_end(data[:HEAD], 2)[0]
        body = data[head_end:].replace(b"\n", b"\r\n")
        offsets = [head_end + (o - head_end) + data[head_end:o].count(b"\n") for o in offsets]
        data = data[:head_end] + body
    path.write_bytes(data[: len(data) - cut])
    asked = {offsets[i % len(offsets)] for i in picks} | set(strays)
    journal._WINDOW, saved = window, journal._WINDOW
    try:
        found = read_records(path, asked, NOW + timedelta(days=1))
    finally:
        journal._WINDOW = saved
    assert set(found) == _whole_file_reference(path, asked)
    by_offset = dict(zip(offsets, [*events, None], strict=True))
    for off, event in found.items():
        if (made := by_offset.get(off)) is not None:
            assert event.duration_ms == made.duration_ms
