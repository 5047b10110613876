"""Exam dates (core/exam.py): the forgetting curve, interval caps, the exam-day order, the forecast."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import fsrs
import pytest
from hypothesis import given
from hypothesis import strategies as st
from queue_helpers import NOW

from retain.core.exam import (
    ExamPlan,
    cap_many,
    cap_previews,
    cap_state,
    days_to_recall,
    exam_rank,
    forecast,
    forgetting_curve,
    predicted_recall,
)
from retain.core.scheduler import Scheduler
from retain.core.settings import StudySettings
from retain.core.state import LEARNING, NEW, RELEARNING, REVIEW, CardState

DECAY = float(fsrs.scheduler.DEFAULT_PARAMETERS[20])
EXAM = NOW + timedelta(days=14)


def reviewed(days_ago: float, stability: float, interval: float) -> CardState:
    """A review card last reviewed `days_ago` with `stability`, due `interval` days after that."""
    last = NOW - timedelta(days=days_ago)
    return CardState(
        state=REVIEW,
        stability=stability,
        difficulty=5.0,
        due=last + timedelta(days=interval),
        last_review=last,
        reps=3,
    )


def plan(recall: float = 0.9, moment: datetime = EXAM) -> ExamPlan:
    return ExamPlan(moment, recall, DECAY, moment.date())


@given(st.floats(0.1, 3000), st.integers(0, 4000))
def test_forgetting_curve_is_the_fsrs_packages(stability: float, days: int) -> None:
    last = datetime(2026, 1, 1, tzinfo=UTC)
    card = fsrs.Card(card_id=1, state=fsrs.State.Review, stability=stability, due=last, last_review=last)
    expected = fsrs.Scheduler().get_card_retrievability(card, last + timedelta(days=days))
    assert forgetting_curve(days, stability, DECAY) == pytest.approx(expected, rel=1e-9)
    state = CardState(state=REVIEW, stability=stability, difficulty=5, due=last, last_review=last)
    assert predicted_recall(state, last + timedelta(days=days), DECAY) == pytest.approx(expected, rel=1e-9)
    later = last + timedelta(days=days, hours=7)  # whole days, as the package counts them
    assert plan().retrievability(state, later) == pytest.approx(
        predicted_recall(state, later, DECAY), rel=1e-12
    )


@given(st.floats(0.1, 3000), st.floats(0.5, 0.99))
def test_days_to_recall_inverts_the_curve(stability: float, target: float) -> None:
    days = days_to_recall(stability, target, DECAY)
    assert forgetting_curve(days, stability, DECAY) == pytest.approx(target, rel=1e-9)


def test_a_card_that_would_fall_below_the_target_by_the_exam_is_brought_forward() -> None:
    state = reviewed(5, stability=20.0, interval=20)  # R falls to 0.95 after ~8 days: before the exam
    assert state.last_review is not None
    capped = cap_state(state, plan(0.95), NOW)
    assert capped.due is not None and state.due is not None and capped.due < state.due
    reach = days_to_recall(20.0, 0.95, DECAY)
    assert capped.due == state.last_review + timedelta(days=int(reach))
    # Reviewed on its capped day, its recall was still at or above the target.
    assert forgetting_curve((capped.due - state.last_review).days, 20.0, DECAY) >= 0.95
    assert (capped.stability, capped.difficulty, capped.reps) == (20.0, 5.0, 3)  # only the due moves


def test_a_card_recalled_on_the_exam_day_anyway_is_left_alone() -> None:
    state = reviewed(1, stability=2000.0, interval=300)
    assert cap_state(state, plan(0.9), NOW) is state


def test_nothing_is_capped_from_the_exam_moment_on() -> None:
    state = reviewed(5, stability=20.0, interval=20)
    assert cap_state(state, plan(0.95), NOW) is not state
    assert cap_state(state, plan(0.95, moment=NOW), NOW) is state
    assert cap_state(state, plan(0.95, moment=NOW - timedelta(days=1)), NOW) is state


def test_new_cards_and_steps_under_a_day_are_not_capped() -> None:
    new = CardState()
    assert cap_state(new, plan(0.95), NOW) is new
    learning = CardState(
        state=LEARNING,
        step=0,
        stability=1.0,
        difficulty=5.0,
        due=NOW + timedelta(minutes=10),
        last_review=NOW,
    )
    assert cap_state(learning, plan(0.95), NOW) is learning
    assert cap_many({"d/c": learning}, ["d/c"], plan(0.95), NOW) == {}


def test_exam_cap_covers_relearning_steps_of_days() -> None:
    """With relearning_steps = ["3d"] and the exam in 2 days, a lapsed card (stability 1.9: recall
    falls to 0.9 within 2 days) used to come back 3 days later, after the exam: only review
    states were capped."""
    sched = Scheduler(StudySettings(relearning_steps=(timedelta(days=3),), fuzz=False))
    state = CardState(REVIEW, None, 20.0, 5.0, NOW, NOW - timedelta(days=20), 4, 0)
    target = ExamPlan(NOW + timedelta(days=2), 0.9, sched.decay)
    again = cap_previews(sched.preview("d/c", state, NOW), target, NOW)[1]
    assert again.state == RELEARNING and again.stability is not None and again.due is not None
    assert target.reach * again.stability < 2  # it falls below the target before the exam
    assert again.due < target.moment  # so it comes back before the exam
    assert again.due - NOW == timedelta(days=max(1, math.floor(target.reach * again.stability)))
    assert cap_many({"d/c": again}, ["d/c"], target, NOW) == {}  # already capped: nothing moves
    uncapped = sched.preview("d/c", state, NOW)[1]
    assert cap_many({"d/c": uncapped}, ["d/c"], target, NOW) == {"d/c": again}


def test_exam_cap_covers_learning_steps_of_days() -> None:
    """A new card in a 4-day learning step is brought back before its recall falls below the target."""
    sched = Scheduler(StudySettings(learning_steps=(timedelta(days=4),), fuzz=False))
    target = ExamPlan(NOW + timedelta(days=10), 0.95, sched.decay)
    uncapped = sched.preview("d/c", None, NOW)[1]  # Again: the 4-day step
    assert uncapped.state == LEARNING and uncapped.stability is not None and uncapped.due is not None
    capped = cap_previews({1: uncapped}, target, NOW)[1]
    reach = target.reach * uncapped.stability
    assert reach < 4  # the step outlasts the target
    assert capped.due == NOW + timedelta(days=max(1, math.floor(reach)))
    assert cap_many({"d/c": uncapped}, ["d/c"], target, NOW) == {"d/c": capped}


def test_every_capped_preview_keeps_the_exam_target() -> None:
    """Rating a card under an exam: each preview either comes back before it falls below the
    target or is at or above it on the exam day (checked with the fsrs package's curve)."""
    scheduler = Scheduler(StudySettings(fuzz=False))
    target = plan(0.95, moment=NOW + timedelta(days=60))
    state = reviewed(8, stability=8.0, interval=8)
    previews = cap_previews(scheduler.preview("d/c", state, NOW), target, NOW)
    uncapped = scheduler.preview("d/c", state, NOW)
    assert any(previews[r].due != uncapped[r].due for r in (2, 3, 4))
    for rating, p in previews.items():
        if p.stability is None:
            continue
        assert p.due is not None and p.last_review is not None and p.stability is not None
        assert p.due <= uncapped[rating].due  # type: ignore[operator]
        at_due = forgetting_curve((p.due - p.last_review).total_seconds() / 86400, p.stability, DECAY)
        on_exam = target.retrievability(p)
        assert at_due >= 0.95 or on_exam >= 0.95 or p.due - p.last_review == timedelta(days=1)


def test_cards_below_the_target_on_the_exam_day_come_first() -> None:
    target = plan(0.9)
    weak = reviewed(0, stability=2.0, interval=2)  # far below 0.9 in 14 days
    strong = reviewed(0, stability=400.0, interval=400)
    middle = reviewed(0, stability=40.0, interval=40)
    ranks = {name: exam_rank(s, target) for name, s in (("weak", weak), ("strong", strong), ("mid", middle))}
    assert sorted(ranks, key=lambda k: ranks[k] or 0.0) == ["weak", "mid", "strong"]
    assert ranks["weak"] is not None and ranks["weak"] < -1e8  # before any card of a deck without an exam
    assert exam_rank(CardState(), target) is None


def test_forecast_counts_new_cards_as_zero_now_and_the_target_if_kept_up() -> None:
    target = plan(0.9)
    strong = reviewed(0, stability=4000.0, interval=4000)
    weak = reviewed(0, stability=1.0, interval=1)
    new: CardState | None = None
    result = forecast([strong, weak, new, CardState(state=NEW)], target, NOW.date(), new_per_day=1)
    strong_r = target.retrievability(strong)
    weak_r = target.retrievability(weak)
    assert result.cards == 4 and result.below == 3 and result.days_left == 14
    assert result.predicted == pytest.approx((strong_r + weak_r) / 4)
    assert result.kept_up == pytest.approx((strong_r + 0.9 + 0.9 + 0.9) / 4)
    line = result.line("Kafka")
    assert line.startswith("Kafka: exam in 14 days · predicted recall ")
    assert line.endswith(f"{result.predicted:.2f} → {result.kept_up:.2f} if you keep up")


def test_forecast_learns_only_the_new_cards_the_daily_limit_allows() -> None:
    target = plan(0.9, moment=NOW + timedelta(days=2))
    result = forecast([None] * 10, target, NOW.date(), new_per_day=2)
    assert result.kept_up == pytest.approx(4 * 0.9 / 10)  # two days, two a day
    assert (
        forecast([], target, NOW.date(), 2).line()
        == "exam in 2 days · predicted recall 0.00 → 0.00 if you keep up"
    )


def test_on_the_exam_day_nothing_more_is_promised_if_you_keep_up() -> None:
    """The exam day has begun at its rollover (no cap, no review before it): the forecast is what
    is predicted, with no arrow to a recall that no studying can reach any more."""
    target = plan(0.9, moment=NOW - timedelta(hours=2))
    weak = reviewed(3, stability=1.0, interval=1)
    result = forecast([weak, None, None], target, NOW.date(), new_per_day=20)
    assert result.days_left == 0
    assert result.kept_up == result.predicted == pytest.approx(target.retrievability(weak) / 3)
    assert result.line("Kafka") == f"Kafka: exam today · predicted recall {result.predicted:.2f}"
    tomorrow = forecast([weak, None, None], plan(0.9, moment=NOW + timedelta(hours=20)), NOW.date(), 20)
    assert tomorrow.days_left == 1 and tomorrow.kept_up == pytest.approx(0.9)  # today is left to study


@given(
    st.lists(
        st.tuples(st.floats(0.05, 5000), st.floats(0, 400), st.floats(0.01, 800), st.sampled_from([1, 2, 3])),
        max_size=30,
    ),
    st.floats(0.5, 0.99),
)
def test_cap_many_is_cap_state_over_many(cards: list[tuple[float, float, float, int]], recall: float) -> None:
    states = {}
    for i, (stability, ago, interval, kind) in enumerate(cards):
        last = NOW - timedelta(days=ago)
        states[f"d/c{i}"] = CardState(
            state=kind,
            stability=stability,
            difficulty=5.0,
            due=last + timedelta(days=interval),
            last_review=last,
        )
    target = plan(recall)
    many = cap_many(states, list(states), target, NOW)
    for key, state in states.items():
        single = cap_state(state, target, NOW)
        assert many.get(key, state) == single
