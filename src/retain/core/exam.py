"""Exam dates: keep every card's predicted recall on the exam day at or above a target.

An `ExamPlan` is an exam moment (the start of the exam's study day, UTC), a target
recall and the FSRS decay of the deck's scheduler. Until that moment:

- `cap_state` caps a card's due so that it comes back before its
  retrievability falls below the target. Every card with a stability is capped:
  review cards, and learning and relearning cards too, so that a step of a day
  or more (relearning_steps = ["3d"]) never brings a card back after its recall
  fell below the target. With stability S, FSRS's forgetting
  curve R(t) = (1 + F·t/S)^-d (F = 0.9^(-1/d) - 1) reaches the target after
  t* = S/F · (target^(-1/d) - 1) days. A card whose t* reaches past the exam
  keeps its due (it is recalled on the day anyway); otherwise its interval is
  at most floor(t*) days (at least one day), counted in study days (`cap_moment`:
  a review is due all its study day, so a DST change never moves a cap onto the
  study day of the last review, nor a day late).
- `cap_previews` does the same to the four rating previews, so every new
  interval is capped when the card is rated. Hard, Good and Easy stay a day apart where
  the caps leave room (the lower rating comes a day sooner, a review or a learning step of
  days alike); a review waits at least a day, so a cap of one or two days can make two of
  them equal.
- `exam_rank` orders due reviews by their predicted recall on the exam day,
  lowest first, and cards below the target before any other: the cards that
  cannot reach it (too new, too hard) come first.

From the exam moment on nothing is capped: the states were never changed by a
cap beyond their due, so normal scheduling resumes with nothing lost.

`forecast` gives the home screen's "predicted recall 0.87 → 0.90 if you keep
up": the mean predicted recall on the exam day over every card of the deck
(new cards count 0), and the same if every capped review is done on time and
the new cards the daily limit allows before the exam are learnt.
"""

from __future__ import annotations

import functools
import math
from bisect import bisect_right
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import TYPE_CHECKING

from retain.core.state import NEW, REVIEW, CardState
from retain.core.studyday import StudyDay

__all__ = [
    "RECALL_RANGE",
    "ExamForecast",
    "ExamPlan",
    "ExamSetting",
    "cap_many",
    "cap_moment",
    "cap_previews",
    "cap_state",
    "days_to_recall",
    "exam_rank",
    "forecast",
    "forgetting_curve",
    "merge_forecasts",
    "moved_by_cap",
    "predicted_recall",
]

if TYPE_CHECKING:
    import fsrs

RECALL_RANGE = (0.5, 0.99)  # a target outside this is refused by the config loader
_DAY = timedelta(days=1)
_UNSEEN = object()
_SLOT = 900  # seconds: a quarter hour of UTC (of one study day, `cap_many`)


@dataclass(frozen=True, slots=True)
class ExamSetting:
    """What config.toml says: the exam's study day and the target recall on it."""

    day: date
    recall: float = 0.9


@dataclass(frozen=True, slots=True)
class ExamPlan:
    """An exam as the scheduler uses it: moment (UTC, start of the exam day), target, FSRS decay;
    `studyday`: the learner's study days, which a cap counts in (None: 24-hour days)."""

    moment: datetime
    recall: float
    decay: float  # FSRS w20 (positive): R(t) = (1 + F t / S) ** -decay
    day: date | None = None
    studyday: StudyDay | None = None

    def active(self, now: datetime) -> bool:
        return now < self.moment

    def retrievability(self, state: CardState | None, at: datetime | None = None) -> float:
        """The fsrs package's forgetting curve for `state` at `at` (default: the exam moment).

        The fsrs formula evaluated here directly (whole days elapsed, as
        `fsrs.Scheduler.get_card_retrievability` counts them): building an
        `fsrs.Card` per card cost 18 µs, too much for a forecast over 50k cards.
        `predicted_recall` goes through the package; the tests hold the two equal.
        """
        if state is None or state.state == NEW or state.last_review is None or state.stability is None:
            return 0.0
        stability = state.stability
        if not math.isfinite(stability) or stability <= 0:
            return 0.0
        days = max(0, ((at or self.moment) - state.last_review).days)
        return forgetting_curve(days, stability, self.decay)

    @property
    def reach(self) -> float:
        """Days per unit of stability until recall falls to the target (t* = S * reach)."""
        return _reach(self.recall, self.decay)


