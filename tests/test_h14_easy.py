"""A (re)learning card's Easy is a day past FSRS's Good interval also when Good is a step (h14).

Anki with FSRS (rslib `scheduler/states/learning.rs` `LearnState::answer_easy`, and
`relearning.rs` `RelearnState::answer_easy`) takes Easy's minimum from FSRS's Good interval
whatever Good itself does:

    let good = ctx.with_review_fuzz(states.good.interval, minimum, maximum);
    minimum = good + 1;

So with Good on a learning step ("<10m") Easy is still at least a day past the interval FSRS
gives Good's new stability (fuzzed as a review), within the maximum interval. retain applied
the rule only when Good graduated: a learning card whose Good and Easy stabilities both give
1 day showed Good "<10m" and Easy "1d" (Anki: "2d").
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from fsrs.scheduler import DEFAULT_PARAMETERS
from hypothesis import example, given, settings
from hypothesis import strategies as st

from retain.core.scheduler import Scheduler, interval_label
from retain.core.settings import StudySettings
from retain.core.state import LEARNING, NEW, RELEARNING, REVIEW, CardState
from retain.core.studyday import StudyDay

_DAY = timedelta(days=1)
_MIN = timedelta(minutes=1)
NOW = datetime(2025, 3, 10, 12, tzinfo=UTC)


def _days(day: StudyDay, now: datetime, due: datetime | None) -> int:
    assert due is not None
    return (day.of(due) - day.of(now)).days


def _state(kind: int, step: int | None, stability: float, elapsed: timedelta, now: datetime) -> CardState:
    return CardState(
        state=kind,
        step=step,
        stability=stability,
        difficulty=5.0,
        due=now,
        last_review=now - elapsed,
        reps=3,
    )


def _good_interval(
    study: StudySettings, day: StudyDay, key: str, state: CardState | None, now: datetime
) -> int:
    """FSRS's interval for Good's new stability, fuzzed as a review: what Good stores when it
    graduates, i.e. the same card rated Good with no steps left (the memory state is the same)."""
    graduating = replace(study, learning_steps=(), relearning_steps=())
    out = Scheduler(graduating, day).preview(key, state, now)
    assert out[3].state == REVIEW
    return _days(day, now, out[3].due)


@pytest.mark.parametrize(
    ("kind", "steps", "good_label"),
    [
        (LEARNING, {"learning_steps": (_MIN, 10 * _MIN)}, "<10m"),
        (RELEARNING, {"relearning_steps": (10 * _MIN, 60 * _MIN)}, "1h"),
    ],
)
def test_easy_is_a_day_past_fsrs_good_when_good_is_a_step(
    kind: int, steps: dict[str, tuple[timedelta, ...]], good_label: str
) -> None:
    """Stability 0.5 rated 10 minutes after the last rating: Good 0.55 (FSRS: 1 day) stays on a
    step, Easy 0.95 graduates to 1 day. Before the fix Easy said "1d"; Anki gives 2 days."""
    day = StudyDay(4, UTC)
    study = StudySettings(fuzz=False, **steps)  # type: ignore[arg-type]
    scheduler = Scheduler(study, day)
    state = _state(kind, 0, 0.5, 10 * _MIN, NOW)
    out = scheduler.preview("d/c", state, NOW)
    assert out[3].state == kind and out[4].state == REVIEW
    assert scheduler._fsrs._next_interval(stability=out[3].stability or 0.0) == 1  # FSRS's Good: 1 day
    assert scheduler._fsrs._next_interval(stability=out[4].stability or 0.0) == 1  # FSRS's Easy: 1 day
    assert [scheduler.label(NOW, out[r]) for r in (3, 4)] == [good_label, "2d"]
    assert _days(day, NOW, out[4].due) == 2
    # the label is what the rating stores, and a reschedule with the same weights keeps it
    easy = out[4]
    assert easy.last_review is not None and easy.stability is not None and easy.due is not None
    own = scheduler.review_due("d/c", easy.reps, easy.last_review, easy.stability)
    assert own == NOW + _DAY and scheduler.moved_apart(easy.last_review, own, easy.due)


def test_without_a_study_day_easy_is_two_24_hour_days() -> None:
    scheduler = Scheduler(StudySettings(fuzz=False))
    out = scheduler.preview("d/c", _state(LEARNING, 0, 0.5, 10 * _MIN, NOW), NOW)
    assert out[3].due == NOW + 10 * _MIN
    assert out[4].due == NOW + 2 * _DAY
    assert scheduler.label(NOW, out[4]) == "2d"


# FSRS weights whose same-day Good and Easy leave the stability as it was (w17 = w18 = 0: no
# short-term increase): Good and Easy get the same FSRS interval, fuzzed alike.
FLAT = tuple(0.0 if i in (17, 18) else w for i, w in enumerate(DEFAULT_PARAMETERS))


@pytest.mark.parametrize(("kind", "steps"), [(LEARNING, (_MIN, 10 * _MIN)), (RELEARNING, (10 * _MIN, _DAY))])
def test_easy_is_a_day_past_a_fuzzed_good(kind: int, steps: tuple[timedelta, ...]) -> None:
    """Good and Easy both keep stability 5 (FSRS: 5 days, fuzzed to 4-7 by the card's seed);
    Good stays on its step. Easy is the fuzzed Good interval + 1 (Anki fuzzes Good's FSRS
    interval with the card's fuzz factor): 5-8 days by card, never on Good's day. Before the
    fix Easy was Good's fuzzed interval itself. A relearning step of `1d` is raised to FSRS's
    unfuzzed 5 days: Easy is then also a day past that (6 when the fuzz drew 4, h38)."""
    day = StudyDay(4, UTC)
    study = StudySettings(fuzz=True, parameters=FLAT, learning_steps=steps, relearning_steps=steps)
    scheduler = Scheduler(study, day)
    state = _state(kind, 0, 5.0, 10 * _MIN, NOW)
    seen = set()
    for n in range(30):
        key = f"d/c{n}"
        out = scheduler.preview(key, state, NOW)
        assert out[3].state == kind and out[3].stability == out[4].stability == 5.0
        good = _good_interval(study, day, key, state, NOW)
        assert 4 <= good <= 7  # py-fsrs rounds r * (6 - 4 + 1) + 4: 4 to 7
        least = max(good, _days(day, NOW, out[3].due)) + 1  # past Good's own step of days too
        assert _days(day, NOW, out[4].due) == least
        assert scheduler.label(NOW, out[4]) == f"{least}d"
        seen.add(good)
        easy = out[4]
        assert easy.last_review is not None and easy.stability is not None and easy.due is not None
        own = scheduler.review_due(key, easy.reps, easy.last_review, easy.stability)
        assert own == NOW + good * _DAY and scheduler.moved_apart(easy.last_review, own, easy.due)
    assert len(seen) > 1  # the fuzz is kept


def test_the_maximum_interval_wins() -> None:
    """With `maximum_interval = 1` Easy stays at 1 day (Anki's minimum is clamped to the maximum)."""
    day = StudyDay(4, UTC)
    scheduler = Scheduler(StudySettings(fuzz=False, maximum_interval=1), day)
    out = scheduler.preview("d/c", _state(LEARNING, 0, 0.5, 10 * _MIN, NOW), NOW)
    assert out[3].state == LEARNING and _days(day, NOW, out[4].due) == 1


def test_a_review_moved_behind_a_step_stays_within_the_maximum_in_study_days() -> None:
    """Steps `1d 3d`, `maximum_interval = 1`, a new card rated at 03:59 EST on 13 March 2027 (the
    study day of the 12th; the clocks spring forward on the 14th). Easy graduates at the maximum,
    1 day, and is not moved past it behind Good's `3d` step: the maximum was counted as 24 hours
    from the rating (04:59 EDT on the 14th, the study day 2 days on): Easy said "2d"."""
    day = StudyDay(4, ZoneInfo("America/New_York"))
    now = datetime(2027, 3, 13, 8, 59, tzinfo=UTC)
    study = StudySettings(fuzz=False, maximum_interval=1, learning_steps=(_DAY, 3 * _DAY))
    scheduler = Scheduler(study, day)
    out = scheduler.preview("d/c0", None, now)
    assert out[4].state == REVIEW and _days(day, now, out[4].due) == 1
    assert scheduler.label(now, out[4]) == "1d"


_STEPS = st.sampled_from(
    [
        (),
        (_MIN,),
        (_MIN, 10 * _MIN),
        (10 * _MIN, 60 * _MIN),
        (10 * _MIN, _DAY),
        (_DAY, 3 * _DAY),
        (5 * _MIN, 2 * _DAY, 7 * _DAY),
    ]
)


@settings(max_examples=400, deadline=None)
@example(  # Easy moved onto Good's day step, which a DST change makes `days_after`'s moment too
    kind=LEARNING,
    steps=(10 * _MIN, _DAY),
    step_pick=0,
    stability=16.0,
    difficulty=1.0,
    elapsed=5 * _MIN,
    retention=0.8,
    fuzz=True,
    flat=True,
    maximum=36500,
    key=0,
    zone="Europe/Berlin",
    minutes=-241,
)
@given(
    kind=st.sampled_from([NEW, LEARNING, RELEARNING]),
    steps=_STEPS,
    step_pick=st.integers(0, 5),
    stability=st.floats(0.05, 40.0),
    difficulty=st.floats(1.0, 10.0),
    elapsed=st.sampled_from([5 * _MIN, 20 * 60 * _MIN, 2 * _DAY, 10 * _DAY]),
    retention=st.sampled_from([0.8, 0.9, 0.97]),
    fuzz=st.booleans(),
    flat=st.booleans(),
    maximum=st.sampled_from([1, 2, 3, 36500]),
    key=st.integers(0, 50),
    zone=st.sampled_from(["UTC", "Europe/Berlin", "America/New_York"]),
    minutes=st.integers(-10 * 24 * 60, 24 * 60),
)
def test_easy_is_a_day_past_fsrs_good_and_the_ratings_stay_in_order(
    kind: int,
    steps: tuple[timedelta, ...],
    step_pick: int,
    stability: float,
    difficulty: float,
    elapsed: timedelta,
    retention: float,
    fuzz: bool,
    flat: bool,
    maximum: int,
    key: int,
    zone: str,
    minutes: int,
) -> None:
    """Any (re)learning or new card, any steps (of minutes or days), fuzz, retention, maximum:
    Easy graduates at least a day past FSRS's Good interval (within the maximum) whether Good
    graduates or takes a step; Hard <= Good <= Easy; each review's label is what it stores; a
    reschedule with the same weights keeps Easy's due date (`Scheduler.moved_apart`)."""
    day = StudyDay(4, ZoneInfo(zone))
    now = datetime(2027, 3, 14, 7, tzinfo=UTC) + timedelta(minutes=minutes)
    study = StudySettings(
        fuzz=fuzz,
        parameters=FLAT if flat else None,
        desired_retention=retention,
        maximum_interval=maximum,
        learning_steps=steps,
        relearning_steps=steps,
    )
    scheduler = Scheduler(study, day)
    name = f"d/c{key}"
    state = None
    if kind != NEW:
        step = step_pick % len(steps) if steps else None
        state = replace(_state(kind, step, stability, elapsed, now), difficulty=difficulty)
    out = scheduler.preview(name, state, now)
    hard, good, easy = out[2], out[3], out[4]
    assert easy.state == REVIEW and hard.due and good.due and easy.due
    days = {r: _days(day, now, out[r].due) for r in (2, 3, 4)}
    # the rule: a day past FSRS's Good interval, within the maximum, never past it
    fsrs_good = _good_interval(study, day, name, state, now)
    least = min(fsrs_good + 1, maximum)
    assert least <= days[4] <= maximum, (least, days)
    # Hard <= Good <= Easy (a step of days counts in study days; a review never passes the maximum)
    good_by_day = good.state != REVIEW and good.due == day.start_of(day.of(good.due))
    assert good.due >= hard.due or (good_by_day and days[3] >= days[2]) or days[3] == maximum, (hard, good)
    assert easy.due >= good.due or days[4] == maximum, (good, easy)
    for rating in (2, 3, 4):
        if out[rating].state == REVIEW:
            n = days[rating]
            assert scheduler.label(now, out[rating]) == interval_label(now, now + n * _DAY)
    # a reschedule with these weights keeps Easy's due where `_apart` dated it (`_in_order` may
    # move it to a later step's moment instead: not a whole number of days)
    assert easy.last_review is not None and easy.stability is not None
    own = scheduler.review_due(name, easy.reps, easy.last_review, easy.stability)
    # (Good a step of days whose due is FSRS's unfuzzed interval, the start of a study day, and
    # Easy moved onto it: that moment may also be `days_after`'s, across a DST change a minute
    # before the rollover; it is `_in_order`'s all the same)
    # (nor when Easy is a day past Good's own due, later than FSRS's Good interval: a step of
    # days raised to FSRS's unfuzzed interval, or Good moved to Hard's step; the journal's review
    # is made again through `preview` for those, h38)
    past_good = days[4] == days[3] + 1 and days[3] > fsrs_good
    if (
        easy.due == day.days_after(now, days[4])
        and not (good.state != REVIEW and easy.due == good.due)
        and not past_good
    ):
        assert own == easy.due or scheduler.moved_apart(easy.last_review, own, easy.due), (own, easy)
