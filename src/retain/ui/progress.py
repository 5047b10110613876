"""Reviews today and the study streak, for the home screen (answered by the history index)."""

from __future__ import annotations

from datetime import datetime

from retain.store.collection import Collection

__all__ = ["recent_progress"]


def recent_progress(collection: Collection, now: datetime) -> tuple[int, int]:
    """(reviews in today's study day, streak in days)."""
    return collection.progress(now)
