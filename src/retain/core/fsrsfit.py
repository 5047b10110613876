"""Fit FSRS-6 weights to a learner's own history with fsrs-rs (`fsrs_rs_python`), as Anki does.

Training items come from the review history, one card at a time in time order:

- only counted ratings (kind "review", rating 1..4, undone ones already left
  out by the index) are used: suspends, buries, leech marks, moves and
  reschedules (kind "reset" with a state) are not reviews; a manual reset
  ("forget": kind "reset" back to new) drops everything before it;
- cards the caller does not keep (deleted from the library, suspended, other
  presets) are left out;
- with "ignore reviews before DATE", earlier reviews are dropped, and a card
  whose remaining history does not start from new is left out (its starting
  memory is unknown), as is any card whose first review was not from new;
- `delta_t` is in study days: same-day reviews have `delta_t = 0`, and an item
  is made only for a review on a later day (what the long-term model predicts);
- a card reviewed thousands of times gives items for its first `MAX_SEQ`
  reviews only (fsrs-rs trains on at most 256 steps of a sequence).

The minimum amount of data is checked after this filtering. Below it fsrs-rs
keeps the defaults, and with a few hundred reviews it fits only the first
(initial stability) weights; both are the library's own rules.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from operator import sub
from typing import NamedTuple, TypeVar

import fsrs_rs_python as rs

from retain.core.gcpause import gc_paused
from retain.core.settings import LOWER_BOUNDS, PARAMETER_COUNT, UPPER_BOUNDS, parameters_problem

__all__ = [
    "DEFAULT_WEIGHTS",
    "MAX_SEQ",
    "FitError",
    "FitResult",
    "HistoryRow",
    "ReviewCache",
    "TrainingSet",
    "card_histories",
    "delta_days",
    "evaluate",
    "fit",
    "guarded",
    "onto_bounds",
    "training_set",
]

DEFAULT_WEIGHTS: tuple[float, ...] = tuple(float(x) for x in rs.DEFAULT_PARAMETERS)
MAX_SEQ = 256
_T = TypeVar("_T")
_EPS = 1e-5  # a smaller change in log loss or RMSE is float noise, not a better fit
_F32 = 1e-6  # fsrs-rs computes in float32 (7 digits): a weight at a bound comes back this far past it


class FitError(Exception):
    """The optimizer cannot give new weights (too little data, a library error); one line."""


class HistoryRow(NamedTuple):
    """One event of a card as the optimizer needs it (rows come sorted by key, then time).

    The history index gives plain tuples of this shape (flags as 0/1); they are used as they are.
    """

    key: str
    time: int  # µs since the epoch (only for ordering)
    review: bool  # a rating (else a reset: a forget, a move or a reschedule)
    rating: int
    day: int  # study day ordinal
    before_new: bool  # the card was new before this event
    after_new: bool  # the event left the card new (a reset to new)


class ReviewCache(dict[tuple[int, int], rs.FSRSReview]):
    """One `FSRSReview` per (rating, delta_t), shared by every item (fsrs-rs copies them in)."""

    def __missing__(self, key: tuple[int, int]) -> rs.FSRSReview:
        value = self[key] = rs.FSRSReview(*key)
        return value


def delta_days(days: Sequence[int]) -> list[int]:
    """`delta_t` of each review: 0 for the first, then the study days since the one before
    (never negative: a day that goes back, after a trip across time zones, counts as 0)."""
    deltas = [0, *map(sub, days[1:], days)]
    if min(deltas) < 0:
        deltas = [d if d > 0 else 0 for d in deltas]
    return deltas


def card_histories(
    rows: Iterable[HistoryRow], since_day: int | None = None
) -> Iterator[tuple[str, list[int], list[int]]]:
    """(key, study days, ratings) of each card's counted reviews since its last "forget", for the
    cards whose remaining history starts from new (and on or after `since_day`); rows sorted by
    key, then time. One plain loop over the rows: cheaper than slicing them by columns."""
    key: str | None = None
    days: list[int] = []
    ratings: list[int] = []
    usable = False
    for row_key, _time, review, rating, day, before_new, after_new in rows:  # plain tuples too
        if row_key != key:
            if usable and days:
                yield key, days, ratings  # type: ignore[misc]
            key, days, ratings, usable = row_key, [], [], True
        if not review:
            if after_new:  # "forget": the card starts over
                days, ratings, usable = [], [], True
            continue
        if not 1 <= rating <= 4:
            continue
        if since_day is not None and day < since_day:
            usable = False  # its history started before the cut: unknown starting memory
            continue
        if not days and not before_new:
            usable = False
        days.append(day)
        ratings.append(rating)
    if usable and days:
        yield key, days, ratings  # type: ignore[misc]


@dataclass(slots=True)
class TrainingSet:
    items: list[rs.FSRSItem] = field(default_factory=list)
    cards: int = 0  # cards that gave at least one item
    reviews: int = 0  # ratings of those cards used


def training_set(
    rows: Iterable[HistoryRow], keep: Callable[[str], bool], since_day: int | None = None
) -> TrainingSet:
    """FSRS items from history rows sorted by (key, time); see the module doc for the rules.

    One item per review on a later study day than the one before: the card's reviews up to it
    (fsrs-rs copies the list into each item, so one list per card grows as it goes)."""
    out = TrainingSet()
    items = out.items
    review, item = rs.FSRSReview, rs.FSRSItem
    with gc_paused():  # 170k items and their lists at 50k cards: no collection in the middle
        for key, days, ratings in card_histories(rows, since_day):
            if not keep(key):
                continue
            made = len(items)
            seq: list[rs.FSRSReview] = []
            prev = days[0]
            for day, rating in zip(days[:MAX_SEQ], ratings, strict=False):
                delta, prev = day - prev, day
                if delta > 0:
                    seq.append(review(rating, delta))
                    items.append(item(seq))
                else:  # same study day (or a day back, after a trip across time zones)
                    seq.append(review(rating, 0))
            if len(items) > made:
                out.cards += 1
                out.reviews += len(seq)
    return out


class Evaluation(NamedTuple):
    log_loss: float
    rmse: float


@dataclass(frozen=True, slots=True)
class FitResult:
    weights: tuple[float, ...]  # the new weights (the current ones when not better)
    before: Evaluation  # current weights on the history
    after: Evaluation  # fitted weights on the history
    better: bool


def guarded(what: str, call: Callable[[], _T]) -> _T:
    """Run a fsrs-rs call; any error (a Rust panic is a BaseException) becomes one FitError line."""
    try:
        return call()
    except (KeyboardInterrupt, SystemExit, MemoryError):
        raise
    except BaseException as exc:
        text = " ".join(str(exc).split())[:200] or type(exc).__name__
        raise FitError(f"fsrs could not {what}: {text}") from None


def evaluate(weights: Sequence[float], items: Sequence[rs.FSRSItem]) -> Evaluation:
    result = guarded("evaluate the history", lambda: rs.FSRS(list(weights)).evaluate(items))
    return Evaluation(float(result.log_loss), float(result.rmse_bins))


def onto_bounds(values: Sequence[float]) -> list[float]:
    """`values` with each weight a float32 rounding past one of FSRS's bounds put on the bound.

    fsrs-rs clamps its weights to the bounds in float32, so a weight fitted to the upper bound
    0.8 comes back as 0.800000011920929: outside the bounds by the float32 rounding only. It is
    the bound; a weight further out is left as it is (and refused).
    """
    if len(values) != PARAMETER_COUNT:
        return list(values)
    out: list[float] = []
    for value, lo, hi in zip(values, LOWER_BOUNDS, UPPER_BOUNDS, strict=True):
        if hi < value <= hi + _F32 * max(1.0, abs(hi)):
            value = hi
        elif lo - _F32 * max(1.0, abs(lo)) <= value < lo:
            value = lo
        out.append(value)
    return out


def fit(items: Sequence[rs.FSRSItem], current: Sequence[float] | None) -> FitResult:
    """Fit weights to `items`; raises FitError when there is too little data or fsrs fails."""
    if not items:
        raise FitError("no reviews to learn from after filtering (cards need reviews on two study days)")
    start = list(current or DEFAULT_WEIGHTS)
    model = rs.FSRS(list(DEFAULT_WEIGHTS))
    fitted = [float(x) for x in guarded("fit the history", lambda: model.compute_parameters(items))]
    if tuple(fitted) == DEFAULT_WEIGHTS:
        raise FitError(
            f"too few reviews to fit ({len(items)} usable after filtering; fsrs needs more): "
            "weights left as they are"
        )
    fitted = onto_bounds(fitted)
    if len(fitted) != PARAMETER_COUNT or parameters_problem(fitted) is not None:
        raise FitError(f"fsrs returned unusable weights ({parameters_problem(fitted) or len(fitted)})")
    rounded = tuple(round(x, 4) for x in fitted)
    if parameters_problem(rounded) is not None:
        rounded = tuple(fitted)
    before = evaluate(start, items)
    after = evaluate(rounded, items)
    gain = before.log_loss - after.log_loss
    better = gain > _EPS or (abs(gain) <= _EPS and before.rmse - after.rmse > _EPS)
    return FitResult(rounded if better else tuple(start), before, after, better)
