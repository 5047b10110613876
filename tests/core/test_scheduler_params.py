"""Personal FSRS parameters in the scheduler, and the FSRS pitfalls of issue 16.

Retrievability is checked against fsrs-rs (`next_interval`) for non-default
weights; fuzz is deterministic per card and review count; same-day reviews,
day-long learning steps and Again on a review card behave as FSRS expects.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import fsrs
import fsrs_rs_python as rs
import pytest
from fsrs.scheduler import DEFAULT_PARAMETERS
from hypothesis import given, settings
from hypothesis import strategies as st

from retain.core.queue import _rank
from retain.core.scheduler import Scheduler, retrievability
from retain.core.settings import StudySettings
from retain.core.state import LEARNING, RELEARNING, REVIEW, CardState

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
# Weights far from the defaults (decay 0.5 against the default 0.1542).
PERSONAL = (
    0.8,
    3.0,
    8.0,
    20.0,
    6.8,
    0.6,
    2.2,
    0.02,
    1.3,
    0.25,
    1.2,
    1.8,
    0.08,
    0.4,
    1.9,
    0.4,
    2.4,
    0.6,
    0.1,
    0.05,
    0.5,
)


def review(stability: float, days_ago: float, *, reps: int = 5) -> CardState:
    last = NOW - timedelta(days=days_ago)
    return CardState(
        state=REVIEW,
        stability=stability,
        difficulty=5.0,
        due=last + timedelta(days=round(stability)),
        last_review=last,
        reps=reps,
    )


@pytest.mark.parametrize("target", [0.7, 0.8, 0.9, 0.95])
@pytest.mark.parametrize("params", [PERSONAL, tuple(DEFAULT_PARAMETERS)])
def test_retrievability_matches_fsrs_rs_for_the_presets_weights(
    target: float, params: tuple[float, ...]
) -> None:
    stability = 12.5
    days = rs.FSRS(list(params)).next_interval(stability, target, 3)  # R(days) == target there
    state = review(stability, 0)
    assert retrievability(state, NOW + timedelta(days=days), params) == pytest.approx(target, abs=2e-3)
    sched = Scheduler(StudySettings(parameters=params))
    assert sched.retrievability(state, NOW + timedelta(days=days)) == pytest.approx(target, abs=2e-3)


def test_retrievability_uses_the_presets_decay_not_the_default() -> None:
    state = review(10.0, 0)
    later = NOW + timedelta(days=40)
    mine = Scheduler(StudySettings(parameters=PERSONAL)).retrievability(state, later)
    default = Scheduler(StudySettings()).retrievability(state, later)
    assert abs(mine - default) > 0.01


def test_retrievability_counts_seconds_not_whole_days() -> None:
    state = review(1.0, 0)
    a = retrievability(state, NOW + timedelta(hours=2))
    b = retrievability(state, NOW + timedelta(hours=20))
    assert 1.0 > a > b > retrievability(state, NOW + timedelta(days=1))


def test_retrievability_is_defined_for_learning_and_relearning_cards() -> None:
    sched = Scheduler(StudySettings(parameters=PERSONAL))
    learning = sched.preview("d/c", None, NOW)[3]
    assert learning.state == LEARNING
    r = sched.retrievability(learning, NOW + timedelta(hours=6))
    assert 0.0 < r < 1.0
    lapsed = sched.preview("d/c", review(30.0, 30), NOW)[1]
    assert lapsed.state == RELEARNING
    assert 0.0 < sched.retrievability(lapsed, NOW + timedelta(hours=6)) < 1.0


def test_personal_weights_change_the_intervals() -> None:
    state = review(10.0, 10)
    mine = Scheduler(StudySettings(parameters=PERSONAL, fuzz=False)).preview("d/c", state, NOW)
    default = Scheduler(StudySettings(fuzz=False)).preview("d/c", state, NOW)
    assert mine[3].due != default[3].due
    assert mine[3].stability != default[3].stability


def test_due_order_is_lowest_retrievability_first_with_personal_weights() -> None:
    states = [review(s, d) for s, d in [(3, 2), (50, 40), (10, 30), (1, 1), (200, 100), (5, 20)]]
    by_rank = sorted(range(len(states)), key=lambda i: _rank(states[i], NOW))
    for params in (PERSONAL, tuple(DEFAULT_PARAMETERS)):
        by_r = sorted(range(len(states)), key=lambda i: retrievability(states[i], NOW, params))
        assert by_rank == by_r


# -- fuzz -----------------------------------------------------------------------------


def test_fuzz_is_deterministic_per_card_and_review_count() -> None:
    state = review(40.0, 40)
    sched = Scheduler(StudySettings())
    first = sched.preview("d/c", state, NOW)
    again = Scheduler(StudySettings()).preview("d/c", state, NOW)
    assert first == again  # a recomputed preview equals the one shown
    dues = {sched.preview("d/c", replace(state, reps=n), NOW)[3].due for n in range(5, 25)}
    assert len(dues) > 1  # ...but it varies with the review count


def test_fuzzed_interval_never_shrinks_on_a_passing_review_of_a_due_card() -> None:
    sched = Scheduler(StudySettings())
    for i in range(200):
        stability = 5.0 + i * 0.7
        state = review(stability, stability * 1.0)
        state = replace(state, due=NOW - timedelta(hours=1), reps=i)
        last = state.due - state.last_review  # type: ignore[operator]
        for rating in (3, 4):
            after = sched.preview(f"d/c{i}", state, NOW)[rating]
            assert after.due - NOW >= last - timedelta(minutes=1)  # type: ignore[operator]


def _fsrs_intervals(
    state: CardState, retention: float, params: tuple[float, ...] = tuple(DEFAULT_PARAMETERS)
) -> dict[int, timedelta]:
    """The fsrs package's own (unfuzzed) Hard, Good and Easy intervals for a review `state` at NOW."""
    ref = fsrs.Scheduler(parameters=params, desired_retention=retention, enable_fuzzing=False)
    card = fsrs.Card(
        card_id=1,
        state=fsrs.State.Review,
        stability=state.stability,
        difficulty=state.difficulty,
        due=state.due,
        last_review=state.last_review,
    )
    return {r: ref.review_card(card, fsrs.Rating(r), review_datetime=NOW)[0].due - NOW for r in (2, 3, 4)}


