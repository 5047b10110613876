"""A card's review log as lines for its detail view (the browser), like Anki's card info.

One line per counted rating, newest first: when (local time), what the card
was before (new, learning, review, relearning), the rating, the memory
stability after it and the time taken.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, tzinfo
from typing import Protocol

__all__ = ["LogRow", "log_lines"]

_BEFORE = {None: "New", 0: "New", 1: "Learn", 2: "Review", 3: "Relearn"}
_RATING = {1: "Again", 2: "Hard", 3: "Good", 4: "Easy"}


class LogRow(Protocol):
    """What a line needs (the history index's `ReviewRow` has it)."""

    @property
    def time(self) -> datetime: ...
    @property
    def rating(self) -> int: ...
    @property
    def duration_ms(self) -> int: ...
    @property
    def before_state(self) -> int | None: ...
    @property
    def after_stability(self) -> float | None: ...


def _stability(days: float | None) -> str:
    if days is None:
        return ""
    if days < 1:
        return f"S {days * 24:.1f} h"
    if days < 100:
        return f"S {days:.1f} d"
    return f"S {days:,.0f} d"


def _taken(ms: int) -> str:
    return f"{ms / 1000:.0f} s" if ms >= 1000 else (f"{ms} ms" if ms else "")


def log_lines(rows: Sequence[LogRow], tz: tzinfo, limit: int = 50) -> list[str]:
    """The header and up to `limit` lines, newest first ([] when the card was never reviewed)."""
    if not rows:
        return []
    count = len(rows)
    noun = "review" if count == 1 else "reviews"
    lines = [f"History: {count} {noun}" + (f" (newest {limit} shown)" if count > limit else "")]
    for row in sorted(rows, key=lambda r: r.time, reverse=True)[:limit]:
        when = row.time.astimezone(tz).strftime("%Y-%m-%d %H:%M")
        cells = [
            when,
            f"{_BEFORE.get(row.before_state, '?'):<7}",
            f"{_RATING.get(row.rating, '?'):<5}",
            f"{_stability(row.after_stability):>9}",
            _taken(row.duration_ms),
        ]
        lines.append("  ".join(cells).rstrip())
    return lines
