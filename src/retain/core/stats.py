"""Study statistics for `retain stats`: per deck and in total.

- cards by state: new, learning, review, relearning; suspended units are
  counted only as suspended, and units buried until a later study day only as
  buried (`core.state.set_aside`: the rule of the card counts panel and of
  every due count);
- reviews today: ratings since the start of the current study day;
- streak: consecutive study days with at least one rating, ending today or
  yesterday (so a streak is not lost before today's session);
- true retention over the last 30 study days: the share of ratings of cards in
  the review state, and of (re)learning cards after a step of a day or more
  as Anki counts them (`learning_counts`, which needs the deck's steps:
  `Steps`, `StepRule`), that were not Again (None when there were none).

Undone ratings never count. Per-deck figures cover the decks in `units`; the
totals cover every rating in the history, including decks since removed. The
history's figures come in as `Activity` (the history index aggregates them);
`today_progress` computes the same from a list of events, for tests.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, timedelta, tzinfo

from retain.core.clock import day_start, study_day
from retain.core.model import Unit
from retain.core.settings import StudySettings
from retain.core.state import LEARNING, NEW, RELEARNING, REVIEW, CardState, Event, buried_on
from retain.core.studyday import StudyDay

__all__ = [
    "RETENTION_DAYS",
    "Activity",
    "DeckStats",
    "StatsReport",
    "StepRule",
    "Steps",
    "activity_from_events",
    "at_a_rollover",
    "compute_stats",
    "counts_in_retention",
    "first_step_after_hard",
    "hard_on_first_step",
    "learning_counts",
    "step_length",
    "step_rule",
    "today_progress",
]

RETENTION_DAYS = 30  # study days, today included
_DAY = timedelta(days=1)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_QUARTER = timedelta(minutes=15)  # UTC offsets are whole quarter hours: so is every rollover instant
_SECOND = timedelta(seconds=1)  # Anki counts a step's seconds in whole ones: its Hard wait may be 0.5 s short


@dataclass(slots=True)
class DeckStats:
    deck_id: str
    cards: int = 0
    new: int = 0
    learning: int = 0
    review: int = 0
    relearning: int = 0
    suspended: int = 0
    buried: int = 0  # buried until a later study day (not suspended)
    reviews_today: int = 0
    streak: int = 0
    retention: float | None = None  # share of the true retention's ratings that were not Again
    retention_reviews: int = 0  # how many ratings `retention` is based on

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


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


_COUNTED = ("cards", "new", "learning", "review", "relearning", "suspended", "buried")
_SLOT = {NEW: 1, LEARNING: 2, REVIEW: 3, RELEARNING: 4}


def _count_states(stats: DeckStats, states: Iterable[CardState | None], today: str) -> None:
    """Add `states` to `stats`' card counts on study day `today` (ISO date): one tally, then the
    fields (50k cards on every `stats`). A card set aside today (`set_aside`) counts only as
    suspended or, when not suspended, as buried."""
    tally = [0] * len(_COUNTED)
    for state in states:
        if state is None:
            tally[1] += 1
        elif state.suspended:
            tally[5] += 1
        elif buried_on(state.buried_until, today):
            tally[6] += 1
        else:
            tally[_SLOT.get(state.state, 0)] += 1
    tally[0] = sum(tally)  # every card (slot 0 held those in no known state: counted as cards only)
    for name, n in zip(_COUNTED, tally, strict=True):
        setattr(stats, name, getattr(stats, name) + n)


def _streak(days: set[date], today: date) -> int:
    day = today if today in days else today - timedelta(days=1)
    count = 0
    while day in days:
        count += 1
        day -= timedelta(days=1)
    return count


def _counted_reviews(events: Iterable[Event]) -> list[Event]:
    history = list(events)
    undone = {e.undoes for e in history if e.kind == "undo"}
    return [e for e in history if e.kind == "review" and e.id not in undone]


def today_progress(events: Iterable[Event], now: datetime, rollover_hour: int, tz: tzinfo) -> tuple[int, int]:
    """(ratings in the current study day, streak in days): the home screen's summary line."""
    today = study_day(now, rollover_hour, tz)
    start = day_start(today, rollover_hour, tz)
    day_of = StudyDay(rollover_hour, tz).of
    days: set[date] = set()
    count = 0
    for event in _counted_reviews(events):
        days.add(day_of(event.time))
        count += event.time >= start
    return count, _streak(days, today)


