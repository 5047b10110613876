"""The figures of the statistics screen and `retain stats`: pure functions, no I/O, no clock.

Inputs are the per study-day aggregates of the history index (`DayRow`, summed
over the decks chosen), the current card states, and the hour-of-day counts.
Every figure the screen draws and `retain stats --json` prints comes from here,
so the two always agree.

Definitions (as in Anki where it has one):
- young: a card whose interval (due - last review) is under 21 days; mature otherwise.
  Learning and relearning cards count as young in the forecast.
- true retention: ratings of cards in the review state that were not Again, per
  young/mature, by the interval before the rating.
- counts: each card in exactly one of new, learning (learning and relearning
  steps), young, mature, suspended, buried; `leeches` counts leech-flagged cards
  across them.
- forecast: cards (not new, not suspended) per study day their due time falls
  in; `backlog` is what is due by the end of today, overdue days included.
- added: cards studied for the first time per day, each card once: the day of its
  first rating as a new card (Anki's "introduced": a card forgotten and studied
  again, or studied new on two devices, is not added again; deck files carry no
  creation date).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from retain.core.state import CardState
from retain.core.statscards import (
    DEFAULT_DECAY,
    FORECAST_DAYS,
    YOUNG_DAYS,
    CardFigures,
    Histogram,
    card_figures,
)

__all__ = [
    "BUTTON_KINDS",
    "DEFAULT_DECAY",
    "PERIODS",
    "RETENTION_SPANS",
    "YOUNG_DAYS",
    "CardFigures",
    "DayRow",
    "Figures",
    "Histogram",
    "card_blocks",
    "compute_figures",
    "forecast_block",
    "forecast_days",
    "history_figures",
    "interval_days",
    "longest_streak",
    "period_days",
    "retrievability",
]

PERIODS: dict[str, int | None] = {"1m": 30, "3m": 90, "1y": 365, "all": None}
RETENTION_SPANS: tuple[tuple[str, int, int], ...] = (  # (name, first day back, last day back)
    ("today", 0, 0),
    ("yesterday", 1, 1),
    ("week", 0, 6),
    ("month", 0, 29),
    ("year", 0, 364),
)
BUTTON_KINDS = ("learning", "young", "mature")
_DAY = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class DayRow:
    """Counted ratings of one study day (summed over the decks chosen)."""

    day: date
    reviews: int = 0
    ms: int = 0
    new: int = 0  # ratings by the card's state before them
    learning: int = 0
    review: int = 0
    relearning: int = 0
    buttons: tuple[int, ...] = (0,) * 12  # learning/young/mature x Again, Hard, Good, Easy
    young_pass: int = 0
    young_fail: int = 0
    mature_pass: int = 0
    mature_fail: int = 0
    hours: tuple[int, ...] = (0,) * 48  # ratings per local hour 0-23, then of them not Again
    added: int | None = None  # cards studied for the first time (None: every rating of a new card)


@dataclass(slots=True)
class Figures:
    today: date
    days: int  # the period's length in study days (today included)
    forecast: dict[str, object] = field(default_factory=dict)
    calendar: dict[str, object] = field(default_factory=dict)
    reviews: dict[str, object] = field(default_factory=dict)
    retention: dict[str, object] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    distributions: dict[str, Histogram] = field(default_factory=dict)
    buttons: dict[str, list[int]] = field(default_factory=dict)
    hours: list[dict[str, int]] = field(default_factory=list)
    added: list[dict[str, object]] = field(default_factory=list)

    @property
    def has_reviews(self) -> bool:
        """Whether the scope has any counted rating, however old (the calendar shows only a year;
        its longest streak is over the whole history, so it is 0 only with no rating at all)."""
        return bool(self.calendar.get("longest_streak") or self.reviews.get("total"))

    def to_dict(self) -> dict[str, object]:
        return {
            "today": self.today.isoformat(),
            "days": self.days,
            "forecast": self.forecast,
            "calendar": self.calendar,
            "reviews": self.reviews,
            "retention": self.retention,
            "counts": self.counts,
            "distributions": {k: v.to_dict() for k, v in self.distributions.items()},
            "buttons": self.buttons,
            "hours": self.hours,
            "added": self.added,
        }


def retrievability(state: CardState, now: datetime, decay: float = DEFAULT_DECAY) -> float | None:
    """FSRS's probability of recall at `now` (None for a card never reviewed)."""
    if state.stability is None or state.last_review is None or state.stability <= 0:
        return None
    elapsed = max(0.0, (now - state.last_review) / _DAY)
    factor = 0.9 ** (-1 / decay) - 1
    return float((1 + factor * elapsed / state.stability) ** (-decay))


def longest_streak(days: Iterable[date]) -> int:
    best = run = 0
    previous: date | None = None
    for day in sorted(set(days)):
        run = run + 1 if previous is not None and day - previous == _DAY else 1
        best = max(best, run)
        previous = day
    return best


def _streak(days: set[date], today: date) -> int:
    day = today if today in days else today - _DAY
    count = 0
    while day in days:
        count += 1
        day -= _DAY
    return count


