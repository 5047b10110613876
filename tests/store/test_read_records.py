"""`journal.read_records`: the events at given offsets, decoded a bounded batch at a time."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from store_helpers import NOW, review_state

from retain.core.state import Event
from retain.store.state import journal
from retain.store.state.journal import JournalWriter, read_records


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
