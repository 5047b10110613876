"""Anki's review log as retain history with FSRS memory states, for `import --with-history`.

Each revlog row becomes a review event. Its `after` state holds the FSRS
memory (stability, difficulty) that fsrs-rs computes by replaying the card's
log up to that row (`historical_memory_state_batch`, FSRS's default weights,
days counted from a 4 am UTC rollover); its due date is the row's interval.
A log that does not start with a learning row (trimmed, or a card made before
the log) starts from `memory_state_from_sm2` of its first row's ease and
interval; a "Forget"/"Reset" row (Anki's reset to new: a manual row with ease
factor 0, as Anki's `is_reset` tells) is a "reset" event, and the card's memory
is replayed from new after it; so is a learning row right after a review row
(older Anki reset cards without a row; Anki's optimizer starts the card there).
A "Set due date" row (manual, the card's factor kept; or FSRS's "Rescheduled")
is no review and no forget: it is a reschedule, a "reset" event that keeps the
card's memory, reviews, lapses and last review and moves its due date (as
`retain optimize --reschedule` records one), so the answer before it keeps
its own interval and the export writes the row back. Cramming without
rescheduling is left out. A row
whose interval is in days left the card in (re)learning when its next row is a
(re)learning row again: Anki logs a step that ends past the rollover in days;
such a step is due from the start of the study day it ends on. The last event
of a card (its last answer, or the due date set after it) takes the card's
real current state (due date, and the FSRS memory
from `cards.data` when Anki had FSRS on; otherwise the replayed memory, or
`memory_state_from_sm2` of the card's ease and interval).

Only the cards the import keeps get history: an Anki card with no retain
review unit (an Image Occlusion note's, a template retain does not keep, a
cloze number the imported text lacks) has its rows left out with it.

A review card's due is a day number: day 0 is the date `crt` was made on (in
the collection's `creationOffset` zone, else the local zone, as Anki reads it),
and day n is that date plus n days; the card comes due when the learner's study
day of that date begins (`rollover_hour`, Anki's 4 am by default; `AnkiDays`),
so it comes due on the same study day it was due in Anki.

A revlog row counts once per id (a table without its primary key can hold it
twice). A row whose date or due date is not a date retain can hold (before
1970, from year 10000 on), or whose numbers are not numbers, is left out on its
own, and so is a due date in `cards` (the card then takes its last review's);
a card whose scheduling columns are not numbers keeps its log's last state.
The import says how many.
"""

from __future__ import annotations

import functools
import math
from array import array
from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping, Sequence, Set
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from itertools import pairwise
from operator import attrgetter, itemgetter
from typing import overload

import fsrs_rs_python as rs

from retain.core.clock import DEFAULT_ROLLOVER_HOUR, day_start
from retain.core.model import Card
from retain.core.settings import StudySettings
from retain.core.state import LEARNING, RELEARNING, REVIEW, CardState, finite_number
from retain.core.studyday import StudyDay
from retain.core.units import card_unit_keys
from retain.interop.anki import jsontext
from retain.interop.anki.ankidb import AnkiCard, AnkiDb
from retain.interop.ankikeep import MAX_COUNT, MAX_MS, KeptCard, sane_factor, sane_ivl
from retain.interop.bundle import Review
from retain.interop.errors import InteropError
from retain.store.localzone import local_timezone

__all__ = [
    "AnkiDays",
    "AnkiHistory",
    "anki_cards_kept",
    "card_history",
    "card_reviews",
    "card_state",
    "learning_step",
    "memory_from_log",
    "sm2_memory",
    "unit_key",
]

_SM2_RETENTION = 0.9
_ROLLOVER_S = 4 * 3600
_MODEL = rs.FSRS(list(rs.DEFAULT_PARAMETERS))
_END_S = 253_402_300_800  # 10000-01-01 UTC: the first second a datetime cannot hold
_MAX_STABILITY = 1e6  # the store's bound (`validate_state`)
_MIN_STABILITY = 0.001  # FSRS-6's least stability (fsrs-rs's S_MIN; Anki keeps a card's at it)
_MAX_MS = 10**7  # the longest answer time kept (ms)
_INT64 = 2**63  # a packed row's numbers (`_rows`) fit in 64 bits
_DAY = timedelta(days=1)
_FIRST = itemgetter(0)
# A (re)learning card's due up to this is a day number (Anki's queue 3, a step of a day or more),
# past it a time (Unix seconds).
_MAX_DAY_NUMBER = 10**8
_STEPS = StudySettings()  # the steps a learning card's `left` counts against (retain's defaults)
Row = tuple[int, int, int, int, int, int]  # revlog id (ms), ease, ivl, factor, time ms, type
Moved = tuple[int, int, int]  # a "Set due date" row: revlog id (ms), ivl (days), factor
Extra = tuple[int, int]  # a card's `left` and `mod` (Unix seconds)


def unit_key(deck_id: str, card: Card, ord_: int) -> str | None:
    base = f"{deck_id}/{card.id}"
    if card.kind == "cloze":
        return f"{base}:c{ord_ + 1}"
    if card.kind == "reversed":
        return base if ord_ == 0 else f"{base}:reverse" if ord_ == 1 else None
    return base if ord_ == 0 else None


