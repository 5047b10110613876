"""`History.events_at`: the events of given units at given times, found by the (key, time)
index (a reschedule's cards' last reviews), the same events `History.events` gives for them,
whatever the number of pairs asked for (statements of 400 pairs)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from store_helpers import NOW, make_home, open_col, rate


def test_events_at_gives_the_events_asked_for(tmp_path: Path) -> None:
    col = open_col(make_home(tmp_path), NOW, fsync=False)
    try:
        made = []
        for i in range(900):  # more than two statements' worth
            key = f"tiny/one{i}" if i % 3 else "tiny/one"
            made.append(rate(col, key, NOW - timedelta(days=30) + timedelta(minutes=i)))
        wanted = {e.key: e.time for e in made[::7]}  # (a key rated often: its last one asked for)
        got = col.history_index.events_at(NOW, wanted)
        everything = col.history_index.events(NOW)
        expected = [e for e in everything if wanted.get(e.key) == e.time]
        assert [(e.key, e.time, e.id) for e in got] == [(e.key, e.time, e.id) for e in expected]
        assert len(got) == len(wanted)
        assert col.history_index.events_at(NOW, {}) == []
        assert col.history_index.events_at(NOW, {"tiny/one": NOW + timedelta(days=1)}) == []
    finally:
        col.close(NOW)
