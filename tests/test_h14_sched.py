"""Scheduling labels and the day-apart rule (h14).

1. A button's label counts study days, as the due date does: "3d" means due on the study day
   three days on, also when a DST change (a 23-hour spring-forward day, a 25-hour fall-back
   day) lies between now and the due. The label once measured the hours, and a review moved by
   a spring-forward to the start of its study day (`StudyDay.days_after`) read a day short.
2. An exam cap keeps Hard, Good and Easy of a review card a day apart where it leaves room (the
   lower rating comes a day sooner, the cap still holds); only a cap of one or two days makes
   ratings equal (Hard is at least a day).
3. A (re)learning card's Easy is at least a day past Good when Good graduates, as Anki's
   `LearnState::answer_easy` / `RelearnState::answer_easy` (minimum = Good's interval + 1),
   within the maximum interval; the label is the interval the rating stores.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from retain.core.exam import ExamPlan, cap_previews, cap_state
from retain.core.scheduler import Scheduler, interval_label
from retain.core.settings import StudySettings
from retain.core.state import LEARNING, RELEARNING, REVIEW, CardState
from retain.core.studyday import StudyDay

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
_DAY = timedelta(days=1)
# The DST changes of 2027: Europe on the last Sundays of March and October, the US on the
# second Sunday of March and the first of November.
CHANGES = {
    "Europe/Berlin": (datetime(2027, 3, 28, 1, tzinfo=UTC), datetime(2027, 10, 31, 1, tzinfo=UTC)),
    "America/New_York": (datetime(2027, 3, 14, 7, tzinfo=UTC), datetime(2027, 11, 7, 6, tzinfo=UTC)),
}


def _review_state(now: datetime, stability: float = 3.0, difficulty: float = 5.0) -> CardState:
    return CardState(
        state=REVIEW,
        stability=stability,
        difficulty=difficulty,
        due=now,
        last_review=now - timedelta(days=3),
        reps=3,
    )


def _study_days(day: StudyDay, now: datetime, due: datetime | None) -> int:
    assert due is not None
    return (day.of(due) - day.of(now)).days


# -- 1. labels count study days ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("zone", "local"),
    [
        (BERLIN, datetime(2027, 3, 27, 3, 30)),  # study day Friday 26th; Sunday 28th is 23 hours
        (BERLIN, datetime(2027, 3, 26, 3, 30)),
        (NEW_YORK, datetime(2027, 3, 13, 3, 30)),  # the US change: Sunday 14th
    ],
)
def test_review_labels_across_a_spring_forward_count_study_days(zone: ZoneInfo, local: datetime) -> None:
    """Before the fix: Hard "7d", Good "10d", Easy "17d" for reviews due on the study days 8, 11
    and 18 on (due from 04:00 of those study days: 7 days and 23.5 hours from 03:30)."""
    day = StudyDay(4, zone)
    now = local.replace(tzinfo=zone).astimezone(UTC)
    scheduler = Scheduler(StudySettings(fuzz=False), day)
    out = scheduler.preview("d/c", _review_state(now), now)
    days = {r: _study_days(day, now, out[r].due) for r in (2, 3, 4)}
    assert days == {2: 8, 3: 11, 4: 18}
    assert {r: scheduler.label(now, out[r]) for r in (2, 3, 4)} == {2: "8d", 3: "11d", 4: "18d"}


def test_a_one_day_review_half_an_hour_before_the_rollover_says_1d() -> None:
    """Rated at 03:30 on the Saturday before the spring-forward (study day Friday): its 1-day
    review is due on the Saturday study day, from its 04:00 (Sunday 03:30 + 24 h would be on the
    Sunday study day). The button said "<30m"; it means tomorrow's study day: "1d"."""
    day = StudyDay(4, BERLIN)
    now = datetime(2027, 3, 27, 3, 30, tzinfo=BERLIN).astimezone(UTC)
    due = day.days_after(now, 1)
    assert due == day.start_of(date(2027, 3, 27))  # half an hour later
    scheduler = Scheduler(StudySettings(), day)
    assert scheduler.label(now, CardState(state=REVIEW, stability=1.0, due=due, last_review=now)) == "1d"


def _parse_days(label: str) -> int | None:
    return int(label[:-1]) if label.endswith("d") else None


