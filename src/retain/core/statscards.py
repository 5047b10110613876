"""The card-state half of the statistics: forecast, counts and distributions, in one pass.

At 50k cards this is the stats screen's first panel, so it walks the states once,
with timestamps rather than datetime arithmetic, and finds each due time's study
day by bisecting the next 366 days' start instants (computed once by the caller,
DST-correct) instead of asking a `StudyDay` per card.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from retain.core.state import NEW, REVIEW, CardState, buried_on

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


_INF = float("-inf")
_IVL_LOW = (_INF, *IVL_EDGES[1:])  # bucket i = bisect_right(low, x) - 1, never below 0
_NEAR = 1.1  # days: an interval in study days is its days of hours less one to plus one (and a DST hour)
_DIFF_LOW = (_INF, *DIFF_EDGES[1:])
_RET_LOW = (_INF, *RET_EDGES[1:])


class _Dist:
    """The four histograms' counts, filled one card at a time."""

    __slots__ = ("decay", "diff", "factor", "ivl", "now_ts", "ret", "stab")

    def __init__(self, now: datetime, decay: float) -> None:
        self.ivl, self.stab = [0] * len(IVL_EDGES), [0] * len(IVL_EDGES)
        self.diff, self.ret = [0] * len(DIFF_EDGES), [0] * len(RET_EDGES)
        self.now_ts = now.timestamp()
        self.decay = decay
        self.factor = 0.9 ** (-1 / decay) - 1

    def histograms(self) -> dict[str, Histogram]:
        return {
            "intervals": Histogram(IVL_EDGES, tuple(self.ivl), "days"),
            "stability": Histogram(IVL_EDGES, tuple(self.stab), "days"),
            "difficulty": Histogram(DIFF_EDGES, tuple(self.diff), ""),
            "retrievability": Histogram(RET_EDGES, tuple(self.ret), "%"),
        }


def _one_pass(
    states: Sequence[CardState | None],
    iso: str,
    day_starts: Sequence[float],
    dist: _Dist | None,
    day_of: Callable[[datetime], date] | None = None,
) -> tuple[list[int], list[int], dict[str, int]]:
    """Forecast and counts, and (`dist` given) the distributions of the cards neither new nor
    suspended, walking the states once: at 50k cards this is most of `retain stats`. `day_of`:
    the study day of a moment, for intervals at the 21-day line (`_mature`)."""
    young = [0] * (FORECAST_DAYS + 1)
    mature = [0] * (FORECAST_DAYS + 1)
    new = learning = n_young = n_mature = suspended = buried = buried_new = leeches = 0
    if dist is not None:
        ivl_c, stab_c, diff_c, ret_c = dist.ivl, dist.stab, dist.diff, dist.ret
        now_ts, factor, decay = dist.now_ts, dist.factor, dist.decay
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
        if kind == NEW:
            if buried_on(s.buried_until, iso):
                buried += 1
                buried_new += 1
            else:
                new += 1
            continue
        due, last = s.due, s.last_review
        due_ts = due.timestamp() if due is not None else None
        last_ts = last.timestamp() if last is not None else None
        ivl = (due_ts - last_ts) / _DAY_S if due_ts is not None and last_ts is not None else None
        is_mature = (
            kind == REVIEW
            and ivl is not None
            and (ivl >= YOUNG_DAYS + 1 or (ivl >= YOUNG_DAYS - 2 and _mature(due, last, day_of)))  # type: ignore[arg-type]
        )
        back = 0  # a buried card's forecast day: not before the day it comes back on
        if buried_on(s.buried_until, iso):  # (suspended ones were counted above: `set_aside`)
            buried += 1
            back = _days_until(s.buried_until, iso)  # type: ignore[arg-type]
        elif kind == REVIEW:
            if is_mature:
                n_mature += 1
            else:
                n_young += 1
        else:
            learning += 1
        if due_ts is not None:
            ahead = max(bisect_right(day_starts, due_ts), back)
            if ahead <= FORECAST_DAYS:
                (mature if is_mature else young)[ahead] += 1
        if dist is None:
            continue
        if kind == REVIEW and ivl is not None:
            at = bisect_right(_IVL_LOW, ivl) - 1
            if day_of is not None and (
                at != bisect_right(_IVL_LOW, ivl + _NEAR) - 1 or _IVL_LOW[at] > ivl - _NEAR
            ):
                # an edge within a day of it: the interval in study days decides, as for young
                # and mature (`_mature`); a time of day moved within its study day moves no card
                at = bisect_right(_IVL_LOW, (day_of(due) - day_of(last)).days) - 1  # type: ignore[arg-type]
            ivl_c[at] += 1
        stab = s.stability
        if stab is not None:
            stab_c[bisect_right(_IVL_LOW, stab) - 1] += 1
            if last_ts is not None and stab > 0:
                elapsed = (now_ts - last_ts) / _DAY_S
                r = 100 * (1 + factor * (elapsed if elapsed > 0 else 0.0) / stab) ** (-decay)
                ret_c[bisect_right(_RET_LOW, r) - 1] += 1
        if s.difficulty is not None:
            diff_c[bisect_right(_DIFF_LOW, s.difficulty) - 1] += 1
    counts = {
        "new": new,
        "learning": learning,
        "young": n_young,
        "mature": n_mature,
        "suspended": suspended,
        "buried": buried,
        "buried_new": buried_new,
        "leeches": leeches,
        "total": len(states),
    }
    return young, mature, counts


