"""Scheduling state of one review unit, and the events that change it.

A unit with no `CardState` is new. Every change is an `Event` in the journal;
each event carries the unit's full state after it (and before it, for undo),
so replaying the journal is "last event wins" and can never drift.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Literal

__all__ = [
    "EVENT_KINDS",
    "MAX_STABILITY",
    "NEW",
    "RATED_KINDS",
    "CardState",
    "Event",
    "EventKind",
    "StateError",
    "buried_on",
    "finite_number",
    "is_whole",
    "set_aside",
    "validate_state",
]

# FSRS states 1..3 (Learning, Review, Relearning); 0 means new (never rated).
NEW = 0
LEARNING, REVIEW, RELEARNING = 1, 2, 3

EventKind = Literal["review", "undo", "suspend", "unsuspend", "bury", "unbury", "reset", "leech", "cram"]
EVENT_KINDS: tuple[str, ...] = (
    "review",
    "undo",
    "suspend",
    "unsuspend",
    "bury",
    "unbury",
    "reset",
    "leech",
    "cram",  # a rating in a cram session: journaled and undoable, but the state is left as it was
)
RATED_KINDS: tuple[str, ...] = ("review", "cram")  # the kinds that carry a rating 1..4


class StateError(ValueError):
    """A stored state is not acceptable (NaN stability, naive time, ...)."""


@dataclass(frozen=True, slots=True)
class CardState:
    """State of one review unit. All datetimes are aware and in UTC."""

    state: int = NEW
    step: int | None = None
    stability: float | None = None
    difficulty: float | None = None
    due: datetime | None = None
    last_review: datetime | None = None
    reps: int = 0
    lapses: int = 0
    suspended: bool = False
    buried_until: str | None = None  # ISO study day; hidden while today's study day < it
    leech: bool = False

    @property
    def is_new(self) -> bool:
        return self.state == NEW

    def with_flags(self, **changes: object) -> CardState:
        return replace(self, **changes)  # type: ignore[arg-type]


@dataclass(frozen=True, slots=True)
class Event:
    """One journal record. `after` is the unit's state after the event (None: back to new)."""

    id: str  # unique, sortable: "<device>-<time_ns>-<seq>"
    kind: EventKind
    key: str  # unit key, "deck/card[:variant]"
    time: datetime  # UTC
    after: CardState | None
    before: CardState | None = None
    rating: int = 0  # 1..4 for reviews
    duration_ms: int = 0
    undoes: str = ""  # for kind == "undo": the id of the event taken back
    # One of several events recorded together as one user action (a bulk suspend, a reset of
    # marked cards): the id of the action's first event, on each of them; they share its time
    # and device. "" for an event recorded alone (every rating). Undo takes such an action back whole.
    group: str = ""


def _check_time(name: str, value: datetime | None, limit: datetime | None) -> None:
    if value is None:
        return
    if value.tzinfo is None or value.utcoffset() is None:
        raise StateError(f"{name} has no time zone")
    if limit is not None and value > limit:
        raise StateError(f"{name} is absurdly far in the future")


def _number(name: str, value: object) -> float:
    number = finite_number(value)
    if number is None:
        raise StateError(f"{name} is not a finite number")
    return number


def _years_after(moment: datetime, years: int) -> datetime:
    """The same day and time `years` later (no later than year 9999); February 29 in a year
    without one is February 28 (`replace` refused it: an import of a review from 28 February
    2000 ended in a traceback)."""
    year = min(moment.year + years, 9999)
    try:
        return moment.replace(year=year)
    except ValueError:
        return moment.replace(year=year, day=28)


MAX_STABILITY = 1e6  # days: the largest stability a state may hold


def validate_state(state: CardState, now: datetime | None = None) -> CardState:
    """Reject values that would crash FSRS or mis-schedule; return the state in UTC.

    Dates after `now` are kept (a clock set wrong must not lose a review); only
    dates more than 200 years after it are refused.
    """
    kind = state.state
    if kind not in (NEW, LEARNING, REVIEW, RELEARNING):
        raise StateError(f"unknown state {kind!r}")
    for name, value, top in (
        ("stability", state.stability, MAX_STABILITY),
        ("difficulty", state.difficulty, 10),
    ):
        if value.__class__ is float and 0 < value <= top:
            continue  # (the common case, checked as the lines below check it: NaN fails `0 <`)
        if value is None:
            if kind in (REVIEW, RELEARNING):
                raise StateError(f"{name} is missing")
        elif not 0 < _number(name, value) <= top:
            raise StateError(f"{name} {value!r} is out of range")
    if state.step is not None and not (0 <= state.step < 1000):
        raise StateError("step is out of range")
    if state.reps < 0 or state.lapses < 0:
        raise StateError("negative review count")
    due, last = state.due, state.last_review
    in_utc = (due is None or due.tzinfo is UTC) and (last is None or last.tzinfo is UTC)
    # A date in UTC before the year ahead of the limit's is within it: the limit is only worked
    # out for a later one (`now` may be in another zone: its year is not UTC's).
    late = 10000 if now is None else min(now.year + 200, 9999) - 1
    if not in_utc or (due is not None and due.year >= late) or (last is not None and last.year >= late):
        limit = None if now is None else _years_after(now, 200)
        _check_time("due", due, limit)
        _check_time("last_review", last, limit)
    if kind != NEW and due is None:
        raise StateError("due is missing")
    if in_utc:
        return state  # already in UTC: no copy
    due = due.astimezone(UTC) if due else None
    last = last.astimezone(UTC) if last else None
    if due is state.due and last is state.last_review:
        return state  # already in UTC (astimezone gives the same object): no copy
    return replace(state, due=due, last_review=last)


def buried_on(buried_until: str | None, today: str) -> bool:
    """Whether a card buried until study day `buried_until` (ISO date) is still buried on study day
    `today` (ISO date): it comes back on that day, at the rollover."""
    return buried_until is not None and buried_until > today


def set_aside(suspended: bool, buried_until: str | None, today: str) -> bool:
    """Whether a card is out of study day `today` (ISO date): suspended, or buried until a later
    study day. The one rule of every count of what is available today (`retain due`, the deck
    list, the launch summary, the session's queue) and of the stats' card counts, which count such
    a card only as suspended or buried, as Anki does (its deck list leaves both out)."""
    return suspended or buried_on(buried_until, today)


def finite_number(value: object) -> float | None:
    """`value` as a float when it is a finite number (not a bool), else None. An integer too large
    for a float is no number either: TOML and JSON integers have no bound in Python's readers, and
    `float()` or `math.isfinite` raise OverflowError on one of 400 digits."""
    if value.__class__ is float:
        return value if math.isfinite(value) else None
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        number = float(value)
    except OverflowError:
        return None
    return number if math.isfinite(number) else None


def is_whole(value: object) -> bool:
    """An int that is not a bool (`True` would be written as a rating no reader takes back)."""
    return isinstance(value, int) and not isinstance(value, bool)
