"""Fit FSRS-6 weights to a learner's own history with fsrs-rs (`fsrs_rs_python`), as Anki does.

Training items come from the review history, one card at a time in time order:

- only counted ratings (kind "review", rating 1..4, undone ones already left
  out by the index) are used: suspends, buries, leech marks, moves and
  reschedules (kind "reset" with a state) are not reviews; a manual reset
  ("forget": kind "reset" back to new) drops everything before it;
- a card's history starts at its last review from new (Anki's last group of
  learning steps): reviews before it (a reset Anki logged no row for, or events
  recorded out of time order after the clock went back) are dropped, and a card
  with no review from new is left out (its starting memory is unknown);
- cards the caller does not keep (deleted from the library, suspended, other
  presets) are left out;
- with "ignore reviews before DATE", a card whose history starts before DATE
  is left out (Anki: its first learning step is before the date);
- `delta_t` is in study days: same-day reviews have `delta_t = 0`, and an item
  is made only for a review on a later day (what the long-term model predicts);
- a card reviewed thousands of times gives items for its first `MAX_SEQ`
  reviews only (fsrs-rs trains on at most 256 steps of a sequence);
- the items go to fsrs-rs in the order of the reviews they end with, each with
  its card's id (cards numbered in the order of their first review, as Anki's
  ids follow creation), and are fitted with Anki's training settings: fsrs-rs
  weighs later items more, so given card by card the fit depended on the cards'
  names (and was not Anki's on the same history).

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
ANKI_EPOCHS = 8  # Anki 26.09 trains fsrs-rs for 8 epochs (its default is 5)
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
    """(key, study days, ratings) of each card's counted reviews from its last review from new
    (after its last "forget"), for the cards that have one (on or after `since_day`); rows sorted
    by key, then time."""
    for key, _times, days, ratings in _card_runs(rows, since_day):
        yield key, days, ratings


def _card_runs(
    rows: Iterable[HistoryRow], since_day: int | None = None
) -> Iterator[tuple[str, list[int], list[int], list[int]]]:
    """`card_histories` with the time of each review. One plain loop over the rows: cheaper than
    slicing them by columns."""
    key: str | None = None
    times: list[int] = []
    days: list[int] = []
    ratings: list[int] = []
    usable = False  # the card's history started from new (on or after since_day)
    for row_key, time, review, rating, day, before_new, after_new in rows:  # plain tuples too
        if row_key != key:
            if usable and days:
                yield key, times, days, ratings  # type: ignore[misc]
            key, times, days, ratings, usable = row_key, [], [], [], False
        if not review:
            if after_new:  # "forget": the card starts over
                times, days, ratings, usable = [], [], [], False
            continue
        if not 1 <= rating <= 4:
            continue
        if before_new:  # a (new) start: what came before is not this card's memory
            times, days, ratings = [], [], []
            usable = since_day is None or day >= since_day
        elif not usable:
            continue  # no start from new yet (or a start before the cut): unknown memory
        times.append(time)
        days.append(day)
        ratings.append(rating)
    if usable and days:
        yield key, times, days, ratings  # type: ignore[misc]


@dataclass(slots=True)
class TrainingSet:
    items: list[rs.FSRSItem] = field(default_factory=list)  # in the order of their last review
    cards: int = 0  # cards that gave at least one item
    reviews: int = 0  # ratings of those cards used
    card_ids: list[int] = field(default_factory=list)  # each item's card (by first review)


def training_set(
    rows: Iterable[HistoryRow], keep: Callable[[str], bool], since_day: int | None = None
) -> TrainingSet:
    """FSRS items from history rows sorted by (key, time); see the module doc for the rules.

    One item per review on a later study day than the one before: the card's reviews up to it
    (fsrs-rs copies the list into each item, so one list per card grows as it goes). The items
    are put in the order of the reviews they end with (a stable sort: ties stay card by card)."""
    out = TrainingSet()
    made: list[tuple[int, int, rs.FSRSItem]] = []  # (time, card, item)
    starts: list[tuple[int, str]] = []  # each card's first review time and key
    review, item = rs.FSRSReview, rs.FSRSItem
    with gc_paused():  # 170k items and their lists at 50k cards: no collection in the middle
        for key, times, days, ratings in _card_runs(rows, since_day):
            if not keep(key):
                continue
            before = len(made)
            card = len(starts)
            seq: list[rs.FSRSReview] = []
            prev = days[0]
            for time, day, rating in zip(times[:MAX_SEQ], days, ratings, strict=False):
                delta, prev = day - prev, day
                if delta > 0:
                    seq.append(review(rating, delta))
                    made.append((time, card, item(seq)))
                else:  # same study day (or a day back, after a trip across time zones)
                    seq.append(review(rating, 0))
            if len(made) > before:
                starts.append((times[0], key))
                out.cards += 1
                out.reviews += len(seq)
        made.sort(key=_first)
        rank = sorted(range(len(starts)), key=starts.__getitem__)
        ids = [0] * len(starts)
        for n, card in enumerate(rank):
            ids[card] = n
        out.items = [entry[2] for entry in made]
        out.card_ids = [ids[entry[1]] for entry in made]
    return out


def _first(entry: tuple[int, int, rs.FSRSItem]) -> int:
    return entry[0]


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


def fit(
    items: Sequence[rs.FSRSItem],
    current: Sequence[float] | None,
    card_ids: Sequence[int] | None = None,
    relearning_steps: int | None = None,
) -> FitResult:
    """Fit weights to `items` (in the order of their reviews, `card_ids` their cards), as Anki
    26.09 does: 8 epochs, the preset's number of relearning steps; raises FitError when there is
    too little data or fsrs fails."""
    if not items:
        raise FitError("no reviews to learn from after filtering (cards need reviews on two study days)")
    if card_ids is not None and len(card_ids) != len(items):
        card_ids = None
    start = list(current or DEFAULT_WEIGHTS)
    model = rs.FSRS(list(DEFAULT_WEIGHTS))
    fitted = [
        float(x)
        for x in guarded(
            "fit the history",
            lambda: model.compute_parameters(
                items,
                card_ids=None if card_ids is None else list(card_ids),
                num_relearning_steps=relearning_steps,
                training_config=rs.TrainingConfig(num_epochs=ANKI_EPOCHS),
            ),
        )
    ]
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