_ZONES = st.sampled_from(sorted(CHANGES))


@settings(max_examples=300, deadline=None)
@given(
    zone=_ZONES,
    spring=st.booleans(),
    rollover=st.integers(0, 23),
    minutes=st.integers(-40 * 24 * 60, 2 * 24 * 60),
    days=st.integers(1, 120),
)
def test_a_review_label_names_the_study_day_it_is_due_on(
    zone: str, spring: bool, rollover: int, minutes: int, days: int
) -> None:
    """Any moment from 40 days before a DST change to 2 days after it, any rollover hour, any
    interval: a review due `days` study days on (`days_after`, as every review is dated) is
    labelled as a 24-hour day count of `days` would be ("3d", "1.5mo")."""
    day = StudyDay(rollover, ZoneInfo(zone))
    now = CHANGES[zone][0 if spring else 1] + timedelta(minutes=minutes)
    due = day.days_after(now, days)
    assert _study_days(day, now, due) == days
    state = CardState(state=REVIEW, stability=float(days), difficulty=5.0, due=due, last_review=now)
    assert Scheduler(StudySettings(), day).label(now, state) == interval_label(now, now + days * _DAY)


@settings(max_examples=150, deadline=None)
@given(
    zone=_ZONES,
    spring=st.booleans(),
    rollover=st.sampled_from([0, 3, 4, 5]),
    minutes=st.integers(-30 * 24 * 60, 24 * 60),
    stability=st.floats(0.5, 25.0),
    fuzz=st.booleans(),
)
def test_every_passing_button_names_the_study_day_its_rating_stores(
    zone: str, spring: bool, rollover: int, minutes: int, stability: float, fuzz: bool
) -> None:
    """A review previewed near a DST change: each of Hard, Good and Easy says "Nd" with N the
    study days until the due date the rating stores."""
    day = StudyDay(rollover, ZoneInfo(zone))
    now = CHANGES[zone][0 if spring else 1] + timedelta(minutes=minutes)
    scheduler = Scheduler(StudySettings(fuzz=fuzz), day)
    out = scheduler.preview("d/c", _review_state(now, stability), now)
    for rating in (2, 3, 4):
        shown = _parse_days(scheduler.label(now, out[rating]))
        if shown is not None:  # under 30 days
            assert shown == _study_days(day, now, out[rating].due), (rating, out[rating])


def test_an_intraday_step_over_the_rollover_keeps_its_minutes() -> None:
    """Unchanged: a 30-minute step set at 03:40 is due at 04:10, on the next study day: "<30m"."""
    day = StudyDay(4, BERLIN)
    now = datetime(2027, 3, 27, 3, 40, tzinfo=BERLIN).astimezone(UTC)
    state = CardState(state=LEARNING, step=0, stability=1.0, due=now + timedelta(minutes=30), last_review=now)
    assert Scheduler(StudySettings(), day).label(now, state) == "<30m"


# -- 2. an exam cap keeps the ratings apart where it leaves room -------------------------------


def _exam(scheduler: Scheduler, now: datetime, recall: float) -> ExamPlan:
    return ExamPlan(now + 200 * _DAY, recall, scheduler.decay, None, scheduler.day)


def test_an_exam_cap_that_met_hard_and_good_keeps_hard_a_day_sooner() -> None:
    """FSRS gives Hard 11 days, Good 12 and Easy 14 (stabilities 11.4, 12.4 and 14.4); an exam
    with target recall 0.95 caps them to 4, 4 and 5 days (t* = 4.x, 4.x, 5.x): Hard said "4d" like
    Good. Now Hard is 3 days, a day before Good, and every cap still holds."""
    day = StudyDay(4, UTC)
    now = datetime(2025, 3, 10, 12, tzinfo=UTC)
    scheduler = Scheduler(StudySettings(fuzz=False), day)
    state = CardState(
        state=REVIEW, stability=10.0, difficulty=9.9, due=now, last_review=now - 5 * _DAY, reps=4
    )
    out = scheduler.preview("d/c", state, now)
    assert [_study_days(day, now, out[r].due) for r in (2, 3, 4)] == [11, 12, 14]
    plan = _exam(scheduler, now, 0.95)
    own = [_study_days(day, now, cap_state(out[r], plan, now).due) for r in (2, 3, 4)]
    assert own == [4, 4, 5]  # each rating's own cap: Hard and Good meet
    capped = cap_previews(out, plan, now)
    assert [_study_days(day, now, capped[r].due) for r in (2, 3, 4)] == [3, 4, 5]
    assert [scheduler.label(now, capped[r]) for r in (2, 3, 4)] == ["3d", "4d", "5d"]


