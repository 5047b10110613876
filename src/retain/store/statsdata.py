"""Gather the statistics' inputs from an open collection: the figures for a deck, a group or all.

The one place the stats screen and `retain stats` get their figures from
(`core.statsfigures.compute_figures` over the history index and the states),
so both always show the same numbers.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from retain.core.statsfigures import Figures, compute_figures

if TYPE_CHECKING:
    from retain.store.collection import Collection

__all__ = ["gather_figures"]


def gather_figures(
    col: Collection,
    now: datetime,
    decks: Sequence[str] | None = None,
    days: int | None = 30,
    *,
    quick: bool = False,
) -> Figures:
    """Figures over `decks` (None: every deck, removed ones' history too) for the last `days`
    study days (None: the whole history). `quick`: only the forecast and the counts are
    right (no history query: the stats screen's first panel)."""
    history = col.history_index
    rows = [] if quick else history.day_rows(now, decks)
    today = col.today(now)
    wanted = None if decks is None else set(decks)
    states = col.states
    cards = [states.get(u.key) for u in col.units if wanted is None or u.deck_id in wanted]
    first = min((r.day for r in rows), default=today) if days is None else today - timedelta(days=days - 1)
    hours = [] if quick else history.hours(now, first, decks)
    settings = col.settings_for(decks[0]) if decks else col.home.config.study
    return compute_figures(
        rows,
        cards,
        hours,
        now=now,
        today=today,
        day_of=col.studyday.of,
        days=days,
        desired_retention=settings.desired_retention,
        quick=quick,
    )
