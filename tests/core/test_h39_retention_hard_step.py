"""True retention judges a (re)learning rating by the step the card is on, as Anki logs it.

Anki logs a learning rating's last interval from the configured delay of the step the card is
on (rslib rebuilds the state's `scheduled_secs` from the deck's steps and `remaining_steps`),
in days when that delay reaches the next rollover, and true retention counts it when it is in
days. After Hard on the first step the card waits longer than that step (halfway to the second
one, or half as long again with one step) but is still on it: steps `10m 1d`, Hard at 14:16
waits 12h05m, and Good at 02:30, 1.5 hours before the 4 am rollover, is logged as 600 seconds
and left out. retain took the step's length as the wait (`due - last`) and counted it.

`_RECORDED` is what Anki 26.09 logged (driven under libfaketime, UTC, rollover 4 am, FSRS on):
each case's ratings, and the last one's `lastIvl`. The states judged here are those retain's
own scheduler gives for the same ratings at the same times (half a second later: a clock's time
is never a whole second).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from retain.core.scheduler import Scheduler
from retain.core.settings import StudySettings
from retain.core.state import LEARNING, RELEARNING, REVIEW, CardState
from retain.core.stats import StepRule, Steps, counts_in_retention, learning_counts, step_length
from retain.core.studyday import StudyDay

DAY = StudyDay(4, UTC)
HALF = timedelta(milliseconds=500)
_KEY = "t/card"


@dataclass(frozen=True)
class Case:
    learning: tuple[float, ...]  # minutes, as Anki's deck options hold them
    relearning: tuple[float, ...]
    ratings: tuple[tuple[str, int], ...]  # ("MM-DD HH:MM[:SS]" in 2025, UTC; rating)
    last_ivl: int  # what Anki logged as the last rating's lastIvl

    @property
    def steps(self) -> Steps:
        return Steps(_minutes(self.learning), _minutes(self.relearning))


def _minutes(values: tuple[float, ...]) -> tuple[timedelta, ...]:
    return tuple(timedelta(minutes=m) for m in values)


def _at(text: str) -> datetime:
    return datetime.fromisoformat(f"2025-{text}").replace(tzinfo=UTC) + HALF


_RECORDED = {
    # Hard on the first step (new card), then Good: the first step's 600 s, not Hard's 12h05m
    "hard first, 1.5 h left": Case((10, 1440), (10,), (("03-01 14:16", 2), ("03-02 02:30", 3)), -600),
    "hard first, 5 min left": Case((10, 1440), (10,), (("03-01 14:16", 2), ("03-02 03:55", 3)), 1),
    "hard first past the rollover": Case((10, 1440), (10,), (("03-01 23:00", 2), ("03-02 12:00", 3)), -600),
    "hard twice": Case((10, 1440), (10,), (("03-01 14:00", 2), ("03-01 14:30", 2), ("03-02 03:00", 3)), -600),
    "default steps, hard first": Case((1, 10), (10,), (("03-01 14:00", 2), ("03-02 03:57", 3)), -60),
    "one step, hard, 61 s left": Case((1,), (10,), (("03-01 14:00", 2), ("03-02 03:58:59", 3)), -60),
    "one step, hard, 60 s left": Case((1,), (10,), (("03-01 14:00", 2), ("03-02 03:59", 3)), 1),
    # Hard's wait of a day or more on a first step of minutes: Anki puts the card a day on
    "hard first waits a day": Case((10, 2880), (10,), (("03-01 14:00", 2), ("03-02 10:00", 3)), -600),
    "hard first waits a day, 5 min left": Case(
        (10, 2880), (10,), (("03-01 14:00", 2), ("03-03 03:55", 3)), 1
    ),
    # Hard on a later step repeats that step: the wait is the step
    "hard later, 15 min left": Case(
        (1, 10, 60), (10,), (("03-01 14:00", 3), ("03-01 14:11", 2), ("03-02 03:45", 3)), -600
    ),
    "hard later, 5 min left": Case(
        (1, 10, 60), (10,), (("03-01 14:00", 3), ("03-01 14:11", 2), ("03-02 03:55", 3)), 1
    ),
    # Again goes back to the first step: its own length
    "again, 15 min left": Case(
        (10, 1440), (10,), (("03-01 14:00", 3), ("03-02 10:00", 1), ("03-03 03:45", 3)), -600
    ),
    "again, 5 min left": Case(
        (10, 1440), (10,), (("03-01 14:00", 3), ("03-02 10:00", 1), ("03-03 03:55", 3)), 1
    ),
    # steps of days count, Hard or not
    "days, hard first": Case((1440, 4320), (10,), (("03-01 14:00", 2), ("03-03 10:00", 3)), 1),
    # relearning: Hard on a single step waits 15 min; on the first of two, 12h05m
    "relearn one step, 12 min left": Case(
        (10,), (10,), (("03-01 14:00", 4), ("03-20 10:00", 1), ("03-20 10:05", 2), ("03-21 03:48", 3)), -600
    ),
    "relearn one step, 8 min left": Case(
        (10,), (10,), (("03-01 14:00", 4), ("03-20 10:00", 1), ("03-20 10:05", 2), ("03-21 03:52", 3)), 1
    ),
    "relearn two steps": Case(
        (10,),
        (10, 1440),
        (("03-01 14:00", 4), ("03-20 10:00", 1), ("03-20 14:16", 2), ("03-21 02:30", 3)),
        -600,
    ),
}


def _native(case: Case) -> tuple[datetime, CardState]:
    """The last rating's time and the state retain's scheduler had the card in before it."""
    settings = StudySettings(
        learning_steps=_minutes(case.learning), relearning_steps=_minutes(case.relearning), fuzz=False
    )
    scheduler = Scheduler(settings, DAY)
    state: CardState | None = None
    *done, (last, _rating) = case.ratings
    for when, rating in done:
        state = scheduler.preview(_KEY, state, _at(when))[rating]
    assert state is not None and state.state in (LEARNING, RELEARNING)
    return _at(last), state


def test_each_recorded_rating_counts_as_anki_logged_it() -> None:
    for name, case in _RECORDED.items():
        at, before = _native(case)
        counted = case.last_ivl >= 1
        assert counts_in_retention(at, before, DAY, case.steps) is counted, name
        if not counted:  # the step's length is what Anki logged, in seconds
            assert before.last_review is not None and before.due is not None
            length = step_length(before.last_review, before.due, case.steps.of(before.state), DAY)
            assert length == timedelta(seconds=-case.last_ivl), name


def test_the_repro_counted_the_wait_without_the_steps() -> None:
    """Hard's 12h05m reaches past the rollover from 02:30: counted when the steps are not known."""
    at, before = _native(_RECORDED["hard first, 1.5 h left"])
    assert before.last_review is not None and before.due is not None
    assert learning_counts(at, before.last_review, before.due, DAY)
    assert not learning_counts(at, before.last_review, before.due, DAY, case_steps := _minutes((10, 1440)))
    assert step_length(before.last_review, before.due, case_steps, DAY) == timedelta(minutes=10)


