"""Gather the statistics' inputs from an open collection: the figures for a deck, a group or all.

The one place the stats screen and `retain stats` get their figures from
(`core.statsfigures` over the history index and the states), so both always
show the same numbers. A `StatsSource` keeps what it read per scope (the card
figures, the days' aggregates, the hour counts of every period), so switching
the period on the screen recomputes only the period's sums.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from retain.core.model import decks_named
from retain.core.settings import DEFAULT_PRESET
from retain.core.state import CardState
from retain.core.statscards import (
    DEFAULT_DECAY,
    FORECAST_DAYS,
    CardFigures,
    Histogram,
    card_figures,
    distributions,
)
from retain.core.statsfigures import DayRow, Figures, card_blocks, forecast_days, history_figures, period_days

if TYPE_CHECKING:
    from datetime import date

    from retain.store.collection import Collection

__all__ = ["StatsSource", "gather_figures", "scope_ids"]

Scope = tuple[str, ...] | None


class StatsSource:
    """Figures over one collection at one moment, read once per scope."""

    def __init__(self, col: Collection, now: datetime) -> None:
        self.col = col
        self.now = now
        self.today = col.today(now)
        self._cards: dict[Scope, CardFigures] = {}
        self._card_states: dict[Scope, list[CardState | None]] = {}
        self._dists: dict[Scope, dict[str, Histogram]] = {}
        self._rows: dict[Scope, list[DayRow]] = {}

    @functools.cached_property
    def _all_states(self) -> Mapping[str, CardState]:
        """The states as the due counts see them: an exam deck's reviews due when their recall
        would fall below the exam's target (`store.exams`), so the forecast agrees with `due`."""
        from retain.store.exams import capped_states, exam_plans

        col = self.col
        return capped_states(col.states, col.units, exam_plans(col, self.now), self.now)

    @staticmethod
    def _key(decks: Sequence[str] | None) -> Scope:
        return None if decks is None else tuple(decks)

    def _states(self, key: Scope) -> list[CardState | None]:
        found = self._card_states.get(key)
        if found is None:
            wanted = None if key is None else set(key)
            states = self._all_states
            found = [states.get(u.key) for u in self.col.units if wanted is None or u.deck_id in wanted]
            self._card_states[key] = found
        return found

    def _decays(self, key: Scope) -> dict[float, list[CardState | None]]:
        """The scope's states by the forgetting curve's decay of their deck's preset (its weights)."""
        wanted = None if key is None else set(key)
        by_deck: dict[str, float] = {}
        for deck in self.col.library.decks:
            if wanted is None or deck.id in wanted:
                weights = self.col.settings_for(deck.id).parameters
                by_deck[deck.id] = float(weights[20]) if weights else DEFAULT_DECAY
        if len(set(by_deck.values())) <= 1:  # one decay (the usual case): no grouping
            return {next(iter(by_deck.values()), DEFAULT_DECAY): self._states(key)}
        groups: dict[float, list[CardState | None]] = {}
        states = self._all_states
        for unit in self.col.units:
            decay = by_deck.get(unit.deck_id)
            if decay is not None:
                groups.setdefault(decay, []).append(states.get(unit.key))
        return groups

    def _distributions(self, key: Scope) -> dict[str, Histogram]:
        """Retrievability with each card's own preset's decay (one pass per decay in use)."""
        day_of = self.col.studyday.of
        parts = [
            distributions(states, self.now, decay, day_of) for decay, states in self._decays(key).items()
        ]
        if not parts:
            return distributions([], self.now)
        return {
            name: replace(
                parts[0][name], counts=tuple(map(sum, zip(*(p[name].counts for p in parts), strict=True)))
            )
            for name in parts[0]
        }

    def cards(self, decks: Sequence[str] | None, *, with_distributions: bool = True) -> CardFigures:
        """Forecast and counts (and the distributions, computed on first need) of the scope's cards."""
        key = self._key(decks)
        found = self._cards.get(key)
        if found is None:
            day = self.col.studyday
            starts = [
                day.start_of(self.today + timedelta(days=i)).timestamp() for i in range(1, FORECAST_DAYS + 2)
            ]
            decays = list(self._decays(key)) if with_distributions else []
            one = len(decays) <= 1  # one preset's decay (the usual case): one pass for both
            found = self._cards[key] = card_figures(
                self._states(key),
                now=self.now,
                today=self.today,
                day_starts=starts,
                decay=decays[0] if decays else DEFAULT_DECAY,
                with_distributions=with_distributions and one,
                day_of=day.of,
            )
            if with_distributions and one:
                self._dists[key] = found.distributions
        if not with_distributions:
            return found
        if key not in self._dists:
            self._dists[key] = self._distributions(key)
        return replace(found, distributions=self._dists[key])

    def rows(self, decks: Sequence[str] | None) -> list[DayRow]:
        key = self._key(decks)
        if key not in self._rows:
            self._rows[key] = self.col.history_index.day_rows(self.now, decks)
        return self._rows[key]

    def _first(self, rows: list[DayRow], days: int | None) -> date:
        return self.today - timedelta(days=period_days(rows, self.today, days) - 1)

    def figures(self, decks: Sequence[str] | None, days: int | None, *, cards_only: bool = False) -> Figures:
        """Every figure over `decks` (None: all, removed decks' history too) for the last `days`
        study days (None: the whole history); `cards_only`: the card-state blocks only (no
        history query: the screen's first panel)."""
        rows = self._rows.get(self._key(decks)) if cards_only else self.rows(decks)
        if rows is None:  # the first pass of "all": before the rows are read
            rows = []
            span = FORECAST_DAYS if days is None else period_days(rows, self.today, days)
        else:
            span = period_days(rows, self.today, days)
        fig = Figures(today=self.today, days=span)
        card_blocks(fig, self.cards(decks, with_distributions=not cards_only), forecast_days(span, days))
        if not cards_only:
            history_figures(fig, rows, self.desired_retention(decks))
        return fig

    def desired_retention(self, decks: Sequence[str] | None) -> float:
        """The scope's desired retention: its decks' when they all agree (one deck, or a group
        of decks on the same settings), else the global one, which every deck without settings
        of its own is scheduled for (`[presets.default]` over `[study]`)."""
        config = self.col.home.config
        wanted = {self.col.settings_for(d).desired_retention for d in decks or ()}
        if len(wanted) == 1:
            return wanted.pop()
        return config.preset(DEFAULT_PRESET).desired_retention


def scope_ids(col: Collection, deck: str) -> list[str]:
    """The deck ids a `--deck` value names: a deck id, a group's or a deck's name (any case), as
    `export` and `review` take them (`core.model.decks_named`); [] when it names none."""
    return [d.id for d in decks_named(list(col.library.decks), deck)]


def gather_figures(
    col: Collection, now: datetime, decks: Sequence[str] | None = None, days: int | None = 30
) -> Figures:
    return StatsSource(col, now).figures(decks, days)
