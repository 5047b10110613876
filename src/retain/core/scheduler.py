"""FSRS adapter: previews of the four ratings over py-fsrs 6 `fsrs.Scheduler`.

The adapter converts between `CardState` (our stored, validated state) and
`fsrs.Card`. Things py-fsrs needs that are easy to get wrong are handled here:

- `fsrs.Card()` without a `card_id` sleeps 1 ms, so every card gets a stable
  integer id derived from its string key (`card_int_id`).
- py-fsrs accepts only datetimes in `datetime.UTC`; aware datetimes in any
  other zone are converted, naive ones are refused.
- A state that fails `validate_state` (NaN, infinite or negative stability,
  naive times, ...) is never passed to FSRS: it is scheduled as a new card,
  keeping its review counters and flags. So is one dated more than 200
  years ahead (`FUTURE_LIMIT`, the state store's own limit); any interval
  config.toml allows (up to 36500 days) stays well within it.
- A stability FSRS gives past the store's limit (1e6 days, `validate_state`) is
  kept at it: every preview is a state the store takes.
- A clock moved backwards (`now` earlier than the card's `last_review`) is
  treated as a review at `last_review`, so intervals are never negative.
- The deck's preset may carry its own 21 FSRS-6 weights (`StudySettings.parameters`);
  everything here (intervals, retrievability's decay) uses them.
- Fuzz is deterministic per card and review count (py-fsrs uses the global RNG):
  a preview recomputed later equals the one shown, and fuzz never makes a
  passing review (Good/Easy) of a card that was due (on its due study day or later, at any
  hour of it) shorter than the last interval (in study days): the floor is min(last
  interval, FSRS's unfuzzed interval), so a
  shorter interval FSRS itself asks for (a raised desired retention, newly
  fitted weights) is kept, and Hard <= Good <= Easy still holds.
- A review card's passing intervals are days apart, as Anki keeps them with FSRS (rslib
  `passing_fsrs_review_intervals`): Good at least a day past Hard, Easy a day past Good,
  after fuzz and the floor, never past the maximum interval (where they may be equal).
  py-fsrs alone can offer Hard and Good both "3d". A new or (re)learning card's Easy is a
  day past FSRS's Good interval (fuzzed as a review), within the maximum interval, whether
  Good graduates or stays on a learning step (Anki's `answer_easy`: Good "10m", Easy at
  least FSRS's Good interval + 1 day), and a day past the date Good itself stores (a step
  of days raised to FSRS's unfuzzed interval, or Good waiting for Hard's step), whatever
  the fuzz drew: Good "5d" never comes with Easy "5d".
- Given the learner's `StudyDay`, a button's label counts study days as the due date does
  ("3d": due on the study day three days on, also across a DST change).
- A learning or relearning step of a day or more never schedules a card
  sooner than FSRS's own interval for its new stability, and Hard <= Good <= Easy
  holds with such steps too (py-fsrs alone lets Easy graduate sooner than Good's step).
- Retrievability is computed from elapsed seconds (not whole days), for
  learning and relearning cards too.
- Given the learner's `StudyDay`, the days FSRS sees between two reviews are
  study days, as the optimizer counts them (and Anki): a review in the same
  study day gets the short-term stability, one in a later study day the
  long-term one with that many days elapsed, however few hours lie between.
  py-fsrs alone counts whole 24-hour periods.
"""

from __future__ import annotations

import hashlib
import math
import random
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, timedelta

import fsrs
from fsrs.scheduler import DEFAULT_PARAMETERS

from retain.core.clock import to_utc
from retain.core.settings import StudySettings
from retain.core.state import MAX_STABILITY, NEW, RELEARNING, REVIEW, CardState, StateError, validate_state
from retain.core.studyday import StudyDay

__all__ = [
    "FUTURE_LIMIT",
    "RATINGS",
    "Scheduler",
    "card_int_id",
    "days_label",
    "interval_label",
    "retrievability",
]