@dataclass(frozen=True, slots=True)
class Activity:
    """What the history says of one deck (or of all): study days, today's ratings, retention."""

    days: frozenset[date]
    today: int
    passed: int  # the true retention's ratings in the retention window that were not Again
    judged: int  # the true retention's ratings in the retention window (`counts_in_retention`)


@dataclass(frozen=True, slots=True)
class Steps:
    """One deck's learning and relearning steps (its `StudySettings`): what tells a (re)learning
    step's configured length from the wait the answer before it set (`first_step_after_hard`)."""

    learning: tuple[timedelta, ...] = ()
    relearning: tuple[timedelta, ...] = ()

    def of(self, state: int) -> tuple[timedelta, ...]:
        """The steps a card in `state` (LEARNING or RELEARNING) is on; () for any other state."""
        return self.learning if state == LEARNING else self.relearning if state == RELEARNING else ()


@dataclass(frozen=True, slots=True)
class StepRule:
    """Every deck's `Steps`: `decks`' own (deck id -> steps), else `default` (the default preset's,
    which a deck with no settings of its own, or one since removed, is scheduled with)."""

    default: Steps = Steps()
    decks: tuple[tuple[str, Steps], ...] = ()
    _by_deck: dict[str, Steps] = field(default_factory=dict, compare=False, repr=False)
    _key: list[str] = field(default_factory=list, compare=False, repr=False)  # `key`, once worked out

    def __post_init__(self) -> None:
        self._by_deck.update(self.decks)

    def for_deck(self, deck_id: str) -> Steps:
        return self._by_deck.get(deck_id, self.default)

    def key(self) -> str:
        """What of the steps decides the figures (`first_step_after_hard`: each kind's first step
        and the wait Hard gives on it), for the history index to tell when to count its ratings
        again: the default's, and each deck's that differ; "" when no deck's matter."""
        if not self._key:  # (asked on every feed of the history index)
            default = _waits(self.default)
            parts = {deck: waits for deck, steps in self.decks if (waits := _waits(steps)) != default}
            if default != [None, None]:
                parts[""] = default
            self._key.append(json.dumps(parts, sort_keys=True, separators=(",", ":")) if parts else "")
        return self._key[0]


def step_rule(default: StudySettings, decks: Mapping[str, StudySettings] | None = None) -> StepRule:
    """The `StepRule` of a configuration: the default preset's steps (`Config.preset("default")`)
    and each deck's own settings' (`Config.deck_overrides`). The history index counts the
    learning ratings again when it changes."""
    return StepRule(_steps_of(default), tuple((d, _steps_of(s)) for d, s in sorted((decks or {}).items())))


def _steps_of(settings: StudySettings) -> Steps:
    return Steps(tuple(settings.learning_steps), tuple(settings.relearning_steps))


def _waits(steps: Steps) -> list[list[float] | None]:
    """`hard_on_first_step` of the learning and the relearning steps, in seconds (`StepRule.key`)."""
    out: list[list[float] | None] = []
    for kind in (LEARNING, RELEARNING):
        found = hard_on_first_step(steps.of(kind))
        out.append(None if found is None else [found[0].total_seconds(), found[1].total_seconds()])
    return out


def hard_on_first_step(steps: tuple[timedelta, ...]) -> tuple[timedelta, timedelta] | None:
    """(first step, the wait Hard gives on it) when they differ and the first step is shorter than
    a day (else its rating counts either way); None otherwise. Hard on the first step waits
    halfway to the second step, or half as long again with one step (py-fsrs and Anki alike; Anki
    counts whole seconds and, past a day, rounds the wait to whole days)."""
    if not steps or steps[0] >= _DAY:
        return None
    first = steps[0]
    hard = (first + steps[1]) / 2 if len(steps) > 1 else first * 1.5
    return (first, hard) if abs(hard - first) > _SECOND else None


