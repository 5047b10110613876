"""Hard, Good and Easy of a review card are days apart, as in Anki with FSRS (h13).

Anki (rslib `scheduler/states/review.rs`, `passing_fsrs_review_intervals`) constrains the three
passing intervals of a review card in order: Hard at least 1 day, Good at least Hard + 1, Easy
at least Good + 1, each after fuzz and never past the maximum interval (at the maximum they may
be equal). py-fsrs alone fuzzes each on its own, so Hard and Good could both be "3d".
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from retain.core.scheduler import Scheduler
from retain.core.settings import StudySettings
from retain.core.state import REVIEW, CardState
from retain.core.studyday import StudyDay

NOW = datetime(2025, 3, 10, 12, 0, tzinfo=UTC)
_DAY = timedelta(days=1)


def _review(
    stability: float, difficulty: float, elapsed: timedelta, due_in: timedelta, reps: int = 3
) -> CardState:
    return CardState(
        state=REVIEW,
        stability=stability,
        difficulty=difficulty,
        due=NOW + due_in,
        last_review=NOW - elapsed,
        reps=reps,
    )


def _days(scheduler: Scheduler, now: datetime, due: datetime | None) -> int:
    assert due is not None
    day = scheduler.day
    if day is not None:
        return (day.of(due) - day.of(now)).days
    return round((due - now) / _DAY)


def test_hard_and_good_both_3d_are_kept_a_day_apart() -> None:
    """A real state where py-fsrs gives Hard and Good the same fuzzed 3 days (Easy 5)."""
    scheduler = Scheduler(StudySettings(), StudyDay(4, UTC))
    state = _review(2.5, 8.0, _DAY, timedelta(0))
    out = scheduler.preview("solo/q", state, NOW)
    labels = {r: scheduler.label(NOW, out[r]) for r in (2, 3, 4)}
    assert labels == {2: "3d", 3: "4d", 4: "5d"}
    assert all(out[r].state == REVIEW for r in (2, 3, 4))
    assert out[3].stability == scheduler.preview("solo/q", state, NOW)[3].stability  # memory untouched


def test_short_intervals_without_fuzz_are_kept_apart_too() -> None:
    """Stability 0.5, difficulty 10: FSRS gives 1, 1 and 1 day (no fuzz under 2.5 days)."""
    scheduler = Scheduler(StudySettings(fuzz=False))
    out = scheduler.preview("d/c", _review(0.5, 10.0, _DAY, timedelta(0)), NOW)
    assert [_days(scheduler, NOW, out[r].due) for r in (2, 3, 4)] == [1, 2, 3]


def test_at_the_maximum_interval_they_may_be_equal() -> None:
    scheduler = Scheduler(StudySettings(maximum_interval=5, fuzz=False))
    out = scheduler.preview("d/c", _review(300.0, 3.0, 200 * _DAY, timedelta(0)), NOW)
    assert [_days(scheduler, NOW, out[r].due) for r in (2, 3, 4)] == [5, 5, 5]
    # fuzzed, as Anki fuzzes within the maximum (4-5 days here): never past it, Hard never past Good
    scheduler = Scheduler(StudySettings(maximum_interval=5))
    for i in range(40):
        out = scheduler.preview(f"d/c{i}", _review(300.0, 3.0, 200 * _DAY, timedelta(0)), NOW)
        hard, good, easy = (_days(scheduler, NOW, out[r].due) for r in (2, 3, 4))
        assert 4 <= hard <= good <= easy == 5
    # FSRS: Hard 3 days (stability 2.68), Good 3 (3.13), Easy 4 (4.11): Good moves to 4, Easy stays
    scheduler = Scheduler(StudySettings(maximum_interval=4, fuzz=False))
    out = scheduler.preview("d/c", _review(2.0, 9.0, _DAY, timedelta(0)), NOW)
    assert [_days(scheduler, NOW, out[r].due) for r in (2, 3, 4)] == [3, 4, 4]


def test_fuzz_still_spreads_good() -> None:
    """The rule only lifts Good where it would not be past Hard: fuzz still spreads it."""
    scheduler = Scheduler(StudySettings())
    state = _review(30.0, 5.0, 30 * _DAY, timedelta(0))
    goods = {_days(scheduler, NOW, scheduler.preview(f"d/c{i}", state, NOW)[3].due) for i in range(60)}
    assert len(goods) >= 4


@settings(max_examples=300, deadline=None)
@given(
    stability=st.floats(0.1, 500.0),
    difficulty=st.floats(1.0, 10.0),
    elapsed_hours=st.integers(0, 400 * 24),
    due_shift_hours=st.integers(-200 * 24, 200 * 24),
    maximum=st.sampled_from([1, 2, 3, 5, 30, 365, 36500]),
    fuzz=st.booleans(),
    retention=st.sampled_from([0.7, 0.9, 0.97]),
    zone=st.sampled_from([None, "UTC", "Europe/Berlin"]),
    hour=st.integers(0, 23),
    reps=st.integers(1, 50),
)
def test_passing_intervals_of_a_review_card_are_in_strict_order(
    stability: float,
    difficulty: float,
    elapsed_hours: int,
    due_shift_hours: int,
    maximum: int,
    fuzz: bool,
    retention: float,
    zone: str | None,
    hour: int,
    reps: int,
) -> None:
    now = NOW.replace(hour=hour)
    day = None if zone is None else StudyDay(4, UTC if zone == "UTC" else ZoneInfo(zone))
    scheduler = Scheduler(
        StudySettings(maximum_interval=maximum, fuzz=fuzz, desired_retention=retention), day
    )
    last = now - timedelta(hours=elapsed_hours)
    state = CardState(
        state=REVIEW,
        stability=stability,
        difficulty=difficulty,
        due=last + timedelta(hours=max(24, elapsed_hours + due_shift_hours)),
        last_review=last,
        reps=reps,
    )
    out = scheduler.preview("deck/card", state, now)
    hard, good, easy = (_days(scheduler, now, out[r].due) for r in (2, 3, 4))
    assert all(out[r].state == REVIEW for r in (2, 3, 4))
    assert 1 <= hard <= maximum
    assert min(hard + 1, maximum) <= good <= maximum
    assert min(good + 1, maximum) <= easy <= maximum
    assert out == scheduler.preview("deck/card", state, now)  # the labels and the rating agree