RATINGS: tuple[int, ...] = (1, 2, 3, 4)  # Again, Hard, Good, Easy
# The longest interval config.toml allows (`maximum_interval`, 1-36500 days). Dates further
# ahead than `FUTURE_LIMIT` are absurd: the state store refuses them (statecodec's ABSURD_AHEAD,
# the same 200 years), and a card holding one starts over. The limit must stay well above the
# longest interval, or a card early-reviewed before a long interval ends would lose its progress.
_MAX_INTERVAL_DAYS = 36500
FUTURE_LIMIT = timedelta(days=365 * 200)
_DAY = timedelta(days=1)


def card_int_id(key: str) -> int:
    """A stable positive 63-bit integer for a unit key (FSRS card ids are ints)."""
    return int.from_bytes(hashlib.blake2b(key.encode(), digest_size=8).digest(), "big") >> 1


def retrievability(
    state: CardState | None, now: datetime, parameters: Sequence[float] | None = None
) -> float:
    """Probability of recall at `now` (0.0 for new or unusable states), from elapsed seconds.

    The forgetting curve's decay is the preset's `parameters[20]` (FSRS's default without them).
    """
    if state is None or state.last_review is None or state.stability is None:
        return 0.0
    stability = state.stability
    if not math.isfinite(stability) or stability <= 0:
        return 0.0
    decay = -float((parameters or DEFAULT_PARAMETERS)[20])
    factor = 0.9 ** (1 / decay) - 1
    elapsed = max(0.0, (now - state.last_review).total_seconds() / 86400.0)
    return float((1 + factor * elapsed / stability) ** decay)


def _kept(stability: float | None) -> float | None:
    """A stability FSRS gave, within what a state may hold: a learning card imported with a huge
    stability (130,044 days) and no review grew past 1e6 on Hard, a state the store refuses."""
    return stability if stability is None or stability <= MAX_STABILITY else MAX_STABILITY


def fuzz_seed(key: str, reps: int) -> int:
    """The fuzz RNG's seed for a card's review number `reps` (same card, same count: same fuzz)."""
    return int.from_bytes(hashlib.blake2b(f"{key}#{reps}".encode(), digest_size=8).digest(), "big")


class _Fsrs(fsrs.Scheduler):
    """py-fsrs with fuzz drawn from a per-card RNG instead of the global one, each day of its
    range as likely (Anki's fuzz)."""

    rng: random.Random = random.Random(0)

    def _get_fuzzed_interval(self, *, interval: timedelta) -> timedelta:
        days = interval.days
        if days < 2.5:
            return interval
        delta = 1.0 + 0.15 * max(min(days, 7.0) - 2.5, 0.0)
        delta += 0.1 * max(min(days, 20.0) - 7.0, 0.0) + 0.05 * max(days - 20.0, 0.0)
        high = min(round(days + delta), self.maximum_interval)
        low = min(max(2, round(days - delta)), high)
        # floored, as Anki's `with_review_fuzz` (py-fsrs rounds: a day past `high` came up)
        fuzzed = min(low + int(self.rng.random() * (high - low + 1)), high)
        return timedelta(days=fuzzed)


