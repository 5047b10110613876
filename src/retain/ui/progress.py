"""Reviews today and the study streak, reading only the journal files the streak reaches into.

The full history can be hundreds of thousands of events. A streak only needs
the days back to its first gap, so the journal files (one a month per device)
are read newest first through the decoded-journal cache (`historycache.read_events`,
which extends the current month by its new blocks only) until the day that
breaks the streak lies inside what has been read.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from retain.core.clock import day_start
from retain.core.state import Event
from retain.core.stats import today_progress
from retain.store.collection import Collection
from retain.store.device import device_folders
from retain.store.historycache import read_events
from retain.store.journal import journal_files

__all__ = ["MAX_STREAK_DAYS", "recent_progress"]

MAX_STREAK_DAYS = 3650


def recent_progress(collection: Collection, now: datetime) -> tuple[int, int]:
    """(reviews in today's study day, streak in days), as `core.stats.today_progress` computes them."""
    unread: dict[Path, list[Path]] = {f: journal_files(f) for f in device_folders(collection.state_dir)}
    oldest: dict[Path, datetime] = {}  # per device: everything from this time on has been read
    events: list[Event] = []
    today = collection.today(now)
    while True:
        for folder, files in unread.items():
            if files:
                read = read_events(files.pop(), now, collection.cache_dir)
                events += read
                if read:
                    oldest[folder] = min(e.time for e in read)
        events.sort(key=lambda e: e.time)
        count, streak = today_progress(events, now, collection.rollover_hour, collection.tz)
        pending = [f for f, files in unread.items() if files]
        if not pending or streak >= MAX_STREAK_DAYS:
            return count, min(streak, MAX_STREAK_DAYS)
        if any(f not in oldest for f in pending):
            continue  # a device whose newest files had no events: read further back
        # The day that breaks the streak (today is part of it only when studied today); once
        # every device has been read back to that day, older files cannot change the answer.
        gap = today - timedelta(days=streak + (0 if count else 1))
        if day_start(gap, collection.rollover_hour, collection.tz) >= max(oldest[f] for f in pending):
            return count, streak
