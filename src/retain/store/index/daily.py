"""Per deck and study day aggregates of the counted ratings, kept in step with the events.

Statistics read these (a few thousand rows) instead of the events (hundreds of
thousands). After every feed, the (deck, day) pairs that gained events or
whose events were undone are counted again from `events`; after a file was
read again from the start or removed, and when the study day's definition
changed (rollover hour, time zone), every pair is.

The study day of each event is stored with it (`events.day`), computed with
the `StudyDay` named in `meta` under `studyday`; `restamp` recomputes it. The
days of each (re)learning step (`events.bdays`) depend on the decks' steps too
(`core.stats.StepRule`: after Hard on the first step, Anki logs the first
step, not Hard's longer wait), named in `meta` under `steps`; `restep_all`
recomputes them when they changed, so an index fed under other steps has the
figures of one built from scratch.
"""

from __future__ import annotations

import math
import sqlite3
from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, timedelta
from itertools import repeat
from operator import gt
from typing import Any

from retain.core.stats import StepRule, at_a_rollover, first_step_after_hard, hard_on_first_step
from retain.core.studyday import StudyDay, rule_key

__all__ = [
    "COLUMNS",
    "RATED_ROWS",
    "UNDONE_ROWS",
    "Rated",
    "Tally",
    "add_sums",
    "logged_days",
    "recount_all",
    "recount_since",
    "restamp",
    "restep",
    "restep_all",
    "steps_key",
    "studyday_key",
    "tally",
    "write",
]

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_US = timedelta(microseconds=1)
_SLACK = timedelta(days=1)  # a margin around the day's range: `day` decides, the range only narrows
_YOUNG_DAYS = 21  # days: Anki's line between young and mature cards
_DAY_US = 86_400_000_000  # a step this long or longer is one of days, wherever it ends (Anki's -86400)
_LEARNING_STATES = (1, 3)  # core.state LEARNING, RELEARNING
_REVIEW_KIND = 0  # core.state.EVENT_KINDS.index("review")
_REVIEW_STATE = 2
# The `daily` columns after (deck, day), in table order (the table is made from this list); a tally
# is a list of this length: counted ratings, time spent (ms), ratings by the card's state before,
# by button, young (interval < 21 study days) and mature review cards passed and failed (a
# learning step of a day or more counts as young, as in Anki's true retention: `logged_days`), the
# buttons by card type (l: learning, y: young, m: mature), ratings by local hour (h) and of them not
# Again (p).
COLUMNS = (
    "reviews ms new learning review relearning again hard good easy"
    " young_pass young_fail mature_pass mature_fail l1 l2 l3 l4 y1 y2 y3 y4 m1 m2 m3 m4 "
    + " ".join(f"h{h}" for h in range(24))
    + " "
    + " ".join(f"p{h}" for h in range(24))
).split()
_WIDTH = len(COLUMNS)
# where each group of columns starts (ratings 1-4 are added to _AGAIN - 1, _LEARN - 1, ...)
_STATE0, _AGAIN, _YP, _LEARN, _YOUNG, _MATURE, _HOUR0, _PASS0 = 2, 6, 10, 14, 18, 22, 26, 50
_INSERT = f"INSERT INTO daily VALUES (?, ?, {', '.join('?' * _WIDTH)})"
_RATED = "SELECT deck, day, bstate, bdays, rating, hour, ms FROM events WHERE kind = 0 AND undone = {}"
RATED_ROWS = _RATED.format(0)  # what `daily` counts
UNDONE_ROWS = _RATED.format(1)  # ratings taken back
Tally = dict[tuple[str, int], list[int]]
Rated = tuple[str, int, int | None, int | None, int, int, int]  # deck, day, bstate, bdays, rating, hour, ms


_MATURE_CLASS = -2  # a review card at 21 days or more (not a state: states are 0-3)
# Added to a learning (1) or relearning (3) state whose step was one of days (`bdays` >= 1, see
# `logged_days`): its rating counts in the retention figures as a young card's, as Anki's true
# retention counts a revlog row whose last interval is a day or more; its buttons stay learning ones.
_DAY_STEP = 10


