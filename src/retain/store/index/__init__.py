"""The derived index: everything read back from the TOML state, in one disposable SQLite file.

`History` (history.py) is the one API for the review history: events by time
range, per card and per study day, reviews today, the streak, true retention
and the undo target. `ingest` feeds it from the journals incrementally, `daily`
keeps per-day aggregates, and `db` opens, checks and rebuilds the file.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from retain.store.index.history import DeckActivity, History, ReviewRow, open_history

__all__ = ["DeckActivity", "History", "ReviewRow", "open_history"]


def __getattr__(name: str) -> Any:
    """The history API on first use: `retain check` needs only `derivedcache` (0.05 s of imports saved)."""
    if name in __all__:
        from retain.store.index import history

        return getattr(history, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