@functools.lru_cache(maxsize=64)
def _reach(recall: float, decay: float) -> float:
    return days_to_recall(1.0, recall, decay)


def _factor(decay: float) -> float:
    return float(0.9 ** (1 / -decay) - 1)


def forgetting_curve(elapsed_days: float, stability: float, decay: float) -> float:
    """FSRS's R(t, S): the probability of recall after `elapsed_days` at stability S."""
    return float((1 + _factor(decay) * max(0.0, elapsed_days) / stability) ** -decay)


def days_to_recall(stability: float, target: float, decay: float) -> float:
    """Days after a review until R falls to `target` (the inverse of `forgetting_curve`)."""
    return float(stability / _factor(decay) * (target ** (1 / -decay) - 1))


def predicted_recall(state: CardState | None, at: datetime, decay: float) -> float:
    """Predicted recall at `at` through `fsrs.Scheduler.get_card_retrievability` (0 for new cards)."""
    if state is None or state.state == NEW or state.last_review is None or state.stability is None:
        return 0.0
    if not math.isfinite(state.stability) or state.stability <= 0:
        return 0.0
    import fsrs  # here, not at the top: config.toml's loader imports this module (launch time)

    card = fsrs.Card(
        card_id=1,
        state=fsrs.State.Review,
        stability=state.stability,
        due=state.due or at,
        last_review=state.last_review,
    )
    return float(_scheduler(decay).get_card_retrievability(card, at))


_SCHEDULERS: dict[float, fsrs.Scheduler] = {}


def _scheduler(decay: float) -> fsrs.Scheduler:
    sched = _SCHEDULERS.get(decay)
    if sched is None:
        import fsrs

        params = list(fsrs.scheduler.DEFAULT_PARAMETERS)
        params[20] = decay
        sched = _SCHEDULERS[decay] = fsrs.Scheduler(parameters=params, enable_fuzzing=False)
    return sched


def cap_state(state: CardState, plan: ExamPlan, now: datetime) -> CardState:
    """`state` with its due brought forward so that recall stays >= the target up to the exam."""
    if not plan.active(now) or state.state == NEW or state.due is None or state.last_review is None:
        return state  # every state with a stability is capped: review, learning and relearning
    stability = state.stability
    if stability is None or not math.isfinite(stability) or stability <= 0:
        return state
    reach = stability * plan.reach  # days until recall falls to the target
    if reach * 86400.0 >= (plan.moment - state.last_review).total_seconds():
        return state  # recalled on the exam day at or above the target without another review
    cap = cap_moment(state.last_review, int(reach) or 1, plan.studyday)  # floor(t*), at least 1
    return replace(state, due=cap) if cap < state.due else state


def cap_moment(last: datetime, days: int, studyday: StudyDay | None) -> datetime:
    """`days` days after `last`, counted in study days (`StudyDay.days_after`); without
    `studyday`, `days` x 24 hours."""
    return last + days * _DAY if studyday is None else studyday.days_after(last, days)