def first_step_after_hard(
    last: datetime, due: datetime, steps: tuple[timedelta, ...], day: StudyDay
) -> timedelta | None:
    """The first step's configured length when a (re)learning card last rated at `last` and due
    at `due` waits as Hard on the first step makes it wait under `steps` (the deck's steps for
    the card's state); None otherwise.

    Such a card is still on its first step, and Anki logs the rating that ends the wait with
    that step's length, not the wait's (rslib builds the card's state from the configured step:
    `current_delay_secs`): steps `10m 1d`, Hard at 14:16 waits 12h05m, and Good at 02:30 logs
    600 seconds. The wait is `due - last` to the second; one of a day or more is due from the
    start of the study day that many days on (`Scheduler.day_step_due`; Anki rounds it to whole
    days). Every other wait is the configured step itself. A shorter wait that ends exactly at a
    rollover is taken for a step of days (Good at 15:55 on `10m 1d`: due at 04:00, 12h05m on).

    Not told apart: Hard's wait of a day or more that retain raised to FSRS's interval
    (`Scheduler._due`), and waits set under other steps than `steps` (changed since)."""
    found = hard_on_first_step(steps)
    if found is None:
        return None
    first, hard = found
    if hard < _DAY:  # (a due at a rollover is a step of days that ended there, never Hard's wait)
        return first if abs((due - last) - hard) <= _SECOND and not at_a_rollover(due, day) else None
    days = hard / _DAY
    try:
        start = day.of(last)
        for whole in {int(days + 0.5), round(days)}:  # (Anki rounds half up, Python half to even)
            if due == day.start_of(start + timedelta(days=whole)):
                return first
    except (OverflowError, ValueError):  # a study day at the calendar's end
        return None
    return None


def step_length(last: datetime, due: datetime, steps: tuple[timedelta, ...], day: StudyDay) -> timedelta:
    """The length of the (re)learning step a card last rated at `last` and due at `due` is on, as
    Anki logs it: the first step's after Hard on it (`first_step_after_hard`), else `due - last`."""
    first = first_step_after_hard(last, due, steps, day)
    return due - last if first is None else first


def learning_counts(
    at: datetime, last: datetime, due: datetime, day: StudyDay, steps: tuple[timedelta, ...] = ()
) -> bool:
    """Whether a rating at `at` of a learning or relearning card last rated at `last` and due at
    `due` counts in true retention (as a young card's), as Anki's does; `steps` are the deck's
    steps for the card's state (learning or relearning: `Steps.of`).

    Anki counts such a rating when its revlog's last interval is a day or more: a step of days,
    or a shorter step that reaches past the next rollover from the rating (Anki logs the step
    in days then, `maybe_as_days` at the answer: a 12-hour step rated at 20:00, 8 hours before
    the 4 am rollover), never for having passed a rollover before it (a `10m` step set at 03:50
    and rated at 12:00 is logged as 600 seconds).

    The step is the configured one: after Hard on the first step, the first step's length, not
    the longer wait Hard set (`first_step_after_hard`: steps `10m 1d`, Hard at 14:16 waits
    12h05m, and Good at 02:30 is left out, 1.5 hours before the rollover, as Anki logs 600
    seconds). Without `steps` that case is not told apart.

    A step of days is due from a study day's start (`Scheduler.day_step_due`: a `1d` step set
    at 21:00 is due at 04:00, 7 hours on; set at 03:55, 5 minutes on), or lasts 24 hours or
    more; any shorter step keeps its own time (a `10m` step set at 03:50:00.4 is due at
    04:00:00.4), so its length is `due - last`. A rollover is a whole quarter hour in UTC in
    every zone with such offsets, so a step of days set under another rollover hour or zone
    than `day`'s is still one; the start of `due`'s study day under `day` counts too.

    The history index applies this rule to its rows (`store.index.daily.step_days`)."""
    first = first_step_after_hard(last, due, steps, day) if steps else None
    try:
        if first is not None:  # (shorter than a day)
            return first >= day.start_of(day.of(at) + _DAY) - at
        step = due - last
        if step >= _DAY:
            return True
        if step >= day.start_of(day.of(at) + _DAY) - at:
            return True
        return day.of(due) > day.of(last) and at_a_rollover(due, day)
    except (OverflowError, ValueError):  # a study day at the calendar's end
        return False


