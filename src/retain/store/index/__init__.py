"""The derived index: everything read back from the TOML state, in one disposable SQLite file.

`History` (history.py) is the one API for the review history: events by time
range, per card and per study day, reviews today, the streak, true retention
and the undo target. `ingest` feeds it from the journals incrementally, `daily`
keeps per-day aggregates, and `db` opens, checks and rebuilds the file.
"""

from retain.store.index.history import DeckActivity, History, ReviewRow, open_history

__all__ = ["DeckActivity", "History", "ReviewRow", "open_history"]
