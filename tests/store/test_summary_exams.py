"""The launch summary (`store.index.homesummary`) with exam dates: an exam ahead makes it a miss
(its cap moves due dates the summary cannot move), a passed one does not, and a date at either end
of the calendar is no traceback."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from retain.core.state import REVIEW, CardState, Event
from retain.store import home as store_home
from retain.store.collection import Collection
from retain.store.home import open_home
from retain.store.index.homesummary import load_summary, save_summary

NOW = datetime(2026, 3, 28, 12, 0, tzinfo=UTC)
DECK = 'format = 1\n\n[deck]\nid = "a"\nname = "A"\n\n[[cards]]\nid = "c0"\nfront = "Q"\nback = "A"\n'


@pytest.mark.parametrize(
    ("zone", "config", "used"),
    [
        ("Asia/Tokyo", "[exam]\na = 0001-01-01\n", True),  # east of UTC: the day starts in year 0; passed
        # its day starts in year 10000: ahead, so the summary is a miss and the collection counts
        ("America/Los_Angeles", "rollover_hour = 23\n[exam]\na = 9999-12-31\n", False),
    ],
)
def test_the_launch_summary_takes_an_exam_at_either_end_of_the_calendar(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, zone: str, config: str, used: bool
) -> None:
    """The app's second launch (it reads the saved home summary) stopped with an OverflowError
    traceback; `retain due`, `check` and the first launch said one line or worked."""
    monkeypatch.setattr(store_home, "bundled_decks_dir", lambda: None)
    (tmp_path / "decks").mkdir()
    (tmp_path / "decks" / "a.toml").write_text(DECK, encoding="utf-8")
    (tmp_path / "config.toml").write_text(config, encoding="utf-8")
    tz = ZoneInfo(zone)
    col = Collection.open(open_home({"RETAIN_HOME": str(tmp_path)}), NOW, tz=tz)
    at = NOW - timedelta(days=1)
    state = CardState(REVIEW, None, 3.0, 5.0, at + timedelta(days=3), at, 2, 0)
    col.record(Event(col.new_event_id(at), "review", "a/c0", at, state, None, 3, 1000))
    assert save_summary(col, NOW)  # what the app writes when it closes
    col.close()
    found = load_summary(open_home({"RETAIN_HOME": str(tmp_path)}), NOW, tz, stale_ok=True)
    assert (found is not None) == used
