"""The card-state half of the statistics: forecast, counts and distributions, in one pass.

At 50k cards this is the stats screen's first panel, so it walks the states once,
with timestamps rather than datetime arithmetic, and finds each due time's study
day by bisecting the next 366 days' start instants (computed once by the caller,
DST-correct) instead of asking a `StudyDay` per card.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from retain.core.state import LEARNING, NEW, RELEARNING, REVIEW, CardState

__all__ = [
    "DEFAULT_DECAY",
    "FORECAST_DAYS",
    "YOUNG_DAYS",
    "CardFigures",
    "Histogram",
    "card_figures",
    "distributions",
]

YOUNG_DAYS = 21
FORECAST_DAYS = 365
DEFAULT_DECAY = 0.1542  # FSRS-6 default w[20] (py-fsrs 6.x); see tests/core/test_statsfigures.py
_DAY_S = 86400.0
IVL_EDGES = (0, 1, 2, 4, 7, 14, 21, 30, 60, 90, 180, 365)
DIFF_EDGES = tuple(range(1, 11))
RET_EDGES = tuple(range(0, 100, 10))


@dataclass(frozen=True, slots=True)
class Histogram:
    """Counts per bucket; `edges[i]` is the lower bound of bucket i (the last bucket is open)."""

    edges: tuple[float, ...]
    counts: tuple[int, ...]
    unit: str

    def to_dict(self) -> dict[str, object]:
        return {"edges": list(self.edges), "counts": list(self.counts), "unit": self.unit}


@dataclass(frozen=True, slots=True)
class CardFigures:
    young: list[int]  # cards due per study day: [0] today and overdue, [i] today + i days
    mature: list[int]
    counts: dict[str, int]
    distributions: dict[str, Histogram]


def _forecast_counts(
    states: Sequence[CardState | None], iso: str, day_starts: Sequence[float]
) -> tuple[list[int], list[int], dict[str, int]]:
    young = [0] * (FORECAST_DAYS + 1)
    mature = [0] * (FORECAST_DAYS + 1)
    new = learning = n_young = n_mature = suspended = buried = leeches = 0
    for s in states:
        if s is None:
            new += 1
            continue
        if s.leech:
            leeches += 1
        if s.suspended:
            suspended += 1
            continue
        kind = s.state
        due, last = s.due, s.last_review
        is_mature = (
            kind == REVIEW and due is not None and last is not None and (due - last).days >= YOUNG_DAYS
        )
        if s.buried_until is not None and s.buried_until > iso:
            buried += 1
        elif kind == NEW:
            new += 1
            continue
        elif kind in (LEARNING, RELEARNING):
            learning += 1
        elif is_mature:
            n_mature += 1
        else:
            n_young += 1
        if kind != NEW and due is not None:
            ahead = bisect_right(day_starts, due.timestamp())
            if ahead <= FORECAST_DAYS:
                (mature if is_mature else young)[ahead] += 1
    counts = {
        "new": new,
        "learning": learning,
        "young": n_young,
        "mature": n_mature,
        "suspended": suspended,
        "buried": buried,
        "leeches": leeches,
        "total": len(states),
    }
    return young, mature, counts


def distributions(
    states: Sequence[CardState | None], now: datetime, decay: float = DEFAULT_DECAY
) -> dict[str, Histogram]:
    """Intervals (review cards), stability, difficulty and retrievability now, of the cards
    that are neither new nor suspended."""
    ivl_c, stab_c = [0] * len(IVL_EDGES), [0] * len(IVL_EDGES)
    diff_c, ret_c = [0] * len(DIFF_EDGES), [0] * len(RET_EDGES)
    now_ts = now.timestamp()
    factor = 0.9 ** (-1 / decay) - 1
    for s in states:
        if s is None or s.suspended or s.state == NEW:
            continue
        last = s.last_review
        last_ts = last.timestamp() if last is not None else None
        if s.state == REVIEW and s.due is not None and last_ts is not None:
            ivl_c[max(0, bisect_right(IVL_EDGES, (s.due.timestamp() - last_ts) / _DAY_S) - 1)] += 1
        stab = s.stability
        if stab is not None:
            stab_c[max(0, bisect_right(IVL_EDGES, stab) - 1)] += 1
            if last_ts is not None and stab > 0:
                elapsed = max(0.0, (now_ts - last_ts) / _DAY_S)
                r = 100 * (1 + factor * elapsed / stab) ** (-decay)
                ret_c[max(0, bisect_right(RET_EDGES, r) - 1)] += 1
        if s.difficulty is not None:
            diff_c[max(0, bisect_right(DIFF_EDGES, s.difficulty) - 1)] += 1
    return {
        "intervals": Histogram(IVL_EDGES, tuple(ivl_c), "days"),
        "stability": Histogram(IVL_EDGES, tuple(stab_c), "days"),
        "difficulty": Histogram(DIFF_EDGES, tuple(diff_c), ""),
        "retrievability": Histogram(RET_EDGES, tuple(ret_c), "%"),
    }


def card_figures(
    states: Sequence[CardState | None],
    *,
    now: datetime,
    today: date,
    day_starts: Sequence[float],
    decay: float = DEFAULT_DECAY,
    with_distributions: bool = True,
) -> CardFigures:
    """`day_starts[i]`: the UTC timestamp study day today + i + 1 begins (`FORECAST_DAYS` + 1 of them).

    `states` has one entry per card (None: new). Forecast: not new, not suspended.
    Counts: each card in one of new, learning (and relearning), young, mature,
    suspended, buried; `leeches` across them. Young/mature: the interval (due - last
    review) in whole days, under 21 or not. Without `with_distributions` the
    histograms are empty (the screen's first panel does not wait for them).
    """
    young, mature, counts = _forecast_counts(states, today.isoformat(), day_starts)
    dist = distributions(states, now, decay) if with_distributions else distributions([], now, decay)
    return CardFigures(young, mature, counts, dist)
