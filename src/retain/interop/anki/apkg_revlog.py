"""The review log of an Anki package as `apkg_write` writes it (`Revlog`), and the intervals and
ease factors Anki's cards and log rows hold (`card_ivl`, `anki_factor`).

Days are counted as Anki counts them (see `apkg_write`): a (re)learning step that ends on a later
study day is counted in study days, as Anki's `maybe_as_days` counts it (`step_days`); a review
card due at the start of a study day counts study days to it.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta

from retain.core.state import LEARNING, RELEARNING, REVIEW, CardState
from retain.core.stats import StepRule, learning_counts, step_length
from retain.core.studyday import StudyDay
from retain.interop.ankikeep import AnkiEase, AnkiIntervals
from retain.interop.bundle import Review

__all__ = ["Revlog", "anki_factor", "card_ivl", "step_days"]

_MAX_IVL = 36_500  # days: retain's longest interval


def step_days(due: datetime, at: datetime, day: StudyDay) -> int:
    """The study days from `at` to `due` (0 on the same study day), as Anki's `maybe_as_days`
    counts a (re)learning step: one that passes the rollover is in days, the days it passes."""
    try:
        return max(0, (day.of(due) - day.of(at)).days)
    except (OverflowError, ValueError):  # a date at the calendar's edge: the 24-hour count
        return max(0, (due - at) // timedelta(days=1))


def _revlog_ivl(state: CardState | None, at: datetime, day: StudyDay) -> int:
    """Anki's revlog interval of `state` counted from `at`: days when a day or more, else minus the
    seconds (a learning step); 0 for a new card. A (re)learning step that ends on a later study
    day is its study days (`step_days`; a `2d` step answered at 21:00, due 31 hours later at
    the start of its day, is 2), as Anki logs one."""
    if state is None or state.due is None:
        return 0
    secs = (state.due - at).total_seconds()
    if state.state != REVIEW:
        days = step_days(state.due, at, day)
        return days if days > 0 else -max(1, int(secs))
    if _day_start(state.due, day) and (days := step_days(state.due, at, day)) > 0:
        return days  # due on a study day, as Anki's day numbers give it: 24-hour rounding was a day off
    return round(secs / 86400) if secs >= 86400 else -max(1, int(secs))


def _day_start(moment: datetime, day: StudyDay) -> bool:
    """Whether `moment` is the start of its study day (a due date an Anki import set, or a
    "Set due date"), not a time of day an answer gave it."""
    try:
        return moment == day.start_of(day.of(moment))
    except (OverflowError, ValueError):
        return False


def _last_ivl(
    state: CardState | None, day: StudyDay, at: datetime | None = None, steps: tuple[timedelta, ...] = ()
) -> int:
    """Anki's `lastIvl`: the interval the card had before the answer (from its last review to its
    due), which Anki's graphs and true retention split young and mature reviews by; 0 when new.
    A (re)learning step answered at `at` is logged as Anki logs it then (`maybe_as_days` at the
    answer, `core.stats.learning_counts`): in days when it is a step of days or reaches the next
    rollover from `at`, else in seconds, whatever rollover it passed (a `10m` step set at 03:55
    and answered at 04:05 is -600: its answer is no review in Anki's true retention, nor in
    retain's); after Hard on the first of the deck's `steps`, the first step's length, as Anki
    logs it (`core.stats.step_length`). Without `at`, as the answer that set it logged it."""
    if state is None or state.due is None or state.last_review is None:
        return 0
    if state.state == REVIEW and state.due - state.last_review < timedelta(days=1):
        return 0  # a review card's interval is in days (one due the day it was last studied: 0)
    if at is not None and state.state in (LEARNING, RELEARNING):
        last, due = state.last_review, state.due
        if learning_counts(at, last, due, day, steps):
            return max(1, step_days(due, last, day))
        return -max(1, int(step_length(last, due, steps, day).total_seconds()))
    return _revlog_ivl(state, state.last_review, day)


def card_ivl(state: CardState | None, day: StudyDay) -> int:
    """Anki's `cards.ivl` for a card in `state`, which its "Reset" row logs as `lastIvl`: 0 for a
    new or learning card; a review card's interval; for a relearning card the interval it goes
    back to review with (FSRS's interval of its stability, at 90% retention the stability in days;
    a day more when that is the days of its step, so that it never reads as the step's own).
    So a reset row tells whether the card was still (re)learning when the answer before it was in
    days: a learning card's is 0, a relearning card's not the step's days (see `apkg_history`)."""
    if state is None or state.due is None or state.state not in (REVIEW, RELEARNING):
        return 0
    if state.state == RELEARNING:
        ivl = min(_MAX_IVL, max(1, round(state.stability or 1.0)))
        step = _last_ivl(state, day)
        return ivl + 1 if ivl == step else ivl
    return _last_ivl(state, day)


def anki_factor(state: CardState | None) -> int:
    """Anki's ease (permille) for a card in `state`, from its FSRS difficulty (as
    `apkg_write._sched` writes it): for a card Anki's import kept no factor of (`AnkiEase`)."""
    diff = (state.difficulty if state is not None else None) or 5.0
    return int(1300 + (10.0 - min(max(diff, 1.0), 10.0)) / 9.0 * 2200)


class Revlog:
    """The review log as Anki writes it, a deck's reviews at a time (`write`, then `finish`): per
    rating, the interval after it and the one before it (`lastIvl`), the ease after it (none while
    a new card learns) and the kind of answer (a review card answered on a study day before its
    due one is Anki's "Filtered" kind, a review ahead: `_ahead`); a card reset to new gets Anki's
    "Reset" row (manual, no rating, interval 0, the card's interval then as `lastIvl`:
    `card_ivl`), which Anki's card info lists and an import reads as the card starting over; a
    due date moved without an answer (`_rescheduled`: Anki's "Set due date", a reschedule)
    Anki's manual row with the card's interval after and before it and an ease factor (never 0:
    that is a "Reset"). A card imported from Anki with its history has its answers since logged
    with Anki's factor as SM-2 changes it (`ease`), and Anki's interval where its log and
    retain's first row since meet (`ankikeep.AnkiIntervals`)."""

    def __init__(
        self,
        db: sqlite3.Connection,
        cids: Mapping[str, int],
        day: StudyDay,
        ease: AnkiEase,
        steps: StepRule | None = None,
    ) -> None:
        self._db, self._cids, self._day, self._ease = db, cids, day, ease
        self._steps = steps or StepRule()  # the decks' steps (a learning step's `lastIvl`)
        self._used: set[int] = set()  # the row ids written (a millisecond each, made unique)
        self._logged: set[str] = set()  # the cards with a row written since they were last new
        self._anki = AnkiIntervals(ease)

    def write(self, reviews: Iterable[Review]) -> None:
        """The rows of `reviews` (of cards whose ids are in `cids` now), oldest first."""
        day, ease, anki, used, logged = self._day, self._ease, self._anki, self._used, self._logged
        for r in reviews:
            cid = self._cids.get(r.key)
            if cid is None:
                continue
            own = self._steps.for_deck(r.key.partition("/")[0]).of(r.before.state) if r.before else ()
            made = self._row(r, day, ease, anki, logged, own)
            if made is None:
                continue
            resched, row = made
            rid = int(r.time.timestamp() * 1000)
            while rid in used:
                rid += 1
            used.add(rid)
            self._db.execute("INSERT INTO revlog VALUES (?,?,?,?,?,?,?,?,?)", (rid, cid, -1, *row))
            anki.written(r, rid, resched)
            if row[5] == 4 and row[3] == 0:  # a "Reset" row (manual, factor 0): new again
                logged.discard(r.key)
            else:
                logged.add(r.key)

    @staticmethod
    def _row(
        r: Review,
        day: StudyDay,
        ease: AnkiEase,
        anki: AnkiIntervals,
        logged: set[str],
        steps: tuple[timedelta, ...] = (),
    ) -> tuple[bool, tuple[int, int, int, int, int, int]] | None:
        """(a due date set, not an answer or a forget; the row's ease, ivl, lastIvl, factor, time,
        type) of `r`; None: it gets no row."""
        if r.kind == "reset" and (r.after is None or r.after.is_new) and r.before is not None:
            # back to new: a forget, or progress moved off
            return False, (0, 0, anki.before(r, (REVIEW, RELEARNING)) or card_ivl(r.before, day), 0, 0, 4)
        if r.kind == "reset" and _rescheduled(r, r.key in logged):
            factor = ease.row_factor(r) or anki_factor(r.after)
            last = anki.before(r, (REVIEW, RELEARNING)) or card_ivl(r.before, day)
            return True, (0, max(0, card_ivl(r.after, day)), last, factor, 0, 4)
        if r.kind == "review" and 1 <= r.rating <= 4:
            before = r.before.state if r.before else 0
            typ = {REVIEW: 1, RELEARNING: 2}.get(before, 0)
            if typ == 1 and r.before is not None and _ahead(r.before, r.time, day):
                typ = 3
            ivl = _revlog_ivl(r.after, r.time, day)
            return False, (
                r.rating,
                ivl,
                anki.before(r, (REVIEW,)) or _last_ivl(r.before, day, r.time, steps),
                (ease.row_factor(r) or anki_factor(r.after)) if typ else 0,
                min(r.duration_ms, 60_000),
                typ,
            )
        return None

    def finish(self) -> None:
        """The due date Anki set last: the interval it set with it (`AnkiIntervals.last_moves`)."""
        for rid, ivl in self._anki.last_moves():
            self._db.execute("UPDATE revlog SET ivl = ? WHERE id = ?", (ivl, rid))


def _rescheduled(r: Review, logged: bool) -> bool:
    """A "reset" that only moved the card's due date (and maybe its memory): the card studied
    before and after it, with the same reviews, lapses and last review (`retain optimize
    --reschedule`, Anki's "Set due date" read back), or a new card given a due date before any
    answer, the first row of its log since it was new (`logged`: it has rows since). Not a move of
    progress between cards: its new half starts from no state of its own, after the rows the
    card had under its old key."""
    after, before = r.after, r.before
    if after is None or after.is_new:
        return False
    if before is None or before.is_new:
        return after.reps == 0 and not logged
    return (after.reps, after.lapses, after.last_review) == (before.reps, before.lapses, before.last_review)


def _ahead(before: CardState, at: datetime, day: StudyDay) -> bool:
    """A review card answered at `at` on a study day before the one it was due (Anki logs such an
    answer, in a filtered deck or a custom "review ahead", with the "Filtered" kind)."""
    if before.due is None:
        return False
    try:
        return day.of(at) < day.of(before.due)
    except (OverflowError, ValueError):  # a date at the calendar's edge: the times themselves
        return at < before.due
