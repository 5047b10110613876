"""Reviews today and the study streak, reading only as much of the journal as the streak needs."""

from __future__ import annotations

from datetime import datetime, timedelta

from retain.core.state import Event
from retain.core.stats import today_progress
from retain.store.collection import Collection
from retain.store.device import device_folders
from retain.store.historycache import recent_events

__all__ = ["MAX_STREAK_DAYS", "recent_progress"]

MAX_STREAK_DAYS = 3650
_FIRST_WINDOW = 8


def _events_since(collection: Collection, since: datetime, now: datetime) -> list[Event]:
    events: list[Event] = []
    for folder in device_folders(collection.state_dir):
        events += recent_events(folder, since, now, collection.cache_dir)
    events.sort(key=lambda e: e.time)
    return events


def recent_progress(collection: Collection, now: datetime) -> tuple[int, int]:
    """(reviews in today's study day, streak in days), as `core.stats.today_progress` computes them.

    The full history can be hundreds of thousands of events; a streak only needs
    the days back to its first gap. The window starts at a week and grows
    fourfold until the streak ends inside it (at most `MAX_STREAK_DAYS`).
    """
    day0 = collection.day_start(now)
    days = _FIRST_WINDOW
    while True:
        events = _events_since(collection, day0 - timedelta(days=days), now)
        count, streak = today_progress(events, now, collection.rollover_hour, collection.tz)
        if streak < days or days >= MAX_STREAK_DAYS:
            return count, min(streak, MAX_STREAK_DAYS)
        days = min(days * 4, MAX_STREAK_DAYS)
