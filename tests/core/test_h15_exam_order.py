"""Under an exam's cap, a (re)learning card's ratings stay in order and a day apart (h15).

`exam._apart_under_caps` kept Hard, Good and Easy a day apart under the caps only when both of
a pair were reviews. A learning or relearning card's Good that stays on a step of days is capped
too (`cap_state` caps every state with a stability), and so is a Hard on such a step: when the
caps met, Easy came back on Good's day (steps `10m 1d`, Good's step capped to 2 days and Easy
to 2 days: both "2d", where Good "1d" leaves Easy a day past it), and a Good that graduated was
left on Easy's day whenever Hard was a step of days (three ratings "18d" where 16, 17 and 18
fit under the caps). The lower rating now comes a day sooner whatever its state, as it does for
reviews: every cap still holds, and only a cap of one day leaves no room.

Anki keeps a learning card's Easy a day past FSRS's Good interval (`LearnState::answer_easy`);
under a cap Easy is at least a day past that interval or at its own cap, never past the cap.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from retain.core.exam import ExamPlan, cap_previews, cap_state
from retain.core.scheduler import Scheduler
from retain.core.settings import StudySettings
from retain.core.state import LEARNING, NEW, RELEARNING, REVIEW, CardState
from retain.core.studyday import StudyDay

_DAY = timedelta(days=1)
_MIN = timedelta(minutes=1)
NOW = datetime(2025, 4, 6, 12, tzinfo=UTC)


def _days(day: StudyDay, now: datetime, due: datetime | None) -> int:
    assert due is not None
    return (day.of(due) - day.of(now)).days


def _plan(scheduler: Scheduler, now: datetime, recall: float, days: int = 60) -> ExamPlan:
    return ExamPlan(now + days * _DAY, recall, scheduler.decay, None, scheduler.day)


@pytest.mark.parametrize(
    ("recall", "own", "expected"),
    [(0.97, [0, 7, 7], [0, 6, 7]), (0.98, [0, 4, 4], [0, 3, 4]), (0.99, [0, 2, 2], [0, 1, 2])],
)
def test_a_learning_cards_good_step_comes_a_day_before_its_capped_easy(
    recall: float, own: list[int], expected: list[int]
) -> None:
    """Steps `10m 1d`: Good's `1d` step becomes FSRS's 33 days (never sooner than FSRS's
    interval), Easy graduates at 35 days. The caps of Good and Easy meet; Good comes a day
    sooner and stays on its step, Easy keeps its cap."""
    day = StudyDay(4, UTC)
    scheduler = Scheduler(StudySettings(learning_steps=(10 * _MIN, _DAY), fuzz=False), day)
    state = CardState(
        state=LEARNING, step=0, stability=30.0, difficulty=5.0, due=NOW, last_review=NOW - _DAY, reps=3
    )
    out = scheduler.preview("d/c", state, NOW)
    assert [_days(day, NOW, out[r].due) for r in (2, 3, 4)] == [0, 33, 35]
    assert (out[3].state, out[4].state) == (LEARNING, REVIEW)
    plan = _plan(scheduler, NOW, recall)
    assert [_days(day, NOW, cap_state(out[r], plan, NOW).due) for r in (2, 3, 4)] == own
    capped = cap_previews(out, plan, NOW)
    assert [_days(day, NOW, capped[r].due) for r in (2, 3, 4)] == expected
    assert [capped[r].state for r in (2, 3, 4)] == [LEARNING, LEARNING, REVIEW]
    assert [scheduler.label(NOW, capped[r]) for r in (3, 4)] == [f"{expected[1]}d", f"{expected[2]}d"]


def test_a_hard_step_of_days_moves_too_so_good_and_easy_stay_apart() -> None:
    """Steps `1m 3d`: Hard and Good take 33-day steps, Easy graduates at 34 days; capped to 18
    days each at recall 0.97. Good used to keep its cap because Hard's step lay past the day
    before it (all three "18d"): now Hard and Good come a day sooner each."""
    day = StudyDay(4, UTC)
    scheduler = Scheduler(
        StudySettings(desired_retention=0.95, learning_steps=(_MIN, 3 * _DAY), fuzz=False), day
    )
    state = CardState(
        state=LEARNING, step=0, stability=80.0, difficulty=6.5, due=NOW, last_review=NOW - _DAY, reps=3
    )
    out = scheduler.preview("d/c", state, NOW)
    assert [_days(day, NOW, out[r].due) for r in (2, 3, 4)] == [33, 33, 34]
    plan = _plan(scheduler, NOW, 0.97)
    assert [_days(day, NOW, cap_state(out[r], plan, NOW).due) for r in (2, 3, 4)] == [18, 18, 18]
    capped = cap_previews(out, plan, NOW)
    assert [_days(day, NOW, capped[r].due) for r in (2, 3, 4)] == [16, 17, 18]


def test_a_relearning_hard_step_comes_a_day_before_a_graduating_good() -> None:
    """Relearning step `2d`: Hard's step 8 days, Good 9 and Easy 12 (reviews); capped to 3, 3
    and 4. Easy keeps 4, Good its cap 3, and Hard's step comes a day sooner (it said "3d" too)."""
    day = StudyDay(4, UTC)
    scheduler = Scheduler(StudySettings(relearning_steps=(2 * _DAY,), fuzz=False), day)
    state = CardState(
        state=RELEARNING, step=0, stability=6.0, difficulty=5.0, due=NOW, last_review=NOW - _DAY, reps=3
    )
    out = scheduler.preview("d/c", state, NOW)
    assert [_days(day, NOW, out[r].due) for r in (2, 3, 4)] == [8, 9, 12]
    plan = _plan(scheduler, NOW, 0.95)
    assert [_days(day, NOW, cap_state(out[r], plan, NOW).due) for r in (2, 3, 4)] == [3, 3, 4]
    capped = cap_previews(out, plan, NOW)
    assert [_days(day, NOW, capped[r].due) for r in (2, 3, 4)] == [2, 3, 4]
    assert capped[2].state == RELEARNING


