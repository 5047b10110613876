"""The store's study day: rollover hour, Europe/Berlin DST change days, a clock moved backwards."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from store_helpers import make_home, rate

from retain.store.collection import Collection

BERLIN = ZoneInfo("Europe/Berlin")


def _local(y: int, m: int, d: int, h: int, mi: int = 0) -> datetime:
    return datetime(y, m, d, h, mi, tzinfo=BERLIN).astimezone(UTC)


@pytest.mark.parametrize(
    ("day", "month"),
    [(29, 3), (25, 10), (15, 6)],  # spring forward, fall back, an ordinary day (2026)
)
def test_late_night_reviews_count_toward_the_previous_day(tmp_path: Path, day: int, month: int) -> None:
    home = make_home(tmp_path)
    before = _local(2026, month, day, 3, 59)  # still the previous study day
    after = _local(2026, month, day, 4, 1)
    col = Collection.open(home, before, tz=BERLIN)
    try:
        assert col.today(before) == datetime(2026, month, day).date() - timedelta(days=1)
        assert col.today(after) == datetime(2026, month, day).date()
        rate(col, "tiny/one", before)
        assert col.day_log(before).new_seen == {"tiny": 1}
        assert col.day_log(after).new_seen == {}
        rate(col, "tiny/two", after)
        assert col.day_log(after).new_seen == {"tiny": 1}
        assert col.day_log(after).notes_seen == {"tiny/two"}
    finally:
        col.close(after)


def test_rollover_hour_from_config(tmp_path: Path) -> None:
    make_home(tmp_path)
    (tmp_path / "config.toml").write_text("rollover_hour = 0\n")
    from retain.store.home import open_home

    home = open_home({"RETAIN_HOME": str(tmp_path)})
    at = _local(2026, 6, 15, 0, 30)
    col = Collection.open(home, at, tz=BERLIN)
    try:
        assert col.today(at) == datetime(2026, 6, 15).date()
        assert col.day_start(at) == _local(2026, 6, 15, 0)
    finally:
        col.close(at)


def test_clock_moved_backwards_keeps_write_order_and_todays_count(tmp_path: Path) -> None:
    home = make_home(tmp_path)
    t0 = _local(2026, 6, 15, 12)
    col = Collection.open(home, t0, tz=BERLIN)
    rate(col, "tiny/one", t0, rating=3)
    late = rate(col, "tiny/one", t0 - timedelta(hours=2), rating=1)  # the clock jumped back
    col.close(t0)
    again = Collection.open(home, t0, tz=BERLIN)
    try:
        assert again.states["tiny/one"] == late.after  # last written wins, not latest time
        assert again.day_log(t0).new_seen == {"tiny": 1}
    finally:
        again.close(t0)