def sm2_memory(factor: int, ivl: int) -> tuple[float, float]:
    """FSRS memory (stability, difficulty) from SM-2 ease (permille) and interval (days), via fsrs-rs."""
    ease = factor / 1000 if factor > 0 else 2.5
    state = _MODEL.memory_state_from_sm2(max(1.3, ease), float(max(ivl, 1)), _SM2_RETENTION)
    return _clean(state.stability, state.difficulty)


def _clean(s: float, d: float) -> tuple[float, float]:
    """FSRS memory in the bounds FSRS-6 and the store keep (a stability of FSRS's least, 0.001, as it is)."""
    if (
        s.__class__ is float
        and d.__class__ is float
        and _MIN_STABILITY <= s <= _MAX_STABILITY
        and 1.0 <= d <= 10.0
    ):
        return s, d  # (what the lines below give for it)
    s = float(s) if math.isfinite(s) and s > 0 else _MIN_STABILITY
    d = min(10.0, max(1.0, float(d))) if math.isfinite(d) else 5.0
    return min(max(s, _MIN_STABILITY), _MAX_STABILITY), d


def _when(seconds: int | None) -> datetime | None:
    """A time from Unix seconds; None for no time, or one before 1970 or past year 9999 (a hostile value)."""
    return datetime.fromtimestamp(seconds, UTC) if seconds is not None and 0 < seconds < _END_S else None


def _span_s(ivl: int) -> int:
    """A revlog interval in seconds: days when positive, a learning step's seconds (a minute at least) if not."""
    return ivl * 86400 if ivl > 0 else max(-ivl, 60)


def _ms(ms: int) -> int:
    """An answer time in the range retain keeps (a hostile one is clamped)."""
    return max(0, min(ms, _MAX_MS))


_SPANS: dict[int, timedelta] = {}  # `_span` by interval: a log's intervals repeat


def _span(ivl: int) -> timedelta:
    """`_span_s` as a timedelta (kept for the next row with this interval)."""
    span = timedelta(seconds=_span_s(ivl))
    if len(_SPANS) >= 4096:
        _SPANS.clear()
    _SPANS[ivl] = span
    return span


def _in_range(rid: int, ivl: int) -> bool:
    """The row's time (id, ms since 1970; 0 or less is no review) and its due date are dates retain holds."""
    return rid > 0 and rid // 1000 + _span_s(ivl) < _END_S