class Scheduler:
    """FSRS scheduling with one deck's `StudySettings` (retention, steps, max interval, fuzz)."""

    def __init__(self, settings: StudySettings, day: StudyDay | None = None) -> None:
        """`day`: the learner's study days, which decide what FSRS counts as "same day" (without
        it, 24 hours, as py-fsrs counts)."""
        self.settings = settings
        self.day = day
        max_ivl = max(1, min(int(settings.maximum_interval), _MAX_INTERVAL_DAYS))
        self.max_interval = max_ivl
        self.parameters: tuple[float, ...] = tuple(settings.parameters or DEFAULT_PARAMETERS)
        self._fsrs = _Fsrs(
            parameters=self.parameters,
            desired_retention=settings.desired_retention,
            learning_steps=tuple(settings.learning_steps),
            relearning_steps=tuple(settings.relearning_steps),
            maximum_interval=max_ivl,
            enable_fuzzing=settings.fuzz,
        )

    def preview(self, key: str, state: CardState | None, now: datetime) -> dict[int, CardState]:
        """The state each rating 1..4 would lead to; reps and lapses updated, flags kept."""
        now = to_utc(now)
        base = _usable(state, now)
        at = now
        if base is not None and base.last_review is not None and base.last_review > now:
            at = base.last_review  # clock moved backwards: never a negative interval
        card = _to_fsrs(key, base, at, self._fsrs_last_review(base, at))
        reps = state.reps if state is not None else 0
        lapses = state.lapses if state is not None else 0
        flags = state if state is not None else CardState()
        was_review = base is not None and base.state == REVIEW
        out: dict[int, CardState] = {}
        for rating in RATINGS:
            self._fsrs.rng = random.Random(fuzz_seed(key, reps))
            result, _log = self._fsrs.review_card(card, fsrs.Rating(rating), review_datetime=at)
            out[rating] = CardState(
                state=int(result.state),
                step=result.step,
                stability=_kept(result.stability),
                difficulty=result.difficulty,
                due=self._due(base, rating, result, at),
                last_review=result.last_review,
                reps=reps + 1,
                lapses=lapses + (1 if was_review and rating == 1 else 0),
                suspended=flags.suspended,
                buried_until=flags.buried_until,
                leech=flags.leech,
            )
        # a review card's Hard, Good and Easy are days apart; a (re)learning card's Easy is a day
        # past FSRS's Good interval, also when Good is a step (Anki: `LearnState` /
        # `RelearnState::answer_easy`, minimum = fuzzed Good interval + 1), and a day past the
        # date Good itself stores: Good's step of days raised to FSRS's unfuzzed interval, or
        # Good waiting for Hard's step (`_in_order`), may be later than the fuzzed interval
        if was_review:
            out = self._apart(out, at)
        else:
            out = _in_order(out, self.max_interval, self.day, pairs=((2, 3),))
            out = self._apart(out, at, (3, 4), good_days=self._easy_floor(key, reps, out[3], at))
        return _in_order(out, self.max_interval, self.day)

    def _easy_floor(self, key: str, reps: int, good: CardState, at: datetime) -> int | None:
        """The days a (re)learning card's Easy must be past when Good stays on a step: FSRS's Good
        interval (`_good_days`, Anki's minimum), or Good's own due in days when later (a step of
        days raised to FSRS's unfuzzed interval, or moved to Hard's longer step): Easy is then a
        day past what Good's button shows, whatever fuzz drew. None without a Good interval."""
        fsrs_days = self._good_days(key, reps, good)
        if fsrs_days is None or good.due is None:
            return fsrs_days
        return max(fsrs_days, self._days_from(at, good.due))

    def _good_days(self, key: str, reps: int, good: CardState) -> int | None:
        """FSRS's interval for a (re)learning card's Good, in days, fuzzed as a review (the
        card's seed for review number `reps`) within the maximum: what Good stores when it
        graduates; when it takes a learning step, the interval Anki's `answer_easy` still
        keeps Easy a day past (`with_review_fuzz(states.good.interval)`). None for a Good
        without a stability (not given by py-fsrs)."""
        if good.stability is None:
            return None
        return self._fsrs_days(key, reps, good.stability)

    def _fsrs_days(self, key: str, seed_reps: int, stability: float) -> int:
        """FSRS's interval in days for `stability` (these weights, retention and maximum),
        fuzzed with the card's seed for review number `seed_reps` as py-fsrs fuzzes a review."""
        interval = timedelta(days=self._fsrs._next_interval(stability=stability))
        if self._fsrs.enable_fuzzing:
            self._fsrs.rng = random.Random(fuzz_seed(key, seed_reps))
            interval = self._fsrs._get_fuzzed_interval(interval=interval)
        return round(interval / _DAY)

    def _apart(
        self,
        out: dict[int, CardState],
        at: datetime,
        ratings: tuple[int, ...] = (2, 3, 4),
        good_days: int | None = None,
    ) -> dict[int, CardState]:
        """Passing ratings that are reviews, each at least a day past the one before (the first
        at least 1 day), never past the maximum interval: Anki's `constrain_passing_interval`
        with FSRS (rslib `scheduler/states/review.rs`) over a review card's Hard, Good and Easy;
        over a (re)learning card's Good and Easy (`ratings` (3, 4)), Anki's `answer_easy` of
        `LearnState` and `RelearnState`: Easy's minimum is FSRS's Good interval (fuzzed) + 1,
        also when Good stays on a learning step; `good_days` is that interval, or the days to
        Good's own due when later (`_easy_floor`).
        Applied to the fuzzed (and floored) intervals: one that is already past the lower one
        keeps its fuzz; one that is not is moved to the lower one's next day. At the maximum
        interval they may be equal, as in Anki. Otherwise nothing moves once a rating is not a
        review (a learning step: `_in_order` keeps those in order)."""
        least = 1
        for rating in ratings:
            card = out[rating]
            if card.state != REVIEW or card.due is None:
                if rating == 3 and good_days is not None:
                    least = good_days + 1  # Good's learning step: a day past FSRS's Good interval
                    continue
                return out
            days = self._days_from(at, card.due)
            if days < least and days < self.max_interval:
                days = min(least, self.max_interval)
                out[rating] = replace(card, due=self._in_days(at, days))
            least = days + 1
        return out

    def _days_from(self, at: datetime, due: datetime) -> int:
        """The interval from `at` to a review's `due`, in days (study days, given the `StudyDay`)."""
        if self.day is not None:
            return (self.day.of(due) - self.day.of(at)).days
        return round((due - at) / _DAY)

    def _was_due(self, due: datetime, at: datetime) -> bool:
        """Whether a review due at `due` was due at `at`: given the `StudyDay`, on its study day or
        later, at any hour of it (a review is due all its study day: Good at 09:00 and at 12:00 of
        that day give the same interval); without it, from the moment `due`."""
        if self.day is not None:
            return self.day.of(at) >= self.day.of(due)
        return at >= due

    def _in_days(self, at: datetime, days: int) -> datetime:
        """A review due `days` days after `at`, as `_due` dates one (the study day `days` on)."""
        if self.day is not None:
            return self.day.days_after(at, days)
        return at + timedelta(days=days)

    def _fsrs_last_review(self, base: CardState | None, at: datetime) -> datetime | None:
        """The last review as FSRS is to see it: whole study days before `at` (py-fsrs counts the
        days between as whole 24-hour periods), so same-day and elapsed days are study days."""
        last = base.last_review if base is not None else None
        if last is None or self.day is None:
            return last
        days = max(0, (self.day.of(at) - self.day.of(last)).days)
        return at - timedelta(days=days)

    def day_step_due(self, at: datetime, days: int) -> datetime:
        """A learning or relearning step of `days` days taken at `at`: due from the start of the
        study day `days` after `at`'s, all that day, as Anki's interday learning steps (a card
        rated Good at 21:00 on a `1d` step is due the next morning, not from 21:00)."""
        assert self.day is not None
        try:
            return self.day.start_of(self.day.of(at) + timedelta(days=days))
        except OverflowError:  # a study day at the calendar's end: the step's own time
            return at + timedelta(days=days)

    def label(self, now: datetime, state: CardState) -> str:
        """The wait until `state` is due, for a rating button. Given the `StudyDay`, a due on a
        later study day that is one by the study-day rule counts study days, as the due date
        does: a review (due all its study day, `StudyDay.days_after`) and a learning step of days
        (due from a study day's start, `day_step_due`). "3d" is due on the study day three days
        on, also across a DST change (a spring-forward moves a review to its study day's start,
        fewer than 3 x 24 hours on); "1d" at 21:00 for a step due the next morning. An intraday
        step that ends after the rollover keeps its hours and minutes ("<30m" at 03:40)."""
        due = state.due
        if due is None:
            return ""
        day = self.day
        if day is not None and due > now:
            days = (day.of(due) - day.of(now)).days
            if days > 0 and (state.state == REVIEW or _starts_study_day(day, due)):
                return days_label(days)
        return interval_label(now, due)

    def review_due(self, key: str, reps: int, last_review: datetime, stability: float) -> datetime:
        """When a review card is due whose last review, its `reps`-th, at `last_review` left it
        `stability`: FSRS's interval for that stability (these weights, retention and maximum),
        fuzzed as that review fuzzed it (the card's seed for the review count before it), on the
        study day that many days on, as `preview` dates it (a rescheduled card gets the due date
        its last review would have given it with these weights). The rules a rating applies on
        top (the floor of a passing review, `_apart`, `_in_order`) need the state it was rated
        in: a reschedule that leaves a card's memory as it was makes that review again through
        `preview` instead (`store.fsrs_presets._replayed_due`)."""
        at = to_utc(last_review)
        return self._in_days(at, self._fsrs_days(key, max(0, reps - 1), stability))

    def moved_apart(self, last_review: datetime, due: datetime, moved: datetime) -> bool:
        """Whether a review's `moved` due date may be its `due` (`review_due`) moved by the
        day-apart rule (`_apart`): Good a day past Hard's interval, Easy a day past Good's (so two
        past its own; a new or (re)learning card's Easy one past FSRS's Good interval, which the
        same fuzz never puts past Easy's own), on the study day that many days on, within the
        maximum interval.
        `review_due` cannot tell: it knows the stability the rating left, not the lower ratings'
        intervals at that review. A reschedule that leaves a card's memory as it was keeps such
        a due date when the journal does not hold that review to make it again (an imported
        state: `store.fsrs_presets._made_again`)."""
        at = to_utc(last_review)
        days, was = self._days_from(at, due), self._days_from(at, moved)
        return days < was <= min(days + 2, self.max_interval) and moved == self._in_days(at, was)

    @property
    def decay(self) -> float:
        """FSRS w20, the forgetting curve's decay of this scheduler's parameters (exam dates use it)."""
        return float(self._fsrs.parameters[20])

    def _due(self, base: CardState | None, rating: int, result: fsrs.Card, at: datetime) -> datetime:
        due: datetime = result.due
        if result.state != fsrs.State.Review:
            if due - at >= _DAY and result.stability is not None:  # never sooner than FSRS's interval
                ivl = self._fsrs._next_interval(stability=result.stability)
                due = max(due, at + timedelta(days=ivl))
            if self.day is not None and due - at >= _DAY:  # a step of days: due all its study day
                due = self.day_step_due(at, round((due - at) / _DAY))
            return due
        if (
            rating >= 3
            and base is not None
            and base.state == REVIEW
            and base.due is not None
            and base.last_review is not None
            and self._was_due(base.due, at)
        ):  # a passing review of a card that was due: fuzz and rounding never shorten its interval,
            # but FSRS's own one may be shorter (a raised retention, new weights): that one is kept
            last = min(self._days_from(base.last_review, base.due), self.max_interval)
            own = self._fsrs._next_interval(stability=result.stability) if result.stability else 1
            due = max(due, at + timedelta(days=min(last, own)))
        if self.day is not None and due - at >= _DAY:  # N days: on the study day N days on, also
            due = self.day.days_after(at, round((due - at) / _DAY))  # over a DST change
        return due

    def retrievability(self, state: CardState, now: datetime) -> float:
        """Probability of recall at `now` (0.0 for a new card), with the preset's decay."""
        now = to_utc(now)
        return retrievability(_usable(state, now), now, self.parameters)


