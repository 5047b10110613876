"""Study statistics for `retain stats`: per deck and in total.

- cards by state: new, learning, review, relearning; suspended units are
  counted only as suspended;
- reviews today: ratings since the start of the current study day;
- streak: consecutive study days with at least one rating, ending today or
  yesterday (so a streak is not lost before today's session);
- true retention over the last 30 days: the share of ratings of cards in the
  review state that were not Again (None when there were none).

Undone ratings never count. Per-deck figures cover the decks in `units`; the
totals cover every rating in the history, including decks since removed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta, tzinfo

from retain.core.clock import day_start, study_day, to_utc
from retain.core.model import Unit
from retain.core.state import LEARNING, NEW, RELEARNING, REVIEW, CardState, Event

__all__ = ["RETENTION_WINDOW", "DeckStats", "StatsReport", "compute_stats", "today_progress"]

RETENTION_WINDOW = timedelta(days=30)


@dataclass(slots=True)
class DeckStats:
    deck_id: str
    cards: int = 0
    new: int = 0
    learning: int = 0
    review: int = 0
    relearning: int = 0
    suspended: int = 0
    reviews_today: int = 0
    streak: int = 0
    retention: float | None = None  # share of review-state ratings that were not Again
    retention_reviews: int = 0  # how many ratings `retention` is based on
    _passed: int = field(default=0, repr=False)
    _days: set[date] = field(default_factory=set, repr=False)

    def to_dict(self) -> dict[str, object]:
        data = asdict(self)
        del data["_passed"], data["_days"]
        return data


@dataclass(slots=True)
class StatsReport:
    decks: dict[str, DeckStats]
    total: DeckStats
    today: date

    def to_dict(self) -> dict[str, object]:
        return {
            "today": self.today.isoformat(),
            "decks": [d.to_dict() for d in self.decks.values()],
            "total": self.total.to_dict(),
        }


def _count_state(stats: DeckStats, state: CardState | None) -> None:
    stats.cards += 1
    if state is None:
        stats.new += 1
    elif state.suspended:
        stats.suspended += 1
    elif state.state == NEW:
        stats.new += 1
    elif state.state == LEARNING:
        stats.learning += 1
    elif state.state == REVIEW:
        stats.review += 1
    elif state.state == RELEARNING:
        stats.relearning += 1


def _streak(days: set[date], today: date) -> int:
    day = today if today in days else today - timedelta(days=1)
    count = 0
    while day in days:
        count += 1
        day -= timedelta(days=1)
    return count


class _DayOf:
    """Study day of a UTC time, cached per 15-minute slot (UTC offsets are multiples of 15 min)."""

    def __init__(self, rollover_hour: int, tz: tzinfo) -> None:
        self.hour, self.tz = rollover_hour, tz
        self._cache: dict[int, date] = {}

    def __call__(self, time: datetime) -> date:
        slot = int(time.timestamp()) // 900
        day = self._cache.get(slot)
        if day is None:
            day = self._cache[slot] = study_day(time, self.hour, self.tz)
        return day


def _counted_reviews(events: Iterable[Event]) -> list[Event]:
    history = list(events)
    undone = {e.undoes for e in history if e.kind == "undo"}
    return [e for e in history if e.kind == "review" and e.id not in undone]


def today_progress(events: Iterable[Event], now: datetime, rollover_hour: int, tz: tzinfo) -> tuple[int, int]:
    """(ratings in the current study day, streak in days): the home screen's summary line."""
    today = study_day(now, rollover_hour, tz)
    start = day_start(today, rollover_hour, tz)
    day_of = _DayOf(rollover_hour, tz)
    days: set[date] = set()
    count = 0
    for event in _counted_reviews(events):
        days.add(day_of(event.time))
        count += event.time >= start
    return count, _streak(days, today)


def compute_stats(
    units: Sequence[Unit],
    states: Mapping[str, CardState],
    events: Iterable[Event],
    now: datetime,
    today_start: datetime,
    tz: tzinfo,
    *,
    rollover_hour: int | None = None,
) -> StatsReport:
    """Statistics at `now`; `today_start` is the UTC start of the current study day in `tz`.

    The rollover hour is read from `today_start` unless given (pass it when it
    falls in a DST gap, where the local start hour differs from the setting).
    """
    now = to_utc(now)
    today_start = to_utc(today_start)
    local_start = today_start.astimezone(tz)
    hour = local_start.hour if rollover_hour is None else rollover_hour
    today = local_start.date()
    decks: dict[str, DeckStats] = {}
    total = DeckStats("total")
    for unit in units:
        stats = decks.get(unit.deck_id)
        if stats is None:
            stats = decks[unit.deck_id] = DeckStats(unit.deck_id)
        state = states.get(unit.key)
        _count_state(stats, state)
        _count_state(total, state)

    window_start = now - RETENTION_WINDOW
    day_of = _DayOf(hour, tz)
    for event in _counted_reviews(events):
        time = event.time
        day = day_of(time)
        counted_review = event.before is not None and event.before.state == REVIEW and time >= window_start
        deck = decks.get(event.key.partition("/")[0])
        for stats in (total, deck) if deck is not None else (total,):
            stats._days.add(day)
            if time >= today_start:
                stats.reviews_today += 1
            if counted_review:
                stats.retention_reviews += 1
                stats._passed += event.rating != 1
    for stats in (*decks.values(), total):
        stats.streak = _streak(stats._days, today)
        if stats.retention_reviews:
            stats.retention = stats._passed / stats.retention_reviews
    return StatsReport(decks=decks, total=total, today=today)
