"""What a session's summary says, worked out from the session as it is at some moment.

The study screen works them out when its session ends, and the summary works them out again
when what they depend on changed while it is open (settings saved, a card added or deleted, a
card's state changed on another screen): one rule for both, so the summary never says what the
deck list no longer does ("daily limit reached" after the limit was raised).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from retain.core.queue import StudyQueue
from retain.core.session import ReviewSession, SessionSummary

__all__ = ["DEFAULT_LIMIT", "NextDay", "SummaryFigures", "summary_figures"]

DEFAULT_LIMIT = "daily limit reached"

# (the next study day's start, the daily limit holding its cards back today as
# `StudyQueue.limit_reached` words it) when that day brings the decks of the queue normal study
# serves them from (`ReviewSession.serving`; None: there is none) cards; (None, None) when not.
NextDay = Callable[[StudyQueue | None], tuple[datetime | None, str | None]]


@dataclass(frozen=True, slots=True)
class SummaryFigures:
    """A summary's figures: `summary` (studied, time, Again, when the next card is served);
    `waiting`: normal study has a card of the session's decks ready now; `limit_lifts_at`: a daily
    limit (`limit` words it) holds cards back until then (the next study day's start);
    `next_day_at`: the next study day's start, when it brings cards for another reason."""

    summary: SessionSummary
    waiting: bool = False
    limit_lifts_at: datetime | None = None
    next_day_at: datetime | None = None
    limit: str = DEFAULT_LIMIT


def summary_figures(session: ReviewSession, now: datetime, next_day: NextDay) -> SummaryFigures:
    """`session`'s summary at `now`: the queue normal study serves its decks from is built anew
    first when the settings changed or the study day rolled over (`ReviewSession.serving`), so
    the figures follow new limits at once."""
    serving = session.serving(now)
    summary = session.summary()
    waiting = serving is not None and serving.counts(now).total > 0
    if waiting:
        return SummaryFigures(summary, waiting=True)
    start, limited = next_day(serving)
    if limited:
        return SummaryFigures(summary, limit_lifts_at=start, limit=limited)
    return SummaryFigures(summary, next_day_at=start)
