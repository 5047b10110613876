"""`Collection.progress` (the history index) agrees with the full history."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from retain.core.state import REVIEW, CardState, Event
from retain.core.stats import today_progress
from retain.store.collection import Collection
from retain.store.home import open_home

NOW = datetime(2025, 3, 28, 12, 0, tzinfo=UTC)


def _state(at: datetime) -> CardState:
    return CardState(
        state=REVIEW, stability=3.0, difficulty=5.0, due=at + timedelta(days=3), last_review=at, reps=1
    )


@pytest.mark.parametrize(
    ("gap", "studied_today"),
    [(date(2025, 3, 20), True), (date(2025, 2, 20), True), (date(2025, 2, 20), False), (None, True)],
)
def test_streak_and_today_match_the_full_history(
    retain_home: Path, gap: date | None, studied_today: bool
) -> None:
    col = Collection.open(open_home(), NOW, tz=UTC, fsync=False)
    try:
        key = col.units[0].key
        day = datetime(2025, 1, 10, 12, 0, tzinfo=UTC)
        while day <= NOW:
            if day.date() != gap and (studied_today or day.date() != NOW.date()):
                col.record(Event(col.new_event_id(day), "review", key, day, _state(day), None, 3, 1000))
            day += timedelta(days=1)
        expected = today_progress(col.history(NOW), NOW, col.rollover_hour, col.tz)
        assert col.progress(NOW) == expected
        assert (
            expected[1]
            == {
                date(2025, 3, 20): 8,
                date(2025, 2, 20): 36 if studied_today else 35,
                None: 78,
            }[gap]
        )
    finally:
        col.close()
