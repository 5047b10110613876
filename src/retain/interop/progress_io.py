"""Bridge between interop and the progress store (`retain.store.collection.Collection`).

Export with progress reads the deck's states and journal events; import with
history records each past review as a new journal event, skipping events the
journal already holds (same unit and time), so importing twice adds nothing.
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from retain.core.state import CardState, Event
from retain.interop.bundle import Review
from retain.interop.errors import InteropError
from retain.interop.history import events_for_deck
from retain.store.home import Home

__all__ = ["deck_progress", "record_history"]


def _open(home: Home, now: datetime, read_only: bool) -> Any:
    try:
        module = importlib.import_module("retain.store.collection")
    except ImportError:
        raise InteropError(
            "review history needs the progress store, which this build of retain lacks"
        ) from None
    return module.Collection.open(home, now, read_only=read_only)


def deck_progress(home: Home, deck_id: str, now: datetime) -> tuple[dict[str, CardState], list[Review]]:
    """(unit key -> state, history events) of one deck."""
    coll = _open(home, now, True)
    try:
        prefix = f"{deck_id}/"
        states = {k: v for k, v in coll.states.items() if k.startswith(prefix)}
        return states, events_for_deck(coll.history(), deck_id)
    finally:
        coll.close()


def record_history(home: Home, reviews: Sequence[Review], now: datetime) -> int:
    """Append `reviews` to the journal as new events; returns how many were new."""
    coll = _open(home, now, False)
    try:
        if getattr(coll, "read_only", False):
            raise InteropError("another retain is running and holds the progress store; close it and retry")
        have = {(e.key, e.time) for e in coll.history()}
        count = 0
        for r in sorted(reviews, key=lambda r: r.time):
            if (r.key, r.time) in have:
                continue
            event = Event(
                id=coll.new_event_id(now),
                kind=r.kind,
                key=r.key,
                time=r.time,
                after=r.after,
                before=r.before,
                rating=r.rating,
                duration_ms=r.duration_ms,
            )
            coll.record(event)
            have.add((r.key, r.time))
            count += 1
        return count
    finally:
        coll.close()