def at_a_rollover(moment: datetime, day: StudyDay) -> bool:
    """Whether `moment` is where a study day starts: under `day`, or at a whole quarter hour of
    UTC (any rollover hour of a zone with whole quarter-hour offsets)."""
    if (moment - _EPOCH) % _QUARTER == timedelta(0):
        return True
    try:
        return moment == day.start_of(day.of(moment))
    except (OverflowError, ValueError):  # a study day at the calendar's end
        return False


def counts_in_retention(
    at: datetime, before: CardState | None, day: StudyDay, steps: Steps | None = None
) -> bool:
    """Whether a rating at `at` of a card in state `before` counts in true retention: a review
    card's, and a learning or relearning card's as Anki counts it (`learning_counts`, with its
    deck's `steps`)."""
    if before is None:
        return False
    if before.state == REVIEW:
        return True
    last, due = before.last_review, before.due
    return (
        before.state in (LEARNING, RELEARNING)
        and last is not None
        and due is not None
        and learning_counts(at, last, due, day, steps.of(before.state) if steps is not None else ())
    )


def activity_from_events(
    events: Iterable[Event],
    now: datetime,
    day: StudyDay,
    window_days: int = RETENTION_DAYS,
    steps: StepRule | None = None,
) -> dict[str, Activity]:
    """`Activity` per deck id and "" (all) from whole events, each deck's ratings judged with its
    `steps`: the reference for the history index's SQL aggregates (a property test holds the
    two equal)."""
    today = day.today(now)
    since = today - timedelta(days=window_days - 1)
    acc: dict[str, tuple[set[date], list[int]]] = {"": (set(), [0, 0, 0])}
    for event in _counted_reviews(events):
        when = day.of(event.time)
        deck = event.key.partition("/")[0]
        for days, sums in (acc[""], acc.setdefault(deck, (set(), [0, 0, 0]))):
            days.add(when)
            sums[0] += when == today
            own = steps.for_deck(deck) if steps is not None else None
            if since <= when <= today and counts_in_retention(event.time, event.before, day, own):
                sums[1] += event.rating != 1
                sums[2] += 1
    return {deck: Activity(frozenset(days), *sums) for deck, (days, sums) in acc.items()}


def compute_stats(
    units: Sequence[Unit],
    states: Mapping[str, CardState],
    activity: Mapping[str, Activity],
    today: date,
    deck_ids: Iterable[str] = (),
) -> StatsReport:
    """Statistics for study day `today`: card counts from the states, the rest from `activity`
    (per deck id, and "" for every rating in the history, decks since removed included).

    One row per deck in `deck_ids` (the library's: a deck with no cards, or whose cards were
    all deleted, has its row, with its history's figures) and per deck of `units`."""
    by_deck: dict[str, list[CardState | None]] = {deck_id: [] for deck_id in deck_ids}
    get = states.get
    for unit in units:
        found = by_deck.get(unit.deck_id)
        if found is None:
            found = by_deck[unit.deck_id] = []
        found.append(get(unit.key))
    decks: dict[str, DeckStats] = {}
    total = DeckStats("total")
    for deck_id, deck_states in by_deck.items():
        stats = decks[deck_id] = DeckStats(deck_id)
        _count_states(stats, deck_states, today.isoformat())
        for name in _COUNTED:
            setattr(total, name, getattr(total, name) + getattr(stats, name))
    for deck_id, stats in (*decks.items(), ("", total)):
        act = activity.get(deck_id)
        if act is None:
            continue
        stats.reviews_today = act.today
        stats.streak = _streak(set(act.days), today)
        stats.retention_reviews = act.judged
        if act.judged:
            stats.retention = act.passed / act.judged
    return StatsReport(decks=decks, total=total, today=today)