_RECALLS = st.sampled_from([0.9, 0.93, 0.95, 0.97, 0.99])


@settings(max_examples=300, deadline=None)
@given(
    stability=st.floats(0.3, 80.0),
    difficulty=st.floats(1.0, 10.0),
    elapsed=st.floats(0.2, 3.0),
    recall=_RECALLS,
    fuzz=st.booleans(),
    key=st.integers(0, 50),
    zone=st.sampled_from(["UTC", "Europe/Berlin"]),
    minutes=st.integers(-20 * 24 * 60, 24 * 60),
)
def test_capped_review_ratings_are_a_day_apart_unless_the_cap_leaves_no_room(
    stability: float,
    difficulty: float,
    elapsed: float,
    recall: float,
    fuzz: bool,
    key: int,
    zone: str,
    minutes: int,
) -> None:
    """The cap holds (no rating later than its own cap, nor than it was uncapped); Hard < Good
    unless Good is 1 day; Good < Easy unless Easy is 1 day (then all are 1 day)."""
    day = StudyDay(4, ZoneInfo(zone))
    now = CHANGES["Europe/Berlin"][0] + timedelta(minutes=minutes)
    scheduler = Scheduler(StudySettings(fuzz=fuzz), day)
    state = CardState(
        state=REVIEW,
        stability=stability,
        difficulty=difficulty,
        due=now,
        last_review=now - elapsed * stability * _DAY,
        reps=4,
    )
    out = scheduler.preview(f"d/c{key}", state, now)
    plan = _exam(scheduler, now, recall)
    capped = cap_previews(out, plan, now)
    days = {r: _study_days(day, now, capped[r].due) for r in (2, 3, 4)}
    for rating in (2, 3, 4):
        own, due = cap_state(out[rating], plan, now).due, capped[rating].due
        assert own is not None and due is not None
        assert due <= own  # the cap holds
        assert capped[rating].state == REVIEW and days[rating] >= 1
        assert capped[rating].stability == out[rating].stability  # only the due moved
    assert days[2] < days[3] or days[3] == 1, days
    assert days[3] < days[4] or days[4] == 1, days
    assert days[2] <= days[3] <= days[4]


def test_a_cap_of_one_day_leaves_no_room() -> None:
    """Stability 1 at recall 0.99: every rating is capped to 1 day, the least a review waits."""
    day = StudyDay(4, UTC)
    now = datetime(2025, 3, 10, 12, tzinfo=UTC)
    scheduler = Scheduler(StudySettings(fuzz=False), day)
    state = CardState(state=REVIEW, stability=1.0, difficulty=9.0, due=now, last_review=now - _DAY, reps=4)
    capped = cap_previews(scheduler.preview("d/c", state, now), _exam(scheduler, now, 0.99), now)
    assert [_study_days(day, now, capped[r].due) for r in (2, 3, 4)] == [1, 1, 1]


def test_without_an_exam_cap_nothing_moves() -> None:
    """An exam every rating reaches above the target (in 3 days; t* 11 days and more) caps
    nothing, and nothing is moved apart."""
    now = datetime(2025, 3, 10, 12, tzinfo=UTC)
    scheduler = Scheduler(StudySettings(fuzz=False), StudyDay(4, UTC))
    state = CardState(
        state=REVIEW, stability=10.0, difficulty=9.9, due=now, last_review=now - 5 * _DAY, reps=4
    )
    out = scheduler.preview("d/c", state, now)
    plan = ExamPlan(now + 3 * _DAY, 0.9, scheduler.decay, None, scheduler.day)
    assert cap_previews(out, plan, now) == out


# -- 3. a (re)learning card's Easy is a day past a graduating Good -----------------------------