def logged_days(
    bstates: Sequence[int | None],
    blasts: Sequence[int | None],
    bdues: Sequence[int | None],
    gaps: Sequence[int | None],
    times: Sequence[int],
    days: Sequence[int],
    day: StudyDay,
) -> list[int | None]:
    """`events.bdays` of each row: `gaps`, the study days from its last review (`blasts`,
    microseconds) to its due date (`bdues`), except for a learning or relearning step, whose
    days are as Anki logs the step at the rating (`times`, on study days `days`: `step_days`).
    A `10m` step set at 03:50 and rated at 12:00 ends on a later study day but is 0: its rating
    stays out of true retention, as in Anki."""
    out = list(gaps)
    ends: dict[int, int | None] = {}  # a study day's end (the next one's start), microseconds
    for i, b in enumerate(bstates):
        gap = out[i]
        if b in _LEARNING_STATES and gap is not None:
            d = days[i]
            if d not in ends:
                ends[d] = _day_end(d, day)
            out[i] = step_days(times[i], ends[d], blasts[i], bdues[i], gap, day)  # type: ignore[arg-type]
    return out


def step_days(
    t: int,
    end: int | None,
    blast: int,
    bdue: int,
    gap: int,
    day: StudyDay,
    steps: tuple[timedelta, ...] = (),
) -> int:
    """The days Anki logs for a (re)learning step from `blast` to `bdue` rated at `t` (its study
    day ends at `end`; microseconds), the step ending `gap` study days on: at least 1 when the
    rating counts in true retention (`core.stats.learning_counts`, the rule: checked here on the
    numbers first, asked only of a step past a rollover that is no longer than the rest of the
    rating's day, or of a wait Hard on the first of the deck's `steps` may have set), else at
    most 0, whatever rollover the step passed."""
    if steps:
        first = _first_after_hard(blast, bdue, gap, steps, day)
        if first is not None:  # the first step's length, shorter than a day
            return max(gap, 1) if end is not None and first >= end - t else min(gap, 0)
    step = bdue - blast
    if step >= _DAY_US or (end is not None and step >= end - t):
        return max(gap, 1)
    if gap >= 1 and end is not None and at_a_rollover(_EPOCH + timedelta(microseconds=bdue), day):
        return gap
    return min(gap, 0)


_SECOND_US = 1_000_000
_HOUR2 = 7_200_000_000  # microseconds: a DST change's hour, and more
_WAITS: dict[tuple[timedelta, ...], tuple[int, int] | None] = {}  # `_wait_us` by steps (a few distinct)