def test_a_deck_gets_its_own_steps_and_the_key_changes_with_them() -> None:
    ten = Steps(_minutes((10, 1440)), _minutes((10,)))
    rule = StepRule(Steps(_minutes((1, 10)), _minutes((10,))), (("lang", ten),))
    assert rule.for_deck("lang") == ten
    assert rule.for_deck("gone") == rule.default
    assert rule.key() != StepRule(rule.default).key()
    assert StepRule(Steps(_minutes((1440,)), ())).key() == ""  # a step of days counts whatever Hard did
    same = StepRule(rule.default, (("lang", Steps(_minutes((10, 1440)), _minutes((10, 30)))),))
    assert same.key() != rule.key()  # the relearning steps' Hard wait changed


# -- the class: any increasing steps, any ratings, against a model of what Anki logs --------------

_STEP_MINUTES = (1, 5, 10, 30, 60, 360, 720, 1440, 2880, 4320)


@st.composite
def _plans(draw: st.DrawFn) -> tuple[Steps, list[tuple[datetime, int]]]:
    learning = sorted(draw(st.sets(st.sampled_from(_STEP_MINUTES), min_size=1, max_size=3)))
    relearning = sorted(draw(st.sets(st.sampled_from(_STEP_MINUTES), min_size=0, max_size=2)))
    at = datetime(2025, 3, 1, 8, tzinfo=UTC) + timedelta(microseconds=draw(st.integers(1, 999_999)))
    ratings = []
    for _ in range(draw(st.integers(2, 12))):
        at += timedelta(minutes=draw(st.integers(1, 60 * 60)), microseconds=draw(st.integers(0, 999)))
        ratings.append((at, draw(st.sampled_from((1, 2, 2, 3, 4)))))
    return Steps(_minutes(tuple(learning)), _minutes(tuple(relearning))), ratings