def _day(rid: int) -> int:
    return (rid // 1000 - _ROLLOVER_S) // 86400


def memory_from_log(logs: Sequence[Sequence[Row]]) -> list[list[tuple[float, float]]]:
    """Per card, the FSRS memory after each of its rows (rows already filtered, in time order)."""
    items: list[rs.FSRSItem] = []
    starts: list[rs.MemoryState | None] = []
    review, item, rollover = rs.FSRSReview, rs.FSRSItem, _ROLLOVER_S
    for log in logs:
        first = log[0]
        start = None if first[5] == 0 else rs.MemoryState(*sm2_memory(first[3], first[2]))
        prev = _day(first[0])
        reviews = []
        for row in log if start is None else log[1:]:
            day = (row[0] // 1000 - rollover) // 86400  # (`_day`)
            reviews.append(review(row[1], day - prev if day > prev else 0))
            prev = day
        items.append(item(reviews))
        starts.append(start)
    out: list[list[tuple[float, float]]] = []
    nonempty = [i for i, log in enumerate(logs) if starts[i] is None or len(log) > 1]
    try:
        batch = _MODEL.historical_memory_state_batch(
            [items[i] for i in nonempty], [starts[i] for i in nonempty]
        )
    except (KeyboardInterrupt, SystemExit, MemoryError):
        raise
    except BaseException:  # fsrs-rs refused the log (a Rust panic too): SM-2 memory for every row
        return [[sm2_memory(r[3], r[2]) for r in log] for log in logs]
    found = dict(zip(nonempty, batch, strict=True))
    clean = _clean
    for i, log in enumerate(logs):
        # With a starting state fsrs-rs returns it first, then the state after each review.
        memories = [clean(m.stability, m.difficulty) for m in found.get(i, [])]
        start = starts[i]
        if start is not None and not memories:
            memories = [_clean(start.stability, start.difficulty)]
        out.append(memories[: len(log)])
    return out


def _memory(data: str) -> tuple[float | None, float | None]:
    try:
        raw = jsontext.loads(data) if data else {}
    except (ValueError, RecursionError):
        return None, None
    if not isinstance(raw, dict):
        return None, None
    s, d = (finite_number(raw.get(name)) for name in ("s", "d"))  # (400 digits: no number)
    return (s if s is not None and s > 0 else None), (min(10.0, d) if d is not None and d > 0 else None)


@dataclass(frozen=True, slots=True)
class AnkiDays:
    """An Anki collection's day numbers as times, as Anki counts them.

    Day 0 is the date `crt` falls on in the collection's `creationOffset` zone
    (minutes west of UTC), else in `tz` (Anki's fallback is the local zone); a
    `crt` at a UTC midnight without `creationOffset` (retain's packages before
    it wrote one) is a UTC date. Day n begins at `rollover_hour` (the learner's;
    Anki's is 4 am) of that date plus n days in `tz`.
    """

    crt: int
    offset_west: int | None = None
    tz: tzinfo = UTC
    rollover_hour: int = DEFAULT_ROLLOVER_HOUR  # where the learner's study day of that date begins

    def start(self, day: int) -> int | None:
        """The Unix second day `day` begins; None for a day no date can hold."""
        return _day_start_s(self.crt, self.offset_west, self.tz, day, self.rollover_hour)


@functools.lru_cache(maxsize=4096)  # a collection's cards share their due days
def _day_start_s(crt: int, offset_west: int | None, tz: tzinfo, day: int, hour: int) -> int | None:
    if offset_west is not None:
        zone: tzinfo = timezone(timedelta(minutes=-offset_west))
    else:
        zone = UTC if crt % 86400 == 0 else tz
    try:
        first = datetime.fromtimestamp(crt, zone).date()
        return int(day_start(first + timedelta(days=day), hour, tz).timestamp())
    except (OverflowError, ValueError, OSError):
        return None


def _days(crt: int | AnkiDays) -> AnkiDays:
    return crt if isinstance(crt, AnkiDays) else AnkiDays(crt)


def _due_s(card: AnkiCard, days: AnkiDays) -> int | None:
    """The card's due in Unix seconds (a review card's, and a (re)learning card's on a step of a
    day or more, Anki's queue 3, are day numbers: the start of that day; a (re)learning card's
    other due is a time); None for a day number out of range."""
    due = card.home_due
    if card.type == 2 or due <= _MAX_DAY_NUMBER:
        return days.start(due)
    return due


def _bad_due(card: AnkiCard, days: AnkiDays) -> bool:
    """`cards` holds a due date that is no date retain can hold."""
    if card.type == 0:
        return False
    seconds = _due_s(card, days)
    return seconds is None or _when(seconds) is None


def _same_day(day_start: datetime, logged: datetime, next_start: int | None) -> datetime:
    """A review card's due: the start of its study day (`day_start`), or the time its last review
    log row gives (`logged`: that review's time plus its interval) when that falls on the same
    study day. Both come due on that day; the exact time keeps the interval (due - last review)
    as it was, which the stats' young/mature split and the due forecast read: a 21-day interval
    that came back as 20 days and 13 hours was counted young after retain -> .apkg -> retain."""
    if next_start is not None and day_start <= logged and logged.timestamp() < next_start:
        return logged
    return day_start


def _days_before(when: datetime, days: int) -> datetime:
    try:
        return when - timedelta(days=max(days, 1))
    except OverflowError:  # a hostile interval: the due date is the best guess left
        return when


def learning_step(state: int, left: int, settings: StudySettings = _STEPS) -> int | None:
    """retain's step from Anki's `left`: its units are the steps still to go (the v3 scheduler's
    meaning; the thousands part is today's share, which retain does not keep)."""
    if state == REVIEW:
        return None
    steps = settings.learning_steps if state == LEARNING else settings.relearning_steps
    remaining = left % 1000 if left > 0 else 0
    if not steps or remaining <= 0:
        return 0
    return max(0, min(len(steps) - remaining, len(steps) - 1))


def card_state(
    card: AnkiCard,
    crt: int | AnkiDays,
    last: CardState | None,
    now_fallback: datetime,
    left: int = 0,
    mod: int = 0,
    settings: StudySettings = _STEPS,
) -> CardState | None:
    """The card's current scheduling as a CardState (None for new cards; a suspended or buried new
    card is new and suspended or buried), always one the store accepts. `crt` is the collection's
    creation time (its day numbers counted in UTC) or its `AnkiDays`; `left` and `mod` are the
    card's `cards.left` and `cards.mod` (a buried card is buried until the day after `mod`'s);
    `settings`, the steps its deck's preset has, which `left` counts against."""
    days = _days(crt)
    buried = _buried_until(card, days, mod)
    if card.type == 0:
        if card.queue == -1:
            return CardState(suspended=True)
        return CardState(buried_until=buried) if buried else None
    s, d = _memory(card.data)
    due = _when(_due_s(card, days)) or now_fallback  # a day number, or a due out of range
    state = REVIEW if card.type == 2 else LEARNING if card.type == 1 else RELEARNING
    if state == REVIEW and last is not None and last.state == REVIEW and last.due is not None:
        due = _same_day(due, last.due, days.start(card.home_due + 1))
    if s is None or d is None:
        if last is not None and last.stability is not None and last.difficulty is not None:
            s, d = s or last.stability, d or last.difficulty  # the replayed log
        else:
            sm_s, sm_d = sm2_memory(card.factor, card.ivl)
            s, d = s or sm_s, d or sm_d
    s, d = _clean(s, d)
    return CardState(
        state=state,
        step=learning_step(state, left, settings),
        stability=s,
        difficulty=d,
        due=due,
        last_review=last.last_review if last and last.last_review else _days_before(due, card.ivl),
        reps=max(card.reps, 0),
        lapses=max(card.lapses, 0),
        suspended=card.queue == -1,
        buried_until=buried,
    )


def _buried_until(card: AnkiCard, days: AnkiDays, mod: int) -> str | None:
    """A buried card's (Anki's queue -2 or -3) `buried_until`: the study day after the one it was
    buried on (its last change, `mod`), as Anki lifts buries at the next day; None when the card is
    not buried or its change time is unknown."""
    at = _when(mod) if card.queue in (-2, -3) and mod > 0 else None
    if at is None:
        return None
    try:
        return (StudyDay(days.rollover_hour, days.tz).of(at) + timedelta(days=1)).isoformat()
    except (OverflowError, ValueError):
        return None


def _step_due(at: datetime, ivl: int, span: timedelta, study: StudyDay) -> datetime:
    """A (re)learning step of a day or more taken at `at`: due from the start of the study day it
    ends on, as retain's own (`Scheduler.day_step_due`) and Anki's interday steps are. A positive
    `ivl` is Anki's count of study days (its `maybe_as_days`: a step that passes the rollover is
    logged in days); a negative one (older Anki) the step's seconds."""
    try:
        start = study.of(at)
        return study.start_of(start + timedelta(days=ivl) if ivl > 0 else study.of(at + span))
    except (OverflowError, ValueError):  # a study day at the calendar's end: the step's own time
        return at + span


def _card_events(
    key: str,
    log: list[Row],
    memory: list[tuple[float, float]],
    card: AnkiCard,
    days: AnkiDays,
    extra: Extra,
    forgets: Sequence[int] = (),
    study: StudyDay | None = None,
    forget_ivls: Mapping[int, int] | None = None,
    moved: Sequence[Moved] = (),
    steps: Mapping[int, int] | None = None,
    settings: StudySettings = _STEPS,
) -> list[Review]:
    """One card's rows as events; the store checks each state when it records them. A "Forget"
    (`forgets`, revlog ids) after a review is a "reset" back to new, and the card learns from new
    after it; a "Set due date" (`moved`, `_is_moved`) is a reschedule (`_moved`); the card's real
    state ends the events (a new card's: new, or set aside).

    A row's interval in days is a graduation (or a review) unless the card's next row is a
    learning row after a learning row, or a relearning row after a lapse or a relearning row:
    Anki logs a (re)learning step that ends past the day's rollover in days (`10m` at 23:55, or
    `1d`), and the card stays in (re)learning, due from the start of the study day the step ends on
    (`_step_due`; `study`, the learner's study day), unless the next row's `lastIvl` says the step
    was one of seconds (`steps`, by revlog id: a `10m` step at 23:55): that one is due at its own
    time, as retain's scheduler keeps an intraday step past the rollover, so true retention leaves
    the next rating out, as Anki's does. The row just before a forget has no next row
    to say: the forget's `lastIvl` (`forget_ivls`, by revlog id) is the card's `ivl` when it was
    reset, which Anki keeps 0 while a card learns and, while it relearns, at the interval it goes
    back to review with: a learning row in days before a forget of `lastIvl` 0 left the card
    learning, a lapse or relearning row whose days are not the forget's `lastIvl` relearning.

    A log that starts with a review row, not a learning one (trimmed, or a due date set by hand
    in Anki), starts from a card already learned: its first event's `before` is that card, with
    the memory estimated for it (`memory_from_log`), not new. So it is no card learned from new:
    the optimizer leaves it out, as Anki's does, and stats do not count it as added.
    """
    prev: CardState | None = None
    events: list[Review] = []
    cuts = sorted(forgets)
    sets = sorted(moved)
    study = study or StudyDay(days.rollover_hour, days.tz)

    def forget(rid: int) -> None:
        nonlocal prev
        if prev is not None:
            at = max(datetime.fromtimestamp(rid / 1000, UTC), events[-1].time + timedelta(milliseconds=1))
            events.append(Review(key, at, None, prev, "reset"))
        prev = None

    def move(row: Moved) -> None:
        nonlocal prev
        at = datetime.fromtimestamp(row[0] / 1000, UTC)
        if events and at <= events[-1].time:
            at = events[-1].time + timedelta(milliseconds=1)
        after = _moved(prev, at, row)
        events.append(Review(key, at, after, prev, "reset"))
        prev = after

    end = len(log) - 1
    for i, ((rid, ease, ivl, _factor, ms, typ), (stability, difficulty)) in enumerate(
        zip(log, memory, strict=True)
    ):
        while (cuts and cuts[0] < rid) or (sets and sets[0][0] < rid):
            if sets and (not cuts or sets[0][0] < cuts[0]):
                move(sets.pop(0))
            else:
                forget(cuts.pop(0))
        at = datetime.fromtimestamp(rid / 1000, UTC)
        if prev is None and typ != 0:  # (typ 0: a learning row; the card was new before it)
            kind = RELEARNING if typ == 2 else REVIEW
            prev = CardState(kind, 0 if kind == RELEARNING else None, stability, difficulty, at)
        span = _SPANS.get(ivl) or _span(ivl)
        if prev is None:
            state, reps, lapses = REVIEW if ivl > 0 else LEARNING, 1, 0
        else:
            was = prev.state
            state = REVIEW if ivl > 0 else RELEARNING if was in (REVIEW, RELEARNING) else LEARNING
            reps, lapses = prev.reps + 1, prev.lapses + (ease == 1 and was == REVIEW)
        relearns = typ == 2 or (ease == 1 and typ in (1, 3))
        # (a due date set before the forget decides the card's state, not the answer before it)
        forgot = bool(cuts) and (i == end or cuts[0] < log[i + 1][0]) and not (sets and sets[0][0] < cuts[0])
        own: int | None = None  # an intraday step Anki logged in days: its seconds
        if ivl > 0 and forgot:  # a step ending on a later study day, or a graduation: the forget says
            card_ivl = (forget_ivls or {}).get(cuts[0])
            if card_ivl is not None and typ == 0 and card_ivl == 0:
                state = LEARNING
            elif card_ivl is not None and relearns and card_ivl != ivl:
                state = RELEARNING
        elif ivl > 0 and i < end:  # the same, and the next row says
            nxt = log[i + 1]
            if nxt[5] == 0 and typ == 0:
                state = LEARNING
            elif nxt[5] == 2 and relearns:
                state = RELEARNING
            own = (steps or {}).get(nxt[0]) if state != REVIEW else None
        if own is not None:
            due = at + timedelta(seconds=own)
        else:
            due = at + span if state == REVIEW or span < _DAY else _step_due(at, ivl, span, study)
        after = CardState(state, None if state == REVIEW else 0, stability, difficulty, due, at, reps, lapses)
        events.append(Review(key, at, after, prev, "review", ease, ms if 0 <= ms <= _MAX_MS else _ms(ms)))
        prev = after
    rest: list[tuple[int, Moved | None]] = sorted(
        [*((c, None) for c in cuts), *((m[0], m) for m in sets)], key=_FIRST
    )
    for n, (rid, row) in enumerate(rest):
        if row is not None:
            move(row)
        elif (n == len(rest) - 1 or rest[n + 1][1] is not None) and (
            card.type == 0 or any(later is not None for _rid, later in rest[n + 1 :])
        ):  # forgotten after its last review (the last forget of a run), and new since or moved since
            forget(rid)
    fallback = prev.due if prev and prev.due else datetime.now(UTC)
    # (else the log's)
    final = card_state(card, days, prev, fallback, *extra, settings) if card.sched_ok else None
    last = events[-1] if events else None
    if last is not None and last.after is None:  # new since its forget: new, or new and set aside
        if final is not None and final.is_new:
            events.append(_set_aside(key, final, days, extra, last))
    elif last is not None and final is not None and final.is_new:  # reviewed, then reset and set aside
        events.append(_set_aside(key, final, days, extra, last))
    elif last is not None and final is not None:  # the last answer or due date set: the card as it is
        events[-1] = replace(last, after=final)
    return events


def _moved(prev: CardState | None, at: datetime, row: Moved) -> CardState:
    """The card after a due date set by hand at `at` (`row`: Anki's manual row): a review card due
    `ivl` days after its last review, as Anki counts the interval it sets (the days since that
    review and the days ahead); its memory, reviews, lapses and last review as they were (no
    answer, no forget: a reschedule, as `retain optimize --reschedule` records one, and the
    export writes it back as this row). A new card (`prev` None) becomes a review card due `ivl`
    days on, with the memory its factor and interval give."""
    _rid, ivl, factor = row
    if prev is None:
        s, d = sm2_memory(factor, ivl)
        return CardState(REVIEW, None, s, d, at + timedelta(days=ivl), at)
    since = prev.last_review or at
    return replace(prev, state=REVIEW, step=None, due=since + timedelta(days=ivl))


def _set_aside(
    key: str, state: CardState, days: AnkiDays, extra: Extra, after: Review | None = None
) -> Review:
    """A new card's suspension or bury (`state`), at the card's last change (after its last review)."""
    at = _when(extra[1]) or _when(days.crt) or datetime.now(UTC)
    if after is not None and at <= after.time:
        at = after.time + timedelta(milliseconds=1)
    return Review(key, at, state, after.after if after else None, "suspend" if state.suspended else "bury")


def _leech(events: list[Review]) -> list[Review]:
    """A card's events, its last state marked leech (Anki's leech tag on its note)."""
    last = events[-1] if events else None
    if last is None or last.after is None:
        return events
    return [*events[:-1], replace(last, after=replace(last.after, leech=True))]


def _extras(db: AnkiDb) -> dict[int, Extra]:
    """Each card's `left` and `mod`; {} when the table cannot give them (they are only refinements)."""
    out: dict[int, Extra] = {}
    query = getattr(db, "query", None)  # a stand-in holding only the log has none
    if query is None:
        return out
    try:
        for cid, left, mod in query("SELECT id, left, mod FROM cards"):
            if all(isinstance(v, int) and not isinstance(v, bool) for v in (cid, left, mod)):
                out[cid] = (left, mod)
    except InteropError:
        return {}
    return out


def _forget_ivls(db: AnkiDb) -> dict[int, int]:
    """The `lastIvl` of each "Forget"/"Reset" row (manual, factor 0), by revlog id; {} when the
    table cannot give them (they only refine the state of the answer before a forget)."""
    out: dict[int, int] = {}
    query = getattr(db, "query", None)  # a stand-in holding only the log has none
    if query is None:
        return out
    try:
        for rid, last in query("SELECT id, lastIvl FROM revlog WHERE type = 4 AND factor = 0"):
            if all(isinstance(v, int) and not isinstance(v, bool) for v in (rid, last)):
                out[rid] = last
    except InteropError:
        return {}
    return out


def _intraday_steps(db: AnkiDb) -> dict[int, int]:
    """The seconds of each intraday (re)learning step Anki logged in days as it passed the
    rollover: by the revlog id of the answer after it, whose `lastIvl` is the step's seconds
    (minus) where the answer before logged days. {} when the table cannot give them (they only
    refine a step's due)."""
    out: dict[int, int] = {}
    query = getattr(db, "query", None)  # a stand-in holding only the log has none
    if query is None:
        return out
    sql = (
        "SELECT id, lastIvl FROM (SELECT id, lastIvl, lag(ivl) OVER (PARTITION BY cid ORDER BY id) AS ivl0"
        " FROM revlog) WHERE ivl0 > 0 AND lastIvl < 0 AND lastIvl > -86400"
    )
    try:
        for rid, last in query(sql):
            if all(isinstance(v, int) and not isinstance(v, bool) for v in (rid, last)):
                out[rid] = -last
    except InteropError:
        return {}
    return out


def _rows(
    db: AnkiDb, keys: Mapping[int, str]
) -> tuple[dict[int, array[int]], int, dict[int, list[int]], dict[int, list[Moved]]]:
    """Each card's review rows packed in an `array` of 64-bit ints, six a row (48 bytes; a tuple
    of them took ~200; `_unpacked` gives them back), how many were left out for dates out of
    range, the times (revlog ids) of each card's "Forget" rows (reset to new), and each card's
    "Set due date" rows (`_is_moved`), in time order."""
    rows: dict[int, array[int]] = {}
    forgets: dict[int, list[int]] = defaultdict(list)
    moved: dict[int, list[Moved]] = defaultdict(list)
    last_id: dict[int, int] = {}
    left_out = 0
    for rid, cid, ease, ivl, factor, ms, typ in db.revlog():  # in id order: a duplicate follows its row
        if cid not in keys or last_id.get(cid) == rid:  # a row twice (a revlog without its primary key)
            continue
        last_id[cid] = rid
        if typ == 4 and factor == 0:  # "Forget"/"Reset" (Anki's `is_reset`): the card starts over
            if rid > 0 and _when(rid // 1000) is not None:
                forgets[cid].append(rid)
        elif _is_moved(ease, factor, typ):
            if ivl >= 0 and _in_range(rid, ivl) and -_INT64 <= factor < _INT64:
                moved[cid].append((rid, ivl, factor))
            else:
                left_out += 1
        elif not (1 <= ease <= 4 and typ in (0, 1, 2, 3)) or (typ == 3 and factor == 0):
            continue  # no review: crammed (a filtered deck that does not reschedule), or no rating
        elif _in_range(rid, ivl) and all(-_INT64 <= v < _INT64 for v in (factor, ms)):
            log = rows.get(cid)
            if log is None:
                log = rows[cid] = array("q")
            log.extend((rid, ease, ivl, factor, ms, typ))
        else:
            left_out += 1
    return rows, left_out, dict(forgets), dict(moved)


def _is_moved(ease: int, factor: int, typ: int) -> bool:
    """A row that moves the card's due date without an answer: Anki's "Set due date" (manual, the
    card's factor kept: a factor of 0 is a "Forget") or an FSRS reschedule (type 5, "Rescheduled")."""
    return ease == 0 and ((typ == 4 and factor != 0) or typ == 5)


def _unpacked(packed: array[int]) -> list[Row]:
    """A card's rows from `_rows`, in time order."""
    it = iter(packed)
    rows: list[Row] = list(zip(it, it, it, it, it, it, strict=True))
    return rows if all(a <= b for a, b in pairwise(rows)) else sorted(rows)


def _with_resets(log: list[Row], known: Sequence[int]) -> list[int]:
    """A card's forgets (`known`), plus a reset with no row before a learning row that follows a
    review row (older Anki reset cards without logging it; Anki's optimizer starts the card there)."""
    cuts = [
        b[0] - 1
        for a, b in pairwise(log)
        if b[5] == 0 and a[5] != 0 and b[0] - 1 > a[0] and not any(a[0] < f < b[0] for f in known)
    ]
    return sorted({*known, *cuts}) if cuts else list(known)


def _segments(log: list[Row], forgets: Sequence[int]) -> list[list[Row]]:
    """A card's rows cut at its forgets: the rows before the first, between, after the last."""
    out: list[list[Row]] = [[]]
    cuts = sorted(forgets)
    for row in log:
        while cuts and cuts[0] < row[0]:
            cuts.pop(0)
            out.append([])
        out[-1].append(row)
    return out


def _left_out(rows: int, dues: int, states: int = 0, not_numbers: bool = False) -> list[str]:
    """The one warning line for what the history leaves out, if anything."""
    parts = [f"{rows} review-log row(s)"] if rows else []
    parts += [f"{dues} card due date(s)"] if dues else []
    parts += [f"{states} card state(s)"] if states else []
    if not parts:
        return []
    why = "out of range or not numbers" if not_numbers else "out of range"
    return [f"review history: {' and '.join(parts)} left out: their dates or intervals are {why}"]


def _unit_keys(cards: Sequence[AnkiCard], notes: Mapping[int, tuple[str, Card]]) -> dict[int, str]:
    """Each Anki card's retain unit key, for the cards the import keeps: a card of a note left out
    (Image Occlusion), of a template retain does not keep, or a cloze card whose number the
    imported text lacks (a nested cloze kept as text, an empty card Anki still holds) has none,
    and its log rows are left out with it: recorded, they were the history of a card no deck holds."""
    keys: dict[int, str] = {}
    units: dict[int, set[str]] = {}  # by note: its card's unit keys
    for c in cards:
        found = notes.get(c.nid)
        key = unit_key(found[0], found[1], c.ord) if found else None
        if key is None or found is None:
            continue
        held = units.get(c.nid)
        if held is None:
            held = units[c.nid] = set(card_unit_keys(*found))
        if key in held:
            keys[c.id] = key
    return keys


def anki_cards_kept(
    db: AnkiDb, cards: Sequence[AnkiCard], notes: Mapping[int, tuple[str, Card]]
) -> dict[str, KeptCard]:
    """What `DECK.anki.json` keeps of each Anki card an import with history keeps (by its unit
    key): its ease factor, review and lapse counts, its interval (a review or relearning card's),
    and the latest time an event made of its log can have (its newest row's id, a millisecond
    more per row: an event a row's time would repeat goes a millisecond after the one before it). A card with no factor and no counts (a
    new card's) is left out, and so is one whose scheduling columns are not numbers."""
    newest: dict[int, int] = {}
    sql = "SELECT CAST(cid AS INTEGER), max(CAST(id AS INTEGER)), count(*) FROM revlog GROUP BY 1"
    for cid, rid, rows in db.query(sql):
        if isinstance(cid, int) and isinstance(rid, int) and isinstance(rows, int):
            newest[cid] = min(MAX_MS, max(0, rid) + rows)
    keys = _unit_keys(list(cards), notes)
    logged: dict[str, int] = {}  # (a package can hold two rows of `cards` for one unit: both logs count)
    for cid, key in keys.items():
        logged[key] = max(logged.get(key, 0), newest.get(cid, 0))
    by_id = {c.id: c for c in cards}
    out: dict[str, KeptCard] = {}
    for cid, key in keys.items():
        card = by_id[cid]
        factor = sane_factor(card.factor)
        reps, lapses = min(max(card.reps, 0), MAX_COUNT), min(max(card.lapses, 0), MAX_COUNT)
        ivl = sane_ivl(card.ivl) if card.type in (2, 3) else 0  # (a review or relearning card's)
        if key not in out and card.sched_ok and (factor or reps or lapses):
            out[key] = KeptCard(factor, reps, lapses, logged[key], ivl)
    return out


def card_reviews(
    db: AnkiDb,
    cards: list[AnkiCard],
    notes: Mapping[int, tuple[str, Card]],
    warnings: list[str],
    rollover_hour: int = DEFAULT_ROLLOVER_HOUR,
    leeches: Set[int] = frozenset(),
) -> list[Review]:
    """The review log as events, oldest first; what is left out is counted in one line of
    `warnings` (see `card_history`, which makes them a group of cards at a time)."""
    history = card_history(db, cards, notes, [], rollover_hour, leeches)
    out = list(history)
    warnings += history.warnings()
    return out


def card_history(
    db: AnkiDb,
    cards: list[AnkiCard],
    notes: Mapping[int, tuple[str, Card]],
    warnings: list[str],
    rollover_hour: int = DEFAULT_ROLLOVER_HOUR,
    leeches: Set[int] = frozenset(),
    deck_steps: Mapping[int, StudySettings] | None = None,
) -> AnkiHistory:
    """The review log as events, made a group of cards at a time when they are recorded (an Anki
    log of a million rows held all of its events at once: ~850 bytes each, 1.1 GB); what is left
    out is counted in one line of `warnings`, now.

    A review card's due day starts at `rollover_hour` (the learner's) of its date. The cards of the
    notes in `leeches` (Anki's leech tag) end marked leech: their last event's state is. A
    (re)learning card's step is read against its deck's steps in `deck_steps` (by Anki deck id;
    `deck_options.deck_steps`), retain's defaults for a deck without."""
    by_id = {c.id: c for c in cards}
    keys = _unit_keys(cards, notes)
    packed, left_out, forgets, moved = _rows(db, keys)
    logged = [*packed, *(cid for cid in moved if cid not in packed)]  # the cards with a log
    no_number = getattr(db, "left_out", {}).get("revlog", 0)  # rows the reader left out (a stand-in has none)
    bad_states = sum(1 for cid in keys if not by_id[cid].sched_ok)
    days = AnkiDays(db.crt, getattr(db, "creation_offset", None), local_timezone(), rollover_hour)
    extras = _extras(db)
    forget_ivls = _forget_ivls(db) if forgets else {}
    steps = _intraday_steps(db)
    study = StudyDay(rollover_hour, days.tz)
    bad_dues = sum(_bad_due(by_id[cid], days) for cid in logged)

    def make(cids: Sequence[int]) -> tuple[list[Review], int]:
        """The events of some cards (each card's in time order), and how many rows were left out."""
        logs = {cid: _unpacked(packed[cid]) if cid in packed else [] for cid in cids}
        cuts = {cid: _with_resets(log, forgets.get(cid, ())) for cid, log in logs.items()}
        # Each stretch between forgets is replayed from new (or from SM-2, when it starts mid-way).
        parts = {cid: [seg for seg in _segments(log, cuts[cid]) if seg] for cid, log in logs.items()}
        flat = iter(memory_from_log([seg for segs in parts.values() for seg in segs]))
        memories = {cid: [m for _ in segs for m in next(flat)] for cid, segs in parts.items()}
        out: list[Review] = []
        bad = 0
        for cid, log in logs.items():
            try:
                events = _card_events(
                    keys[cid],
                    log,
                    memories[cid],
                    by_id[cid],
                    days,
                    extras.get(cid, (0, 0)),
                    cuts[cid],
                    study,
                    forget_ivls,
                    moved.get(cid, ()),
                    steps,
                    (deck_steps or {}).get(by_id[cid].home_did, _STEPS),
                )
            except (OverflowError, OSError, ValueError):  # a value no check above foresaw: this card only
                bad += len(log) + len(moved.get(cid, ()))
                continue
            out += _leech(events) if by_id[cid].nid in leeches else events
        return out, bad

    aside: list[Review] = []
    for cid, key in keys.items():
        card = by_id[cid]
        if (
            cid not in packed
            and cid not in moved
            and card.sched_ok
            and card.type == 0
            and card.queue in (-1, -2, -3)
        ):
            extra = extras.get(cid, (0, 0))
            state = card_state(card, days, None, datetime.now(UTC), *extra)
            if state is not None:  # suspended, or buried with a known day
                event = _set_aside(key, state, days, extra)
                aside += _leech([event]) if card.nid in leeches else [event]
    # One unit per retain card: its Anki cards with a log (a package can hold two rows of `cards`
    # for one note and template) and its set-aside event; a group never splits a unit, so every
    # event of a card is compared and recorded together.
    units: dict[str, tuple[list[int], list[Review]]] = {}
    for cid in logged:
        units.setdefault(keys[cid], ([], []))[0].append(cid)
    for event in aside:
        units.setdefault(event.key, ([], []))[1].append(event)
    rows = sum(len(log) for log in packed.values()) // 6 + sum(len(sets) for sets in moved.values())
    history = AnkiHistory(make, [(key, *unit) for key, unit in units.items()], rows)
    history.counts = (left_out + no_number, bad_dues, bad_states, bool(no_number or bad_states))
    warnings += history.warnings()
    return history


_CHUNK_CARDS = 4096  # cards whose events are made at once (~25k events at 6 rows a card: ~20 MB)
_TIME = attrgetter("time")


class AnkiHistory(Sequence[Review]):
    """An Anki review log as retain events (`card_history`). `chunks` makes them a group of cards
    at a time, each group's in time order, for `import --with-history`: memory stays bounded
    however long the log. As a sequence it is every event, oldest first (made once, then kept)."""

    def __init__(
        self,
        make: Callable[[Sequence[int]], tuple[list[Review], int]],
        units: list[tuple[str, list[int], list[Review]]],
        rows: int,
        rename: Callable[[str], str] | None = None,
    ) -> None:
        self._make, self._units, self._rows, self._rename = make, units, rows, rename
        self._late = 0
        self._all: list[Review] | None = None
        self.counts: tuple[int, int, int, bool] = (0, 0, 0, False)  # `_left_out`'s, known when read

    def chunks(self) -> Iterator[list[Review]]:
        """Groups of about `_CHUNK_CARDS` cards, each card whole (all its Anki cards' events), in
        time order; across groups, as one sorted list, the same order whatever the group size."""
        self._late = 0
        group: list[tuple[str, list[int], list[Review]]] = []
        cards = 0
        for unit in self._units:
            group.append(unit)
            cards += max(len(unit[1]), 1)
            if cards >= _CHUNK_CARDS:
                yield self._group(group)
                group, cards = [], 0
        if group:
            yield self._group(group)

    def _group(self, units: list[tuple[str, list[int], list[Review]]]) -> list[Review]:
        cids = [cid for _key, unit_cids, _aside in units for cid in unit_cids]
        made, bad = self._make(cids) if cids else ([], 0)
        self._late += bad
        by_key: dict[str, list[Review]] = {}
        for event in made:  # (a card's events come together, in time order)
            by_key.setdefault(event.key, []).append(event)
        events = [e for key, _cids, aside in units for e in (*by_key.get(key, ()), *aside)]
        rename = self._rename
        if rename is not None:
            events = [r if (k := rename(r.key)) == r.key else replace(r, key=k) for r in events]
        events.sort(key=_TIME)
        return events

    def unit_keys(self) -> set[str]:
        rename = self._rename
        return {key if rename is None else rename(key) for key, _cids, _aside in self._units}

    def _aside(self) -> int:
        return sum(len(aside) for _key, _cids, aside in self._units)

    def estimate(self) -> int:
        return self._rows + self._aside()

    def size(self) -> str:
        aside = self._aside()
        return f"{self._rows} review-log row(s)" + (f" and {aside} set-aside card(s)" if aside else "")

    def late_left_out(self) -> int:
        return self._late

    def warnings(self) -> list[str]:
        """The one line for what the history leaves out, if anything (with the rows left out
        while the events were made, once they were)."""
        rows, dues, states, not_numbers = self.counts
        return _left_out(rows + self._late, dues, states, not_numbers)

    def renamed(self, rename: Callable[[str], str]) -> AnkiHistory:
        """The same history with each event's unit key passed through `rename`."""
        first = self._rename
        both = rename if first is None else (lambda key: rename(first(key)))
        copy = AnkiHistory(self._make, self._units, self._rows, both)
        copy.counts = self.counts
        return copy

    def _every(self) -> list[Review]:
        if self._all is None:
            out: list[Review] = []
            for chunk in self.chunks():  # (each group's in time order; sorted again as a whole,
                out += chunk  # stably: what sorting every card's events, in card order, gives)
            out.sort(key=_TIME)
            self._all = out
        return self._all

    def __bool__(self) -> bool:
        return bool(self._units)

    def __len__(self) -> int:
        return len(self._every())

    @overload
    def __getitem__(self, index: int) -> Review: ...
    @overload
    def __getitem__(self, index: slice) -> list[Review]: ...
    def __getitem__(self, index: int | slice) -> Review | list[Review]:
        return self._every()[index]

    def __iter__(self) -> Iterator[Review]:
        return iter(self._every())

    def __eq__(self, other: object) -> bool:  # (as the list of every event)
        if isinstance(other, AnkiHistory | list | tuple):
            return self._every() == list(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]  # (mutable cache; equal to a list)

    def __repr__(self) -> str:
        return f"AnkiHistory({self._every()!r})"