def _in_order(
    out: dict[int, CardState],
    max_days: int,
    day: StudyDay | None = None,
    pairs: tuple[tuple[int, int], ...] = ((2, 3), (3, 4)),
) -> dict[int, CardState]:
    """Hard <= Good <= Easy: a rating never brings the card back sooner than a lower passing one
    (over `pairs`, lower rating first: Hard and Good alone before Easy is kept past Good).

    py-fsrs alone breaks it with steps of a day or more: Hard keeps a long step while Good
    graduates with a shorter FSRS interval, or Good moves on to a long step while Easy
    graduates (a high desired retention). The higher rating then waits as long as the lower,
    but a review card never past the maximum interval (`max_days`): the learner's maximum wins
    over the order (a learning step longer than it).

    A step of days (due from its study day's start, `Scheduler.day_step_due`) counts in study
    days: with steps `10m 1d` at 21:00, Hard's 12h05m step ends at 09:05 the next morning, on
    the study day Good's `1d` begins at 04:00; Good was moved to 09:05 ("12h", not "1d")."""
    for lower, higher in pairs:
        low, high, card = out[lower].due, out[higher].due, out[higher]
        if low is None or high is None or high >= low:
            continue
        if (
            day is not None
            and card.state != REVIEW
            and high == day.start_of(day.of(high))
            and day.of(high) >= day.of(low)
        ):
            continue  # a step of days, due from the start of the lower one's study day or a later one
        if card.state == REVIEW and card.last_review is not None:  # the maximum, in study days
            most = card.last_review + timedelta(days=max_days)
            if day is not None:
                most = day.days_after(card.last_review, max_days)
            low = min(low, most)
        if low > high:
            out[higher] = replace(card, due=low)
    return out