def _anki_step(kind: int, index: int, steps: Steps) -> timedelta:
    """The delay Anki logs for a card on step `index` (rslib `current_delay_secs`)."""
    own = steps.of(kind)
    return own[min(index, len(own) - 1)]


def _anki_next(kind: int, index: int, rating: int, steps: Steps) -> tuple[int, int]:
    """(state, step index) after `rating`, as rslib's learning states move (py-fsrs alike)."""
    if kind == REVIEW:
        return (RELEARNING, 0) if rating == 1 and steps.relearning else (REVIEW, 0)
    own = steps.of(kind)
    if rating == 1:
        return kind, 0
    if rating == 2:
        return kind, index
    if rating == 3 and index + 1 < len(own):
        return kind, index + 1
    return REVIEW, 0


@settings(max_examples=300, deadline=None)
@given(plan=_plans())
def test_any_learning_rating_counts_as_anki_logs_its_step(
    plan: tuple[Steps, list[tuple[datetime, int]]],
) -> None:
    steps, ratings = plan
    settings_ = StudySettings(learning_steps=steps.learning, relearning_steps=steps.relearning, fuzz=False)
    scheduler = Scheduler(settings_, DAY)
    state: CardState | None = None
    kind, index = LEARNING, 0
    raised = False
    for at, rating in ratings:
        if state is not None and state.state in (LEARNING, RELEARNING) and not raised:
            assert (state.state, state.step) == (kind, index)  # the model tracks retain's card
            nominal = _anki_step(kind, index, steps)
            until = DAY.start_of(DAY.of(at) + timedelta(days=1)) - at
            anki = nominal >= until or nominal >= timedelta(days=1)
            assert counts_in_retention(at, state, DAY, steps) is anki
        state = scheduler.preview(_KEY, state, at)[rating]
        raised = _raised(state, at, rating, steps)
        kind, index = _anki_next(kind, index, rating, steps)
        if state.state == REVIEW:
            kind, index = REVIEW, 0


def _raised(state: CardState, at: datetime, rating: int, steps: Steps) -> bool:
    """Whether retain made Hard's wait of a day or more on the first step longer, up to FSRS's
    interval (`Scheduler._due`: a step of days is never sooner than it), which Anki does not do:
    the wait no longer says the card is on its first step, and the rule cannot tell (a known gap)."""
    own = steps.of(state.state)
    if rating != 2 or state.step != 0 or not own or state.due is None:
        return False
    wait = (own[0] + own[1]) / 2 if len(own) > 1 else own[0] * 1.5
    return wait >= timedelta(days=1) and state.due != DAY.start_of(
        DAY.of(at) + timedelta(days=round(wait / timedelta(days=1)))
    )


def test_a_step_of_days_that_ends_hards_wait_on_is_still_a_step_of_days() -> None:
    """Good at 15:55 on `10m 1d` sets the `1d` step, due at 04:00: 12h05m on, Hard's wait on the
    first step. It ends at the rollover, as no wait of Hard does but by chance: a step of days."""
    steps = _minutes((10, 1440))
    scheduler = Scheduler(StudySettings(learning_steps=steps, fuzz=False), DAY)
    good = datetime(2025, 3, 7, 15, 55, tzinfo=UTC) + timedelta(microseconds=1)
    state = scheduler.preview(_KEY, None, good - timedelta(minutes=10))[1]  # Again: the first step
    state = scheduler.preview(_KEY, state, good)[3]
    assert state.step == 1 and state.due == datetime(2025, 3, 8, 4, tzinfo=UTC)
    assert state.due - good == timedelta(hours=12, minutes=5) - timedelta(microseconds=1)
    assert counts_in_retention(good + timedelta(minutes=1), state, DAY, Steps(steps))
