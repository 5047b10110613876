"""A card's review log as lines for its detail view (the browser), like Anki's card info.

One line per counted rating, newest first: when (local time), what the card
was before (new, learning, review, relearning; "Cram" for a cram rating, which
changes no schedule), the rating, the memory stability after it and the time
taken; a forget is a line of its own ("Forgotten (back to new)"). A local time that a clock change
repeats (the hour the clocks go back) carries its zone's name, so the two
ratings an hour apart do not read as one time twice.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta, tzinfo
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
    @property
    def kind(self) -> str: ...  # "review"; "cram" (no schedule change); "reset" (forgotten)


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


def _repeated(moment: datetime, tz: tzinfo) -> bool:
    """Whether the local time of `moment` in `tz` also names another moment (the hour repeated
    when the clocks go back): another UTC offset, taken from a day either side, that gives
    the same wall time."""
    offset = moment.astimezone(tz).utcoffset()
    if offset is None:
        return False
    for probe in (moment - timedelta(days=1), moment + timedelta(days=1)):
        other = probe.astimezone(tz).utcoffset()
        if other is None or other == offset:
            continue
        twin = moment + offset - other
        if twin != moment and twin.astimezone(tz).utcoffset() == other:
            return True
    return False


def _when(moment: datetime, tz: tzinfo) -> str:
    local = moment.astimezone(tz)
    text = local.strftime("%Y-%m-%d %H:%M")
    if _repeated(moment, tz):
        name = local.tzname() or local.strftime("%z")
        text += f" {name}"
    return text


def log_lines(rows: Sequence[LogRow], tz: tzinfo, limit: int = 50) -> list[str]:
    """The header and up to `limit` lines, newest first ([] when the card was never reviewed);
    `rows` oldest first, as the history gives them (of rows at one instant, the last is newer)."""
    if not rows:
        return []
    count = sum(1 for r in rows if r.kind == "review")
    noun = "review" if count == 1 else "reviews"
    others = [
        f"{n} {what}"
        for n, what in (
            (sum(1 for r in rows if r.kind == "cram"), "crammed"),
            (sum(1 for r in rows if r.kind == "reset"), "forgotten"),
        )
        if n
    ]
    extra = f", {', '.join(others)}" if others else ""
    lines = [f"History: {count} {noun}{extra}" + (f" (newest {limit} shown)" if len(rows) > limit else "")]
    shown = sorted(reversed(rows), key=lambda r: r.time, reverse=True)[
        :limit
    ]  # (a tie: the last given first)
    whens = [_when(row.time, tz) for row in shown]
    width = max(map(len, whens))
    for row, when in zip(shown, whens, strict=True):
        if row.kind == "reset":  # forgotten: back to new, no rating
            lines.append(f"{when:<{width}}  Forgotten (back to new)")
            continue
        cells = [
            f"{when:<{width}}",
            "Cram   " if row.kind == "cram" else f"{_BEFORE.get(row.before_state, '?'):<7}",
            f"{_RATING.get(row.rating, '?'):<5}",
            f"{_stability(row.after_stability):>9}",
            _taken(row.duration_ms),
        ]
        lines.append("  ".join(cells).rstrip())
    return lines