_STEPS = st.sampled_from(
    [
        (),
        (_MIN,),
        (_MIN, 10 * _MIN),
        (10 * _MIN, _DAY),
        (_MIN, 3 * _DAY),
        (2 * _DAY,),
        (_DAY, 3 * _DAY),
        (10 * _MIN, 2 * _DAY, 5 * _DAY),
    ]
)


_CASE = {
    "kind": LEARNING,
    "learning": (10 * _MIN, _DAY),
    "relearning": (),
    "step": 0,
    "stability": math.exp(3.0),
    "difficulty": 2.0,
    "elapsed": _MIN,
    "retention": 0.7,
    "maximum": 36500,
    "fuzz": False,
    "recall": 0.98,
    "exam_days": 4,
    "zone": "UTC",
    "rollover": 0,
    "minutes": 0,
    "key": 0,
}


@settings(max_examples=300, deadline=None)
@example(**_CASE)  # Good's 1d step (FSRS: 225 days) and Easy (259) both capped to 3 days
@example(  # Hard's 2d step (705 days), Good 707, Easy 711: all capped to 13 days
    **{
        **_CASE,
        "learning": (2 * _DAY,),
        "stability": 75.6,
        "difficulty": 9.6,
        "elapsed": _DAY,
        "recall": 0.9755,
        "exam_days": 14,
        "zone": "Europe/Berlin",
        "minutes": 3 * 1440 + 253,
    }
)
@example(  # relearning step 2d: Hard's step 8 days, Good 9, Easy 12: capped to 3, 3, 4
    **{
        **_CASE,
        "kind": RELEARNING,
        "relearning": (2 * _DAY,),
        "stability": 6.0,
        "difficulty": 5.0,
        "elapsed": _DAY,
        "recall": 0.95,
        "exam_days": 60,
        "rollover": 4,
        "minutes": 36 * 1440 + 720,
    }
)
@given(
    kind=st.sampled_from([NEW, LEARNING, RELEARNING, REVIEW]),
    learning=_STEPS,
    relearning=_STEPS,
    step=st.integers(0, 2),
    stability=st.floats(math.log(0.1), math.log(300.0)).map(math.exp),
    difficulty=st.floats(1.0, 10.0),
    elapsed=st.sampled_from([_MIN, 10 * _MIN, 10 * 60 * _MIN, _DAY, 3 * _DAY, 20 * _DAY]),
    retention=st.sampled_from([0.7, 0.8, 0.9, 0.95, 0.97]),
    maximum=st.sampled_from([36500, 10, 3]),
    fuzz=st.booleans(),
    recall=st.one_of(st.sampled_from([0.9, 0.95, 0.97, 0.98, 0.99]), st.floats(0.5, 0.99)),
    exam_days=st.integers(1, 60),
    zone=st.sampled_from(["UTC", "America/New_York", "Europe/Berlin"]),
    rollover=st.sampled_from([0, 4]),
    minutes=st.integers(0, 60 * 24 * 60),
    key=st.integers(0, 50),
)
def test_for_any_state_rating_order_is_kept_under_any_cap(
    kind: int,
    learning: tuple[timedelta, ...],
    relearning: tuple[timedelta, ...],
    step: int,
    stability: float,
    difficulty: float,
    elapsed: timedelta,
    retention: float,
    maximum: int,
    fuzz: bool,
    recall: float,
    exam_days: int,
    zone: str,
    rollover: int,
    minutes: int,
    key: int,
) -> None:
    """In study days, for a new, learning, relearning or review card: every passing rating is at
    or before its own cap and its uncapped interval (only the due moves); a pair in order
    uncapped stays in order; a pair a day or more apart uncapped stays apart unless the higher
    one is capped to one day; and a (re)learning card's Easy is a day past FSRS's Good interval
    or at its own cap."""
    day = StudyDay(rollover, ZoneInfo(zone))
    now = datetime(2025, 3, 1, tzinfo=UTC) + minutes * _MIN
    study = StudySettings(
        desired_retention=retention,
        learning_steps=learning,
        relearning_steps=relearning,
        maximum_interval=maximum,
        fuzz=fuzz,
    )
    scheduler = Scheduler(study, day)
    state: CardState | None = None
    if kind != NEW:
        steps = learning if kind == LEARNING else relearning
        state = CardState(
            state=kind,
            step=None if kind == REVIEW else min(step, max(0, len(steps) - 1)),
            stability=stability,
            difficulty=difficulty,
            due=now,
            last_review=now - elapsed,
            reps=3,
        )
    name = f"d/c{key}"
    out = scheduler.preview(name, state, now)
    plan = ExamPlan(day.start_of(day.of(now) + exam_days * _DAY), recall, scheduler.decay, None, day)
    capped = cap_previews(out, plan, now)
    days = {r: _days(day, now, capped[r].due) for r in (2, 3, 4)}
    before = {r: _days(day, now, out[r].due) for r in (2, 3, 4)}
    for rating in (1, 2, 3, 4):
        own, due, was = cap_state(out[rating], plan, now).due, capped[rating].due, out[rating].due
        assert own is not None and due is not None and was is not None
        assert due <= own and due <= was  # the cap holds; a cap only brings a card forward
        assert capped[rating].state == out[rating].state
        assert capped[rating].stability == out[rating].stability  # only the due moved
        assert due > now
    for lower, higher in ((2, 3), (3, 4)):
        if before[lower] <= before[higher]:
            assert days[lower] <= days[higher], (lower, before, days)
        if before[lower] < before[higher]:
            assert days[lower] < days[higher] or days[higher] <= 1, (lower, before, days)
    if kind != REVIEW and capped[4].state == REVIEW and out[3].stability is not None:
        good = scheduler._good_days(name, 3 if state is not None else 0, out[3])
        easy_cap = _days(day, now, cap_state(out[4], plan, now).due)
        assert good is not None
        assert days[4] >= min(good + 1, easy_cap, maximum), (good, easy_cap, days)