def _wait_us(steps: tuple[timedelta, ...]) -> tuple[int, int] | None:
    """`core.stats.hard_on_first_step` in microseconds (first step, Hard's wait), kept per steps."""
    if steps not in _WAITS:
        found = hard_on_first_step(steps)
        if len(_WAITS) > 256:
            _WAITS.clear()
        _WAITS[steps] = None if found is None else (found[0] // _US, found[1] // _US)
    return _WAITS[steps]


def _first_after_hard(
    blast: int, bdue: int, gap: int, steps: tuple[timedelta, ...], day: StudyDay
) -> int | None:
    """`core.stats.first_step_after_hard` in microseconds (None: not such a wait), asked only of a
    step whose length or study days (`gap`) can be Hard's wait."""
    found = _wait_us(steps)
    if found is None:
        return None
    _first, hard = found
    if hard < _DAY_US:
        if abs(bdue - blast - hard) > _SECOND_US:
            return None
    elif abs(gap - hard / _DAY_US) > 0.5:  # (a wait of days is due from the start of a study day)
        return None
    last, due = (_EPOCH + timedelta(microseconds=us) for us in (blast, bdue))
    first = first_step_after_hard(last, due, steps, day)
    return None if first is None else first // _US


def _candidates(steps: StepRule) -> str:
    """An SQL condition on `events` that holds for every (re)learning row whose state may be a
    wait Hard on the first step set under `steps` (`restep` asks the rule of those only); ""
    when no deck's steps have such a wait."""
    waits: set[int] = set()
    for own in (steps.default, *(s for _deck, s in steps.decks)):
        for kind in _LEARNING_STATES:
            found = _wait_us(own.of(kind))
            if found is not None:
                waits.add(found[1])
    parts = []
    for hard in sorted(waits):
        if hard < _DAY_US:
            parts.append(f"(bdue - blast) BETWEEN {hard - _SECOND_US} AND {hard + _SECOND_US}")
        else:  # due from the start of the study day that many days on: within a day (and an hour) of it
            low, high = math.floor(hard / _DAY_US - 0.5), math.ceil(hard / _DAY_US + 0.5)
            parts.append(
                f"(bdue - blast) BETWEEN {(low - 1) * _DAY_US - _HOUR2} AND {high * _DAY_US + _HOUR2}"
            )
    return " OR ".join(parts)


def restep(db: sqlite3.Connection, first_rowid: int, day: StudyDay, steps: StepRule, sums: Tally) -> None:
    """Give the (re)learning ratings from `first_rowid` on the days their decks' `steps` say
    (`step_days`), and move their ratings in `sums` (the batches' daily sums) to match.

    A batch's rows are derived without the decks' steps (in worker processes on a cold build);
    they only change the rows whose wait may be Hard's on the first step (`_candidates`), few,
    found by one pass over the new rows."""
    where = _candidates(steps)
    if not where:
        return
    rows = db.execute(
        "SELECT rowid, deck, day, t, blast, bdue, bstate, bdays, kind, rating, hour, ms FROM events NOT INDEXED"
        f" WHERE rowid >= ? AND bstate IN {_LEARNING_STATES} AND bdays IS NOT NULL AND ({where})",
        (first_rowid,),
    ).fetchall()
    ends: dict[int, int | None] = {}
    for rowid, deck, d, t, blast, bdue, bstate, bdays, kind, rating, hour, ms in rows:
        own = steps.for_deck(deck).of(bstate)
        if not own:
            continue
        try:
            gap = (
                day.of(_EPOCH + timedelta(microseconds=bdue)) - day.of(_EPOCH + timedelta(microseconds=blast))
            ).days
        except (OverflowError, ValueError):  # (a date at the calendar's edge: left as derived)
            continue
        if d not in ends:
            ends[d] = _day_end(d, day)
        days = step_days(t, ends[d], blast, bdue, gap, day, own)
        if days == bdays:
            continue
        db.execute("UPDATE events SET bdays = ? WHERE rowid = ?", (days, rowid))
        if kind == _REVIEW_KIND:
            tally([(deck, d, bstate, bdays, rating, hour, ms)], sums, sign=-1)
            tally([(deck, d, bstate, days, rating, hour, ms)], sums)


def _day_end(ordinal: int, day: StudyDay) -> int | None:
    """When study day `ordinal` ends (microseconds); None at the calendar's end."""
    try:
        return (day.start_of(date.fromordinal(ordinal + 1)) - _EPOCH) // _US
    except (OverflowError, ValueError):
        return None


def tally_columns(
    decks: Sequence[str],
    days: Sequence[int],
    bstates: Sequence[int | None],
    bdays: Sequence[int | None],
    ratings: Sequence[int],
    hours: Sequence[int],
    ms: Sequence[int],
    into: Tally | None = None,
    sign: int = 1,
) -> Tally:
    """Add (`sign` 1) or take away (-1) ratings, given column by column, to per (deck, day)
    sums in `COLUMNS` order: the one definition of what `daily` holds.

    The ratings (kind review, not undone) are counted by their few distinct (pair, class,
    rating) and (pair, hour, passed) values first, so the Python work is per value, not per rating.
    """
    out: Tally = {} if into is None else into
    pairs = list(zip(decks, days, strict=True))
    # each distinct pair as a small int: the counting below then hashes ints, not nested tuples
    distinct = list(dict.fromkeys(pairs))
    number = {pair: i for i, pair in enumerate(distinct)}
    ids = list(map(number.__getitem__, pairs))
    rows = [out.setdefault(pair, [0] * _WIDTH) for pair in distinct]
    classes = [  # the interval before, in study days (`bdays`), as Anki's revlog has it
        (_MATURE_CLASS if (d or 0) >= _YOUNG_DAYS else _REVIEW_STATE)
        if b == _REVIEW_STATE
        else b + _DAY_STEP
        if (b == 1 or b == 3) and d is not None and d >= 1
        else (b or 0)
        for b, d in zip(bstates, bdays, strict=True)
    ]
    spent = [0] * len(distinct)
    for i, m in zip(ids, ms, strict=True):
        spent[i] += m
    for v, m in zip(rows, spent, strict=True):
        v[1] += sign * m
    for (i, cls, rating), n in Counter(zip(ids, classes, ratings, strict=True)).items():
        v, n = rows[i], sign * n
        b = _REVIEW_STATE if cls == _MATURE_CLASS else cls - _DAY_STEP if cls >= _DAY_STEP else cls
        v[0] += n
        if 0 <= b <= 3:
            v[_STATE0 + b] += n
        if 1 <= rating <= 4:
            v[_AGAIN + rating - 1] += n
            if b == _REVIEW_STATE:
                mature = cls == _MATURE_CLASS
                v[_YP + 2 * mature + (rating == 1)] += n
                v[(_MATURE if mature else _YOUNG) + rating - 1] += n
            else:
                v[_LEARN + rating - 1] += n
                if cls >= _DAY_STEP:
                    v[_YP + (rating == 1)] += n  # young_pass / young_fail
    for (i, hour, passed), n in Counter(zip(ids, hours, map(gt, ratings, repeat(1)), strict=True)).items():
        rows[i][_HOUR0 + hour] += sign * n
        if passed:
            rows[i][_PASS0 + hour] += sign * n
    return out


def tally(rows: Iterable[Rated], into: Tally | None = None, sign: int = 1) -> Tally:
    """`tally_columns` of rows (deck, day, bstate, bdays, rating, hour, ms), e.g. from `RATED_ROWS`."""
    cols: list[Sequence[Any]] = list(zip(*rows, strict=True))
    if not cols:
        return {} if into is None else into
    decks, days, bstates, bdays, ratings, hours, ms = cols
    return tally_columns(decks, days, bstates, bdays, ratings, hours, ms, into, sign)


def write(db: sqlite3.Connection, sums: Tally) -> None:
    """Store `sums` as `daily` rows (each pair's row replaced; pairs with no rating left out)."""
    db.executemany("DELETE FROM daily WHERE deck = ? AND day = ?", list(sums))
    db.executemany(_INSERT, [(deck, day, *v) for (deck, day), v in sums.items() if v[0]])


def add_sums(db: sqlite3.Connection, sums: Tally) -> None:
    """Add `sums` (the ratings of rows just appended, none of them undone and none an undo) to
    their pairs' `daily` rows: what `recount_since` would count, without reading the rows back."""
    out: Tally = {}
    for (deck, day), more in sums.items():
        row = db.execute("SELECT * FROM daily WHERE deck = ? AND day = ?", (deck, day)).fetchone()
        out[deck, day] = list(more) if row is None else [a + b for a, b in zip(row[2:], more, strict=True)]
    write(db, out)


def studyday_key(day: StudyDay) -> str:
    """A name for the study-day rule (`core.studyday.rule_key`), kept in `meta` under `studyday`."""
    return rule_key(day)


def steps_key(steps: StepRule | None) -> str:
    """What of the decks' steps decides the days of a step (`StepRule.key`; "" for none), kept in
    `meta` under `steps`."""
    return steps.key() if steps is not None else ""


def restep_all(db: sqlite3.Connection, day: StudyDay, steps: StepRule | None) -> None:
    """Recompute the days of every (re)learning step under `steps` (the decks' steps changed; the
    study days did not), and the sums: only the (re)learning rows are asked (`step_days`)."""
    ends: dict[int, int | None] = {}

    def step(t: int, ordinal: int, blast: int, bdue: int, bdays: int, deck: str, bstate: int) -> int:
        try:
            gap = (
                day.of(_EPOCH + timedelta(microseconds=bdue)) - day.of(_EPOCH + timedelta(microseconds=blast))
            ).days
        except (OverflowError, ValueError):  # (a date at the calendar's edge: left as derived)
            return bdays
        if ordinal not in ends:
            ends[ordinal] = _day_end(ordinal, day)
        own = steps.for_deck(deck).of(bstate) if steps is not None else ()
        return step_days(t, ends[ordinal], blast, bdue, gap, day, own)

    db.create_function("retain_restep", 7, step, deterministic=True)
    db.execute(
        "UPDATE events SET bdays = retain_restep(t, day, blast, bdue, bdays, deck, bstate)"
        f" WHERE bstate IN {_LEARNING_STATES} AND bdays IS NOT NULL"
    )
    recount_all(db)


def recount_all(db: sqlite3.Connection) -> None:
    db.execute("DELETE FROM daily")
    write(db, tally(db.execute(RATED_ROWS)))


def recount_since(
    db: sqlite3.Connection, first_rowid: int, undone: list[tuple[str, int]], day: StudyDay
) -> None:
    """Recount the pairs touched by the rows from `first_rowid` on, and the `undone` pairs."""
    # NOT INDEXED: walk the new rows by rowid (the planner would rather scan a whole index).
    new = db.execute("SELECT deck, day FROM events NOT INDEXED WHERE rowid >= ?", (first_rowid,))
    pairs = set(new.fetchall()) | set(undone)
    sums: Tally = {pair: [0] * _WIDTH for pair in pairs}  # a pair whose every rating was undone loses its row
    days = sorted({d for _deck, d in pairs})
    spans: list[tuple[int, int, str | None]]
    if len(pairs) > 16 and days[-1] - days[0] < 4 * len(days):  # many pairs close together: one range
        spans = [(days[0], days[-1], None)]
    else:
        spans = [(d, d, deck) for deck, d in pairs]
    for first, last, deck in spans:
        # the study days' time range finds the rows through the time index (no index on deck, day)
        begin = day.start_of(date.fromordinal(first)) - _SLACK
        end = day.start_of(date.fromordinal(last + 1)) + _SLACK
        rows = db.execute(
            f"{RATED_ROWS} AND t >= ? AND t < ? AND day >= ? AND day <= ?"
            + (" AND deck = ?" if deck is not None else ""),
            (
                (begin - _EPOCH) // _US,
                (end - _EPOCH) // _US,
                first,
                last,
                *([deck] if deck is not None else []),
            ),
        )
        tally(rows, sums)  # a range also recounts pairs nothing touched: the same sums again
    write(db, sums)


def restamp(db: sqlite3.Connection, day: StudyDay, steps: StepRule | None = None) -> None:
    """Recompute every event's study day and local hour under `day`, and the days of its step
    before under `steps` (the rollover hour, the zone or the decks' steps changed)."""

    def of(t: int) -> int:
        return day.of(_EPOCH + timedelta(microseconds=t)).toordinal()

    def hour(t: int) -> int:
        return (_EPOCH + timedelta(microseconds=t)).astimezone(day.tz).hour

    def step(t: int, ordinal: int, blast: int, bdue: int, gap: int, deck: str, bstate: int) -> int:
        own = steps.for_deck(deck).of(bstate) if steps is not None else ()
        return step_days(t, _day_end(ordinal, day), blast, bdue, gap, day, own)

    db.create_function("retain_day", 1, of, deterministic=True)
    db.create_function("retain_hour", 1, hour, deterministic=True)
    db.create_function("retain_step_days", 7, step, deterministic=True)
    db.execute(
        "UPDATE events SET day = retain_day(t), hour = retain_hour(t),"
        " bdays = CASE WHEN blast IS NULL OR bdue IS NULL THEN NULL"
        " ELSE retain_day(bdue) - retain_day(blast) END"
    )
    db.execute(  # (the days just set: `logged_days`)
        "UPDATE events SET bdays = retain_step_days(t, day, blast, bdue, bdays, deck, bstate)"
        f" WHERE bstate IN {_LEARNING_STATES} AND bdays IS NOT NULL"
    )
    recount_all(db)
