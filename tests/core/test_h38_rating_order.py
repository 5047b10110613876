"""The rating order holds on the due dates the buttons show, whatever fuzz draws and steps raise.

docs/scheduling.md: Hard <= Good <= Easy; a review card's Hard, Good and Easy are days apart (Hard
at least a day); a new, learning or relearning card's Easy is at least a day past Good ("with Good
at `1d`, Easy says `2d`, not `1d` too"); only the maximum interval may make them equal (or put
Easy, graduating at the maximum, before a longer step of Good's). All in study days.

Easy's minimum used to come from FSRS's fuzzed interval for Good while Good's step of days was
raised to FSRS's unfuzzed one (and, in relearning, to Hard's raised step): with learning steps
`10m 1d 3d`, a card rated Hard at 21:00 and reviewed the next morning showed `Good 5d  Easy 5d`.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from retain.core.scheduler import Scheduler
from retain.core.settings import StudySettings
from retain.core.state import LEARNING, NEW, RELEARNING, REVIEW, CardState
from retain.core.studyday import StudyDay

_STEPS = st.lists(
    st.sampled_from(
        [
            timedelta(minutes=1),
            timedelta(minutes=10),
            timedelta(hours=1),
            timedelta(hours=12),
            timedelta(days=1),
            timedelta(hours=36),
            timedelta(days=2),
            timedelta(days=3),
            timedelta(days=10),
        ]
    ),
    max_size=3,
).map(tuple)


def _days(day: StudyDay, at: datetime, due: datetime | None) -> int:
    assert due is not None
    return (day.of(due) - day.of(at)).days


def _assert_documented_order(
    sched: Scheduler, day: StudyDay, card: CardState | None, key: str, at: datetime
) -> None:
    """docs/scheduling.md's order, on the previewed due dates (study days from `at`)."""
    p = sched.preview(key, card, at)
    most = sched.max_interval
    hard, good, easy = (_days(day, at, p[r].due) for r in (2, 3, 4))
    shown = {r: sched.label(at, p[r]) for r in (2, 3, 4)}
    for rating in (2, 3, 4):
        if p[rating].state == REVIEW:  # a review waits at least a day, never past the maximum
            assert 1 <= _days(day, at, p[rating].due) <= most, (rating, shown)
    good_at_most = p[3].state == REVIEW and good == most
    assert hard <= good or good_at_most, shown
    assert good < easy or easy == most, shown
    if card is not None and card.state == REVIEW:  # a review card's three are days apart
        assert hard < good or good == most, shown


def _card(
    kind: int,
    step: int,
    steps: tuple[timedelta, ...],
    stability: float,
    difficulty: float,
    last: datetime,
    due: datetime,
) -> CardState | None:
    if kind == NEW:
        return None
    return CardState(
        state=kind,
        step=None if kind == REVIEW else min(step, max(0, len(steps) - 1)),
        stability=stability,
        difficulty=difficulty,
        due=due,
        last_review=last,
        reps=4,
        lapses=1 if kind == RELEARNING else 0,
    )


@settings(max_examples=400, deadline=None)
@given(
    learning=_STEPS,
    relearning=_STEPS,
    retention=st.sampled_from([0.7, 0.8, 0.9, 0.95, 0.99]),
    maximum=st.sampled_from([1, 2, 3, 5, 8, 30, 36500]),
    fuzz=st.booleans(),
    kind=st.sampled_from([NEW, LEARNING, RELEARNING, REVIEW]),
    step=st.integers(0, 2),
    stability=st.floats(0.1, 120),
    difficulty=st.floats(1, 10),
    hours_ago=st.floats(0.1, 24 * 60),
    hour=st.floats(0, 23.99),
    rollover=st.sampled_from([0, 4, 12]),
    zone=st.sampled_from(["UTC", "America/New_York"]),
    key=st.integers(0, 10**6),
)
def test_rating_order_on_the_previewed_due_dates(
    learning: tuple[timedelta, ...],
    relearning: tuple[timedelta, ...],
    retention: float,
    maximum: int,
    fuzz: bool,
    kind: int,
    step: int,
    stability: float,
    difficulty: float,
    hours_ago: float,
    hour: float,
    rollover: int,
    zone: str,
    key: int,
) -> None:
    day = StudyDay(rollover, ZoneInfo(zone))
    study = StudySettings(
        desired_retention=retention,
        fuzz=fuzz,
        learning_steps=learning,
        relearning_steps=relearning,
        maximum_interval=maximum,
    )
    sched = Scheduler(study, day)
    at = day.start_of(datetime(2026, 3, 2).date()) + timedelta(hours=hour)
    last = at - timedelta(hours=hours_ago)
    steps = learning if kind == LEARNING else relearning
    card = _card(kind, step, steps, stability, difficulty, last, last + timedelta(days=stability))
    _assert_documented_order(sched, day, card, f"d/c{key}", at)