def _kept_apart(own: dict[int, timedelta], maximum: int = 36500) -> dict[int, timedelta]:
    """FSRS's Hard, Good and Easy kept a day apart (never past the maximum), as Anki does
    (`Scheduler._apart`)."""
    top, day = timedelta(days=maximum), timedelta(days=1)
    hard = own[2]
    good = max(own[3], min(hard + day, top))
    return {2: hard, 3: good, 4: max(own[4], min(good + day, top))}


def test_raised_desired_retention_shortens_good_and_easy_intervals() -> None:
    """Raised from 0.9 to 0.99, a due card scheduled 10 days out gets FSRS's Good 2 days and Easy
    4 days: the never-shorter floor used to keep both at the old 10 days (Good = Easy)."""
    state = replace(review(10.0, 10), due=NOW)  # scheduled at 0.9: 10 days
    ours = Scheduler(StudySettings(desired_retention=0.99, fuzz=False)).preview("d/c", state, NOW)
    expected = _kept_apart(_fsrs_intervals(state, 0.99))
    assert {r: ours[r].due - NOW for r in (2, 3, 4)} == expected  # type: ignore[operator]
    assert expected[3] < timedelta(days=10)  # the case the floor used to hide


@settings(max_examples=150, deadline=None)
@given(
    stability=st.floats(0.5, 3000),
    interval=st.integers(1, 5000),
    overdue=st.floats(0, 30),
    retention=st.sampled_from([0.7, 0.8, 0.9, 0.95, 0.99]),
    personal=st.booleans(),
)
def test_unfuzzed_passing_reviews_of_due_cards_are_fsrs_own(
    stability: float, interval: int, overdue: float, retention: float, personal: bool
) -> None:
    """Without fuzz nothing moves FSRS's interval, whatever the last interval was (longer ones
    come from a lower retention, other weights or an imported schedule), but the rule that keeps
    Hard, Good and Easy a day apart."""
    last = NOW - timedelta(days=interval + overdue)
    state = CardState(REVIEW, None, stability, 5.0, last + timedelta(days=interval), last, 5, 0)
    params = PERSONAL if personal else tuple(DEFAULT_PARAMETERS)
    settings_ = StudySettings(desired_retention=retention, fuzz=False, parameters=params)
    ours = Scheduler(settings_).preview("d/c", state, NOW)
    assert {r: ours[r].due - NOW for r in (2, 3, 4)} == _kept_apart(_fsrs_intervals(state, retention, params))  # type: ignore[operator]