@pytest.mark.parametrize(("kind", "step"), [(LEARNING, 1), (RELEARNING, 0)])
def test_easy_is_a_day_past_a_graduating_good(kind: int, step: int) -> None:
    """Stability 0.2 (a same-day rating after 10 minutes): FSRS gives Good and Easy both 1 day.
    Before the fix both buttons said "1d"; now Easy is 2 days, as in Anki."""
    day = StudyDay(4, UTC)
    now = datetime(2025, 3, 10, 12, tzinfo=UTC)
    scheduler = Scheduler(StudySettings(fuzz=False), day)
    state = CardState(
        state=kind,
        step=step,
        stability=0.2,
        difficulty=1.0,
        due=now,
        last_review=now - timedelta(minutes=10),
        reps=3,
    )
    out = scheduler.preview("d/c", state, now)
    assert out[3].state == REVIEW and out[4].state == REVIEW
    assert [_study_days(day, now, out[r].due) for r in (3, 4)] == [1, 2]
    assert [scheduler.label(now, out[r]) for r in (3, 4)] == ["1d", "2d"]
    # a reschedule with the same weights keeps the moved Easy (Scheduler.moved_apart)
    easy = out[4]
    assert easy.last_review is not None and easy.stability is not None and easy.due is not None
    own = scheduler.review_due("d/c", easy.reps, easy.last_review, easy.stability)
    assert own != easy.due and scheduler.moved_apart(easy.last_review, own, easy.due)


def test_within_the_maximum_interval_easy_may_equal_good() -> None:
    now = datetime(2025, 3, 10, 12, tzinfo=UTC)
    day = StudyDay(4, UTC)
    scheduler = Scheduler(StudySettings(fuzz=False, maximum_interval=1), day)
    state = CardState(
        state=LEARNING,
        step=1,
        stability=0.2,
        difficulty=1.0,
        due=now,
        last_review=now - timedelta(minutes=10),
    )
    out = scheduler.preview("d/c", state, now)
    assert [_study_days(day, now, out[r].due) for r in (3, 4)] == [1, 1]


@settings(max_examples=300, deadline=None)
@given(
    kind=st.sampled_from([LEARNING, RELEARNING]),
    stability=st.floats(0.05, 40.0),
    difficulty=st.floats(1.0, 10.0),
    elapsed=st.sampled_from([timedelta(minutes=5), timedelta(hours=20), timedelta(days=2)]),
    fuzz=st.booleans(),
    maximum=st.sampled_from([2, 3, 36500]),
    key=st.integers(0, 50),
    zone=st.sampled_from(["UTC", "Europe/Berlin", "America/New_York"]),
    minutes=st.integers(-10 * 24 * 60, 24 * 60),
    no_steps=st.booleans(),
)
def test_a_graduating_good_and_easy_are_a_day_apart_within_the_maximum(
    kind: int,
    stability: float,
    difficulty: float,
    elapsed: timedelta,
    fuzz: bool,
    maximum: int,
    key: int,
    zone: str,
    minutes: int,
    no_steps: bool,
) -> None:
    day = StudyDay(4, ZoneInfo(zone))
    now = CHANGES["America/New_York"][0] + timedelta(minutes=minutes)
    steps = () if no_steps else (timedelta(minutes=1), timedelta(minutes=10))
    study = StudySettings(
        fuzz=fuzz, maximum_interval=maximum, learning_steps=steps, relearning_steps=steps[1:]
    )
    scheduler = Scheduler(study, day)
    step = None if no_steps else (1 if kind == LEARNING else 0)
    state = CardState(
        state=kind,
        step=step,
        stability=stability,
        difficulty=difficulty,
        due=now,
        last_review=now - elapsed,
        reps=3,
    )
    out = scheduler.preview(f"d/c{key}", state, now)
    good, easy = out[3], out[4]
    assert easy.state == REVIEW
    if good.state == REVIEW:
        g, e = _study_days(day, now, good.due), _study_days(day, now, easy.due)
        assert e >= min(g + 1, maximum), (g, e)
        assert e <= max(g + 1, maximum)  # never past the maximum for the rule's sake
    for rating in (2, 3, 4):
        if out[rating].state == REVIEW:
            n = _study_days(day, now, out[rating].due)
            assert scheduler.label(now, out[rating]) == interval_label(now, now + n * _DAY)