def cap_many(
    states: Mapping[str, CardState], keys: Iterable[str], plan: ExamPlan, now: datetime
) -> dict[str, CardState]:
    """`cap_state` over many units at once: {key: capped state} for the ones whose due moved.

    The same rule in one tight loop (the home screen's due counts run it over every
    card of an exam deck every 20 seconds).
    """
    out: dict[str, CardState] = {}
    if not plan.active(now):
        return out
    moment, k, inf, studyday = plan.moment, plan.reach, math.inf, plan.studyday
    spans: dict[int, timedelta] = {}  # whole-day caps, built once each
    moves: dict[tuple[int, date, int], object] = {}  # (quarter hour, study day, days) -> a DST change's cap
    # A cap keeps its last review's time of day, so its study day, unless the zone's offset changes
    # between them: only those caps go through `cap_moment` (`since`: the changes known from then).
    since, changes = (moment, ()) if studyday is None else _offset_changes(studyday, moment)
    get = states.get
    for key in keys:
        st = get(key)
        if st is None or st.state == NEW:  # learning and relearning states are capped too
            continue
        last, stability, due = st.last_review, st.stability, st.due
        if last is None or due is None or stability is None or not 0 < stability < inf:
            continue
        reach = stability * k  # days until recall falls to the target (as `cap_state` counts)
        if reach * 86400.0 >= (moment - last).total_seconds():
            continue
        days = int(reach) or 1  # floor(t*), at least one day
        span = spans.get(days)
        if span is None:
            span = spans[days] = days * _DAY
        cap = last + span
        if studyday is not None and (
            last < since or bisect_right(changes, last) != bisect_right(changes, cap)
        ):  # `cap_moment`, decided once per quarter hour of `last` and its study day (a UTC
            # quarter hour lies in one study day, and so does the same quarter hour days later,
            # unless the zone's offset is no whole quarter hour: then a rollover may split it)
            slot = (int(last.timestamp()) // _SLOT, studyday.of(last), days)
            moved = moves.get(slot, _UNSEEN)
            if moved is _UNSEEN:
                moved = cap_moment(last, days, studyday)
                moved = moves[slot] = None if moved == cap else moved
            if isinstance(moved, datetime):
                cap = moved
        if cap < due:  # the constructor, not dataclasses.replace: 3x faster over 30k capped cards
            out[key] = CardState(
                st.state, st.step, stability, st.difficulty, cap, last, st.reps, st.lapses,
                st.suspended, st.buried_until, st.leech,
            )  # fmt: skip
    return out


def _offset_changes(studyday: StudyDay, moment: datetime) -> tuple[datetime, tuple[datetime, ...]]:
    """(from when, the UTC instants from then to `moment` at which the zone's UTC offset
    changes): from the first of January two years before the exam's year (none for a fixed
    offset; from `moment` when the zone cannot be hashed: every cap is then checked)."""
    tz = studyday.tz
    year = min(max(moment.year - 2, 1), 9998)
    since = datetime(year, 1, 1, tzinfo=UTC)
    if tz.utcoffset(None) is not None:  # a fixed offset (UTC, `TZ=UTC+3`): nothing changes
        return since, ()
    try:
        found = [t for y in range(year, min(moment.year, 9998) + 1) for t in _year_changes(tz, y)]
    except TypeError:  # an unhashable tzinfo
        return moment, ()
    return since, tuple(found)


@functools.lru_cache(maxsize=64)
def _year_changes(tz: tzinfo, year: int) -> tuple[datetime, ...]:
    """The UTC instants in `year` at which `tz`'s offset changes: sampled every 6 hours, each
    change then found to the second, exactly: the first whole second with the new offset (a
    zone changes on a whole second). A change found a fraction of a second late let a cap that
    fell on the change itself (a review at the rollover the day before a fall-back) skip
    `cap_moment`: it stayed on its last review's study day."""
    step = timedelta(hours=6)
    at, end = datetime(year, 1, 1, tzinfo=UTC), datetime(year + 1, 1, 1, tzinfo=UTC)
    offset = at.astimezone(tz).utcoffset()
    out: list[datetime] = []
    while at < end:
        nxt = at + step
        now_offset = nxt.astimezone(tz).utcoffset()
        if now_offset != offset:
            lo, hi = int(at.timestamp()), int(nxt.timestamp())  # whole seconds: old, new offset
            while hi - lo > 1:
                mid = (lo + hi) // 2
                if datetime.fromtimestamp(mid, UTC).astimezone(tz).utcoffset() == offset:
                    lo = mid
                else:
                    hi = mid
            out.append(datetime.fromtimestamp(hi, UTC))
            offset = now_offset
        at = nxt
    return tuple(out)


def cap_previews(previews: Mapping[int, CardState], plan: ExamPlan, now: datetime) -> dict[int, CardState]:
    """The four rating previews with their intervals capped for the exam (see `cap_state`),
    and the passing ratings the caps made meet kept a day apart where the caps leave room."""
    capped = {rating: cap_state(state, plan, now) for rating, state in previews.items()}
    return _apart_under_caps(previews, capped, plan.studyday)


def _apart_under_caps(
    previews: Mapping[int, CardState], capped: dict[int, CardState], studyday: StudyDay | None
) -> dict[int, CardState]:
    """Hard, Good and Easy kept a day apart under an exam's caps, as the scheduler keeps them
    (`Scheduler._apart`, Anki's `constrain_passing_interval`; a learning card's Easy a day past
    Good), the caps still holding. Each rating's cap comes from its own stability, so a lower
    rating's cap is never past a higher one's: the caps make two ratings meet only where the
    higher one was capped, to the lower one's interval. Then the lower one comes a day sooner
    (a day before the higher one's capped due, counted in study days as the cap is), Easy's cap
    first, then Good's, whatever the lower one's state: a review, or a (re)learning step of days
    (capped like a review, `cap_state`), so a learning card's Good step never meets a capped
    Easy, and a Hard step is never left past a Good brought forward. A review or a step of days
    waits at least a day: under a cap of one day two ratings stay equal (Easy capped to 2 days:
    Hard and Good 1 day; to 1 day: all three); a step under a day is never moved (it is already
    before any cap). A pair the caps did not move (equal at the maximum interval) is left as the
    scheduler made it."""
    out = dict(capped)
    for lower, higher in ((3, 4), (2, 3)):
        low, high = out.get(lower), out.get(higher)
        if low is None or high is None or high.due == previews[higher].due:
            continue  # the higher one not moved: as the scheduler left them
        last = low.last_review
        if low.due is None or high.due is None or last is None:
            continue
        days = max(1, _study_days(last, high.due, studyday) - 1)
        if _study_days(last, low.due, studyday) <= days:
            continue  # already a day before it (or on the first day: no room)
        out[lower] = replace(low, due=cap_moment(last, days, studyday))
    return out


def moved_by_cap(state: CardState, due: datetime, plan: ExamPlan) -> bool:
    """Whether a review `state`'s stored due may be `due`, the one its last review gives it
    without an exam (`Scheduler.review_due`), brought forward by `plan` when it was rated
    (`cap_previews` stores the capped rating): to its own cap, or a day or two before that or
    `due` (the day-apart rule under the caps, `_apart_under_caps`: Hard can come two days before
    Easy's cap), never under a day, on the study day that many days after the review, as a cap
    dates it. `review_due` cannot tell it from the stability alone: a reschedule that leaves a
    card's memory as it was keeps such a due date (`store.fsrs_presets.reschedule_plan`), as it
    keeps one the scheduler's own day-apart rule moved (`Scheduler.moved_apart`).

    The exam must have been ahead at the review, with a cap below the exam for this stability;
    a card whose stored due is not one of these (an exam added since, or its date or target
    changed) gets `due`, and the current exam's cap applies to it as to every due date."""
    last, stored, stability = state.last_review, state.due, state.stability
    if state.state != REVIEW or last is None or stored is None or not stored < due:
        return False
    if stability is None or not math.isfinite(stability) or stability <= 0 or not plan.active(last):
        return False
    reach = stability * plan.reach
    if reach * 86400.0 >= (plan.moment - last).total_seconds():
        return False  # recalled on the exam day above the target: never capped
    studyday = plan.studyday
    cap = cap_moment(last, int(reach) or 1, studyday)
    base = _study_days(last, min(due, cap), studyday)
    was = _study_days(last, stored, studyday)
    return max(1, base - 2) <= was <= base and stored == cap_moment(last, was, studyday)


def _study_days(last: datetime, due: datetime, studyday: StudyDay | None) -> int:
    """The interval from `last` to `due` in days: study days, or 24-hour days without them."""
    if studyday is None:
        return round((due - last) / _DAY)
    return (studyday.of(due) - studyday.of(last)).days


def exam_rank(state: CardState, plan: ExamPlan) -> float | None:
    """Queue order of a due review of an exam deck (lower first; None: no opinion).

    On the scale of `core.queue`'s own rank (-elapsed/S, lowest retrievability
    first), measured to the exam instead of now; cards predicted below the target
    on the exam day sort before every other card.
    """
    stability, last = state.stability, state.last_review
    if last is None or stability is None or not math.isfinite(stability) or stability <= 0:
        return None
    ratio = (plan.moment - last).total_seconds() / 86400.0 / stability
    below = plan.retrievability(state) < plan.recall
    return -ratio - (1e9 if below else 0.0)


@dataclass(frozen=True, slots=True)
class ExamForecast:
    days_left: int
    predicted: float  # mean recall on the exam day if nothing more is studied
    kept_up: float  # the same if every capped review is done and new cards are learnt at the daily limit
    target: float
    cards: int
    below: int  # cards predicted below the target today

    def line(self, name: str = "") -> str:
        """`Kafka: exam in 14 days · predicted recall 0.87 → 0.90 if you keep up`."""
        prefix = f"{name}: " if name else ""
        if self.days_left <= 0:  # the exam day has begun: no review or new card comes before it
            return f"{prefix}exam today · predicted recall {self.predicted:.2f}"
        when = f"exam in {self.days_left} day{'s' if self.days_left != 1 else ''}"
        return f"{prefix}{when} · predicted recall {self.predicted:.2f} → {self.kept_up:.2f} if you keep up"


def forecast(
    states: Iterable[CardState | None], plan: ExamPlan, today: date, new_per_day: int, new_today: int = 0
) -> ExamForecast:
    """Predicted recall on the exam day over every card (suspended ones left out).

    Kept up, the new cards learnt before the exam are the daily limit's for each day left,
    today's less the `new_today` already introduced (they are no longer new). On the exam day
    itself (`days_left` 0) the exam has begun: kept up is what is predicted."""
    total = new = below = 0
    now_sum = kept_sum = 0.0
    for state in states:
        if state is not None and state.suspended:
            continue
        total += 1
        if state is None or state.state == NEW or state.stability is None:
            new += 1
            below += 1
            continue
        recall = plan.retrievability(state)
        now_sum += recall
        kept_sum += max(recall, plan.recall)
        below += recall < plan.recall
    days_left = (plan.day - today).days if plan.day is not None else 0
    if days_left <= 0:  # the exam day (it starts at the exam moment): nothing is studied before it
        kept_sum = now_sum
    learnable = min(new, max(0, max(0, new_per_day) * max(0, days_left) - max(0, new_today)))
    kept_sum += learnable * plan.recall
    if not total:
        return ExamForecast(days_left, 0.0, 0.0, plan.recall, 0, 0)
    return ExamForecast(days_left, now_sum / total, kept_sum / total, plan.recall, total, below)


def merge_forecasts(parts: Sequence[ExamForecast]) -> ExamForecast:
    """One forecast over the cards of several (the decks of a group's exam, each forecast with
    its own preset's forgetting curve and its own new-card limit): means weighted by cards."""
    if not parts:
        raise ValueError("merge_forecasts needs at least one forecast")
    first = parts[0]
    total = sum(p.cards for p in parts)
    if not total:
        return replace(first, predicted=0.0, kept_up=0.0, cards=0, below=0)
    return ExamForecast(
        first.days_left,
        sum(p.predicted * p.cards for p in parts) / total,
        sum(p.kept_up * p.cards for p in parts) / total,
        first.target,
        total,
        sum(p.below for p in parts),
    )