@settings(max_examples=150, deadline=None)
@given(
    stability=st.floats(0.5, 3000),
    interval=st.integers(1, 5000),
    retention=st.sampled_from([0.7, 0.8, 0.9, 0.95, 0.99]),
    reps=st.integers(1, 500),
)
def test_fuzzed_passing_reviews_keep_the_floor_and_the_order(
    stability: float, interval: int, retention: float, reps: int
) -> None:
    """With fuzz, Good and Easy of a due card are at least min(last interval, FSRS's own), and
    Hard <= Good <= Easy."""
    last = NOW - timedelta(days=interval)
    state = CardState(REVIEW, None, stability, 5.0, NOW, last, reps, 0)
    ours = Scheduler(StudySettings(desired_retention=retention)).preview(f"d/c{reps}", state, NOW)
    own = _fsrs_intervals(state, retention)
    dues = [ours[r].due for r in (2, 3, 4)]
    assert dues == sorted(dues)  # type: ignore[type-var]
    for rating in (3, 4):
        assert ours[rating].due - NOW >= min(timedelta(days=interval), own[rating])  # type: ignore[operator]


# -- same-day reviews and steps -----------------------------------------------------------


@pytest.mark.parametrize("params", [PERSONAL, tuple(DEFAULT_PARAMETERS)])
def test_same_day_hard_does_not_lower_stability(params: tuple[float, ...]) -> None:
    sched = Scheduler(StudySettings(parameters=params))
    for stability in (0.5, 2.0, 10.0, 80.0):
        state = review(stability, 0.1)
        for rating in (2, 3, 4):
            after = sched.preview("d/c", state, NOW)[rating]
            assert after.stability is not None and after.stability >= stability - 1e-9


def test_again_on_a_review_card_goes_to_relearning() -> None:
    after = Scheduler(StudySettings()).preview("d/c", review(20.0, 20), NOW)[1]
    assert after.state == RELEARNING and after.lapses == 1
    assert after.due == NOW + timedelta(minutes=10)


def test_day_long_learning_steps_do_not_fight_fsrs_intervals() -> None:
    settings = StudySettings(relearning_steps=(timedelta(days=1),), fuzz=False, parameters=PERSONAL)
    sched = Scheduler(settings)
    after = sched.preview("d/c", review(300.0, 300), NOW)[1]  # a lapse of a strong card
    assert after.state == RELEARNING
    fsrs_days = rs.FSRS(list(PERSONAL)).next_interval(after.stability, settings.desired_retention, 3)
    assert after.due is not None
    assert after.due - NOW >= timedelta(days=max(1, round(fsrs_days)))
    # steps under a day stay as they are
    short = Scheduler(StudySettings(parameters=PERSONAL)).preview("d/c", review(300.0, 300), NOW)[1]
    assert short.due == NOW + timedelta(minutes=10)