def _starts_study_day(day: StudyDay, moment: datetime) -> bool:
    """Whether `moment` is the start of its study day (a step of days is due from then)."""
    try:
        return moment == day.start_of(day.of(moment))
    except OverflowError:  # a study day at the calendar's end
        return False


def _usable(state: CardState | None, now: datetime) -> CardState | None:
    """The state FSRS may see: None (new) for new or invalid states, UTC times, a valid step."""
    if state is None or state.state == NEW:
        return None
    try:
        state = validate_state(state)
    except StateError:
        return None
    limit = now + FUTURE_LIMIT
    if (state.due is not None and state.due > limit) or (
        state.last_review is not None and state.last_review > limit
    ):
        return None  # absurd timestamps (the store refuses them too): the card starts over
    if state.state == RELEARNING and state.step is None:
        state = replace(state, step=0)
    if state.state == REVIEW and state.step is not None:
        state = replace(state, step=None)
    return state


def _to_fsrs(key: str, state: CardState | None, at: datetime, last_review: datetime | None) -> fsrs.Card:
    if state is None:
        return fsrs.Card(card_id=card_int_id(key), state=fsrs.State.Learning, step=0, due=at)
    return fsrs.Card(
        card_id=card_int_id(key),
        state=fsrs.State(state.state),
        step=state.step,
        stability=state.stability,
        difficulty=state.difficulty,
        due=state.due if state.due is not None else at,
        last_review=last_review,
    )


def interval_label(now: datetime, due: datetime) -> str:
    """Short label for the wait until `due`: "<1m", "<10m", "3h", "2d", "1.3mo", "1.1y"."""
    seconds = (due - now).total_seconds()
    if seconds <= 60:
        return "<1m"
    minutes = math.ceil(seconds / 60 - 1e-9)
    if minutes < 60:
        return f"<{minutes}m"
    hours = seconds / 3600
    if hours < 23.5:
        return f"{max(1, round(hours))}h"
    return _days_text(seconds / 86400)


def days_label(days: int) -> str:
    """The label of a wait of `days` whole days (study days: `Scheduler.label`), as
    `interval_label` labels `days` x 24 hours: "1d", "29d", "1.5mo", "2y"."""
    return _days_text(float(max(1, days)))


def _days_text(days: float) -> str:
    if days < 29.5:
        return f"{max(1, round(days))}d"
    if days < 365:
        return _one_decimal(days / 30, "mo")
    return _one_decimal(days / 365, "y")


def _one_decimal(value: float, unit: str) -> str:
    text = f"{value:.1f}"
    if text.endswith(".0"):
        text = text[:-2]
    return f"{text}{unit}"