def _days_until(later: str, iso: str) -> int:
    """Study days from `iso` to `later` (ISO dates); 0 without a day (`distributions`: no forecast)."""
    return (date.fromisoformat(later) - date.fromisoformat(iso)).days if iso else 0


def _mature(due: datetime, last: datetime, day_of: Callable[[datetime], date] | None) -> bool:
    """For an interval at the 21-day line (19 to 21 whole days of hours; `_one_pass` decides the
    others): 21 study days or more, as Anki counts it (21 days from 15:00 are due at the 21st
    study day's start, 20 d 13 h later; from 03:30, before the rollover, 20 d 0.5 h, an hour less
    over a DST change). Whole days of hours are at most two fewer than the study days and at
    most one more. Without `day_of`, whole days of hours."""
    if day_of is None:
        return (due - last).days >= YOUNG_DAYS
    return (day_of(due) - day_of(last)).days >= YOUNG_DAYS


def distributions(
    states: Sequence[CardState | None],
    now: datetime,
    decay: float = DEFAULT_DECAY,
    day_of: Callable[[datetime], date] | None = None,
) -> dict[str, Histogram]:
    """Intervals (review cards; in study days with `day_of`), stability, difficulty and
    retrievability now, of the cards that are neither new nor suspended."""
    dist = _Dist(now, decay)
    _one_pass(states, "", (), dist, day_of)
    return dist.histograms()


def card_figures(
    states: Sequence[CardState | None],
    *,
    now: datetime,
    today: date,
    day_starts: Sequence[float],
    decay: float = DEFAULT_DECAY,
    with_distributions: bool = True,
    day_of: Callable[[datetime], date] | None = None,
) -> CardFigures:
    """`day_starts[i]`: the UTC timestamp study day today + i + 1 begins (`FORECAST_DAYS` + 1 of them).

    `states` has one entry per card (None: new). Forecast: not new, not suspended; a buried card
    on the day it comes back when it is due before that (not in today's backlog).
    Counts: each card in one of new, learning (and relearning), young, mature,
    suspended, buried; `buried_new`: the new ones of the buried (the rest have a schedule);
    `leeches` across them. Young/mature: the interval (last review to due) in study days
    (`day_of`; without it, in whole days of hours), under 21 or not. Without `with_distributions` the histograms are empty (the screen's
    first panel does not wait for them).
    """
    dist = _Dist(now, decay)
    young, mature, counts = _one_pass(
        states, today.isoformat(), day_starts, dist if with_distributions else None, day_of
    )
    return CardFigures(young, mature, counts, dist.histograms())