@settings(max_examples=200, deadline=None)
@given(
    learning=_STEPS,
    relearning=_STEPS,
    retention=st.sampled_from([0.8, 0.9, 0.95]),
    fuzz=st.booleans(),
    first=st.sampled_from([1, 2, 3, 4]),
    lapse_after=st.floats(0.5, 60),
    hour=st.floats(0, 23.99),
    key=st.integers(0, 10**6),
)
def test_rating_order_along_a_cards_life(
    learning: tuple[timedelta, ...],
    relearning: tuple[timedelta, ...],
    retention: float,
    fuzz: bool,
    first: int,
    lapse_after: float,
    hour: float,
    key: int,
) -> None:
    """States a card really reaches: a first rating at any hour, the next review when it is due
    (or at once), then a lapse of the review card and its relearning steps when due."""
    day = StudyDay(4, UTC)
    study = StudySettings(
        desired_retention=retention, fuzz=fuzz, learning_steps=learning, relearning_steps=relearning
    )
    sched = Scheduler(study, day)
    name = f"d/c{key}"
    at = day.start_of(datetime(2026, 12, 10).date()) + timedelta(hours=hour)
    card: CardState | None = sched.preview(name, None, at)[first]
    for rating in (3, 2, 3, 1, 3, 3):
        assert card is not None and card.due is not None
        at = max(at + timedelta(minutes=1), card.due + timedelta(minutes=5))
        if rating == 1 and card.state == REVIEW:
            at = card.due + timedelta(days=lapse_after)
        _assert_documented_order(sched, day, card, name, at)
        card = sched.preview(name, card, at)[rating]


def _keys_with_easy_not_past_good(
    sched: Scheduler, day: StudyDay, card: CardState, at: datetime
) -> list[str]:
    bad = []
    for i in range(40):
        key = f"ta/card-{i}"
        p = sched.preview(key, card, at)
        if _days(day, at, p[4].due) <= _days(day, at, p[3].due):
            bad.append(f"{key}: Good {sched.label(at, p[3])} Easy {sched.label(at, p[4])}")
    return bad


def test_learning_step_of_days_after_hard_the_evening_before() -> None:
    """The attacker's case: steps `10m 1d 3d`, Hard at 21:00 (step 0, due 09:05), shown at 09:10."""
    day = StudyDay(4, UTC)
    steps = (timedelta(minutes=10), timedelta(days=1), timedelta(days=3))
    sched = Scheduler(StudySettings(learning_steps=steps), day)
    rated = datetime(2026, 12, 10, 21, 0, 9, tzinfo=UTC)
    card = CardState(
        state=LEARNING,
        step=0,
        stability=1.2931,
        difficulty=5.11217,
        due=rated + timedelta(seconds=43500),
        last_review=rated,
        reps=1,
    )
    assert _keys_with_easy_not_past_good(sched, day, card, datetime(2026, 12, 11, 9, 10, 6, tzinfo=UTC)) == []


def test_relearning_step_of_days_on_its_due_day() -> None:
    """Relearning steps `1d` and `10m 1d`: a relapsed card on its due day showed `Good 4d  Easy 4d`."""
    day = StudyDay(4, UTC)
    for steps in ((timedelta(days=1),), (timedelta(minutes=10), timedelta(days=1))):
        sched = Scheduler(replace(StudySettings(), relearning_steps=steps), day)
        bad = []
        for i in range(60):
            key = f"d/k{i}"
            stability = 3 + (i % 40) * 1.5
            last = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
            card: CardState = CardState(
                state=REVIEW,
                stability=stability,
                difficulty=3 + (i % 6),
                due=day.days_after(last, max(1, int(stability))),
                last_review=last,
                reps=5,
            )
            assert card.due is not None
            at = card.due + timedelta(hours=6)
            card = sched.preview(key, card, at)[1]
            for _ in range(len(steps)):
                assert card.due is not None
                at = max(card.due, at) + timedelta(minutes=1)
                p = sched.preview(key, card, at)
                if _days(day, at, p[4].due) <= _days(day, at, p[3].due):
                    bad.append(f"{key}: Good {sched.label(at, p[3])} Easy {sched.label(at, p[4])}")
                card = p[3]
                if card.state == REVIEW:
                    break
        assert bad == [], (steps, bad[:5])