def _calendar(per_day: dict[date, int], today: date) -> dict[str, object]:
    first = today - 364 * _DAY
    shown = {d: n for d, n in per_day.items() if first <= d <= today}
    studied = set(per_day)
    return {
        "first": first.isoformat(),
        "days": [{"date": d.isoformat(), "reviews": shown[d]} for d in sorted(shown)],
        "streak": _streak(studied, today),
        "longest_streak": longest_streak(studied),
        "days_studied": len(shown),
        "total": sum(shown.values()),
    }


def _rate(passed: int, failed: int) -> float | None:
    return passed / (passed + failed) if passed + failed else None


def _retention(rows: dict[date, DayRow], today: date, desired: float) -> dict[str, object]:
    spans: list[dict[str, object]] = []
    for name, near, far in RETENTION_SPANS:
        yp = yf = mp = mf = 0
        for back in range(near, far + 1):
            row = rows.get(today - back * _DAY)
            if row is not None:
                yp, yf = yp + row.young_pass, yf + row.young_fail
                mp, mf = mp + row.mature_pass, mf + row.mature_fail
        spans.append(
            {
                "span": name,
                "young": {"pass": yp, "fail": yf, "rate": _rate(yp, yf)},
                "mature": {"pass": mp, "fail": mf, "rate": _rate(mp, mf)},
                "total": {"pass": yp + mp, "fail": yf + mf, "rate": _rate(yp + mp, yf + mf)},
            }
        )
    return {"desired": desired, "spans": spans}


def forecast_block(cards: CardFigures, today: date, days: int) -> dict[str, object]:
    horizon = min(days, FORECAST_DAYS)
    return {
        "backlog": cards.young[0] + cards.mature[0],
        "backlog_young": cards.young[0],
        "backlog_mature": cards.mature[0],
        "days": [
            {"date": (today + i * _DAY).isoformat(), "young": cards.young[i], "mature": cards.mature[i]}
            for i in range(1, horizon + 1)
        ],
    }


def period_days(rows: Iterable[DayRow], today: date, days: int | None) -> int:
    """The period's length: `days`, or from the first day with ratings to today (None)."""
    if days is None:
        first = min((r.day for r in rows), default=today)
        return max(1, (today - first).days + 1)
    return max(1, days)


def history_figures(fig: Figures, rows: Sequence[DayRow], desired_retention: float) -> None:
    """Fill the history blocks of `fig` (its `today` and `days` set) from the days' aggregates."""
    today, days = fig.today, fig.days
    by_day = {r.day: r for r in rows}
    first = today - (days - 1) * _DAY
    fig.calendar = _calendar({d: r.reviews for d, r in by_day.items() if r.reviews}, today)
    period = [by_day[d] for d in sorted(by_day) if first <= d <= today]
    fig.reviews = {
        "first": first.isoformat(),
        "total": sum(r.reviews for r in period),
        "minutes": round(sum(r.ms for r in period) / 60000, 1),
        "days_studied": sum(1 for r in period if r.reviews),
        "days": [
            {
                "date": r.day.isoformat(),
                "new": r.new,
                "learning": r.learning,
                "review": r.review,
                "relearning": r.relearning,
                "reviews": r.reviews,
                "seconds": round(r.ms / 1000),
            }
            for r in period
            if r.reviews
        ],
    }
    fig.retention = _retention(by_day, today, desired_retention)
    fig.buttons = {
        kind: [sum(r.buttons[4 * k + b] for r in period) for b in range(4)]
        for k, kind in enumerate(BUTTON_KINDS)
    }
    sums = [sum(r.hours[i] for r in period) for i in range(48)]
    fig.hours = [{"hour": h, "reviews": sums[h], "passed": sums[24 + h]} for h in range(24)]
    added = [(r.day, r.new if r.added is None else r.added) for r in period]
    fig.added = [{"date": day.isoformat(), "cards": n} for day, n in added if n]


def forecast_days(period: int, days: int | None) -> int:
    """The forecast's length: the period's (at most a year); a year for the whole history, which
    for a learner who began last week is no reason to look only a week ahead."""
    return FORECAST_DAYS if days is None else min(period, FORECAST_DAYS)


def card_blocks(fig: Figures, cards: CardFigures, horizon: int | None = None) -> None:
    """Fill the card-state blocks of `fig` (forecast over `horizon` days, else the period's;
    counts, distributions)."""
    fig.forecast = forecast_block(cards, fig.today, fig.days if horizon is None else horizon)
    fig.counts = dict(cards.counts)
    fig.distributions = dict(cards.distributions)


def compute_figures(
    rows: Sequence[DayRow],
    states: Sequence[CardState | None],
    *,
    now: datetime,
    today: date,
    day_starts: Sequence[float],
    days: int | None,
    desired_retention: float = 0.9,
    decay: float = DEFAULT_DECAY,
) -> Figures:
    """Every figure for the study day `today` over the last `days` study days (None: all history).

    `rows` are the days' aggregates (one per day); `states` one entry per card (None:
    new); `day_starts` as `core.statscards.card_figures` takes them.
    """
    fig = Figures(today=today, days=period_days(rows, today, days))
    cards = card_figures(states, now=now, today=today, day_starts=day_starts, decay=decay)
    card_blocks(fig, cards, forecast_days(fig.days, days))
    history_figures(fig, rows, desired_retention)
    return fig


def interval_days(state: CardState) -> float:
    if state.due is None or state.last_review is None:
        return 0.0
    return (state.due - state.last_review) / _DAY
