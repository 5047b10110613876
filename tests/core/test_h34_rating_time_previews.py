"""A rating stores what the scheduler computes at the rating's own time, not at the preview's.

The session showed its previews on the rating buttons and, on a rating, stored the shown state
moved to the rating's time (`_anchored` moved `due` and `last_review` only). A card revealed at
03:59:57 (study day 12-05) and rated Good at 04:00:02 (study day 12-06) kept the stability of
one elapsed study day (7.3153, "8d") where its review had two (10.96): `retain optimize
--reschedule` with the same weights, which replays the journal at the ratings' own times, then
changed the card. The same with anything else the scheduler's output depends on between the two
moments: a review that came due meanwhile, an exam's cap, new settings. While nothing of that
changed, the buttons' intervals are what the rating stores (`test_h23_dst_rating_days`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from fsrs.scheduler import DEFAULT_PARAMETERS
from hypothesis import assume, event, given, settings
from hypothesis import strategies as st
from test_review_session import MemoryRecorder

from retain.core.due import last_moment
from retain.core.exam import ExamPlan, cap_previews
from retain.core.model import Unit
from retain.core.queue import DayLog, build_queue
from retain.core.scheduler import Scheduler
from retain.core.session import AdjustPreviews, ReviewSession
from retain.core.settings import StudySettings
from retain.core.state import LEARNING, RELEARNING, REVIEW, CardState
from retain.core.studyday import StudyDay
from retain.store import home as store_home
from retain.store.collection import Collection
from retain.store.fsrs_presets import presets_for, reschedule_plan
from retain.store.home import open_home

DAY = StudyDay(4, UTC)
KEY = "one/q"
UNIT = Unit(KEY, "one", "q", "", "basic", "Only question", "Only answer")
FIRST = datetime(2026, 12, 4, 20, 0, 2, tzinfo=UTC)  # the new card rated Good: a 10-minute step
OPENED = datetime(2026, 12, 6, 3, 59, 50, tzinfo=UTC)  # study day 12-05
SHOWN = datetime(2026, 12, 6, 3, 59, 57, tzinfo=UTC)  # study day 12-05
RATED = datetime(2026, 12, 6, 4, 0, 2, tzinfo=UTC)  # study day 12-06


def _session(
    unit: Unit,
    states: dict[str, CardState],
    now: datetime,
    day: StudyDay | None,
    study: Callable[[], StudySettings],
    *,
    adjust: AdjustPreviews | None = None,
    token: Callable[[], object] | None = None,
) -> tuple[ReviewSession, MemoryRecorder]:
    recorder = MemoryRecorder()
    recorder.states = states
    today = day.today(now) if day is not None else now.date()
    span = day.span(now) if day is not None else None
    queue = build_queue(
        [unit],
        states,
        DayLog(),
        lambda _d: study(),
        now,
        today,
        day_end=last_moment(span) if span is not None else None,  # as the store builds it
        day_span=span,
    )
    session = ReviewSession(
        queue,
        states,
        lambda _d: Scheduler(study(), day),
        recorder,
        {unit.key: unit},
        now,
        adjust=adjust,
        settings_token=token,
    )
    return session, recorder


def _fixed(study: StudySettings) -> Callable[[], StudySettings]:
    return lambda: study


def test_the_attackers_card_is_scheduled_on_the_study_day_it_was_rated() -> None:
    study = StudySettings()
    first = Scheduler(study, DAY).preview(KEY, None, FIRST)[3]
    session, _recorder = _session(UNIT, {KEY: first}, OPENED, DAY, _fixed(study))
    assert session.current is not None and session.current.key == KEY
    shown = session.previews(SHOWN)[3]
    assert session.labels(SHOWN)[3] == "8d"  # one study day after 12-04: S 7.3153
    session.reveal()
    event = session.rate(3, RATED)
    expected = Scheduler(study, DAY).preview(KEY, first, RATED)[3]  # two study days: S 10.96
    assert event.after == expected
    assert event.after.stability == pytest.approx(10.9643, abs=1e-3)
    assert shown.stability == pytest.approx(7.3153, abs=1e-3)  # (what was stored before)


def test_the_labels_asked_again_after_the_rollover_say_what_the_rating_stores() -> None:
    study = StudySettings()
    first = Scheduler(study, DAY).preview(KEY, None, FIRST)[3]
    session, _recorder = _session(UNIT, {KEY: first}, OPENED, DAY, _fixed(study))
    session.reveal()
    before = session.labels(SHOWN)
    assert session.labels(SHOWN + timedelta(seconds=2)) == before  # the same study day: kept
    after = session.labels(RATED)
    assert after[3] == "12d" != before[3]
    event = session.rate(3, RATED)
    assert event.after is not None and event.after.due is not None
    assert (DAY.of(event.after.due) - DAY.of(RATED)).days == 12


def test_an_undone_rating_rated_again_after_the_rollover_gets_the_new_days() -> None:
    study = StudySettings()
    first = Scheduler(study, DAY).preview(KEY, None, FIRST)[3]
    states = {KEY: first}
    session, _recorder = _session(UNIT, states, OPENED, DAY, _fixed(study))
    session.reveal()
    session.rate(3, SHOWN)
    assert session.undo(RATED) is not None
    assert session.current is not None and session.current.key == KEY
    session.previews(RATED)
    session.reveal()
    later = RATED + timedelta(seconds=5)
    event = session.rate(3, later)
    assert event.after == Scheduler(study, DAY).preview(KEY, first, later)[3]


def test_new_settings_between_the_reveal_and_the_rating_apply_to_it() -> None:
    """The settings saved while the answer was on screen (steps `10m` to `30m`): the rating
    stores what they schedule, and the buttons asked again say so."""
    now = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)
    current = {"study": StudySettings(learning_steps=(timedelta(minutes=10),))}
    session, _recorder = _session(
        UNIT,
        {},
        now,
        DAY,
        lambda: current["study"],
        token=lambda: current["study"],
    )
    session.reveal()
    assert session.labels(now)[1] == "<10m"
    current["study"] = StudySettings(learning_steps=(timedelta(minutes=30),))
    assert session.labels(now)[1] == "<30m"
    later = now + timedelta(seconds=20)
    event = session.rate(1, later)
    assert event.after == Scheduler(current["study"], DAY).preview(KEY, None, later)[1]
    assert event.after.due == later + timedelta(minutes=30)


def test_an_exams_cap_decided_at_the_rating_not_at_the_preview() -> None:
    """Whether the exam caps a rating depends on the seconds from the review to the exam
    (`cap_state`): a Good shown capped and rated 10 s later, when the cap no longer applies,
    stores the uncapped interval (as `moved_by_cap` judges the stored due on a reschedule)."""
    study = StudySettings(fuzz=False, desired_retention=0.85)  # (FSRS's intervals past the cap's)
    sched = Scheduler(study, DAY)
    last = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
    base = CardState(REVIEW, None, 12.0, 5.0, datetime(2026, 11, 13, 12, 0, tzinfo=UTC), last, 4, 0)
    probe = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)  # any moment of the study day rated on
    good = sched.preview(KEY, base, probe)[3]
    assert good.stability is not None
    decay = sched.decay
    reach = good.stability * ExamPlan(probe, 0.9, decay, studyday=DAY).reach  # days until the cap ends
    # the exam at a rollover (the start of its day): shown 5 s before the cap stops applying
    start = DAY.start_of(DAY.of(probe))
    moment = start + timedelta(days=math.ceil(reach + 5 / 86400))
    shown_at = moment - timedelta(days=reach, seconds=5)
    rated_at = shown_at + timedelta(seconds=10)
    assert DAY.of(shown_at) == DAY.of(rated_at) == DAY.of(probe)
    plan = ExamPlan(moment, 0.9, decay, studyday=DAY)

    def adjust(_unit: Unit, previews: dict[int, CardState], now: datetime) -> dict[int, CardState]:
        return cap_previews(previews, plan, now)

    capped_then = adjust(UNIT, sched.preview(KEY, base, shown_at), shown_at)[3]
    free_now = adjust(UNIT, sched.preview(KEY, base, rated_at), rated_at)[3]
    assert capped_then.due is not None and free_now.due is not None
    assert (DAY.of(capped_then.due) - DAY.of(shown_at)).days < (DAY.of(free_now.due) - DAY.of(rated_at)).days
    session, _recorder = _session(UNIT, {KEY: base}, shown_at, DAY, _fixed(study), adjust=adjust)
    session.previews(shown_at)
    session.reveal()
    assert session.rate(3, rated_at).after == free_now


def test_a_review_that_comes_due_while_shown_gets_the_floor_of_a_due_review() -> None:
    """A review card served before its due time (a review is due all its study day) and rated
    after it: a passing rating of a due card never shortens its interval (`Scheduler._due`).
    Since session 37 the floor holds all the due study day, not from the due moment, so the
    interval is the same either side of the due time; the rating stores the one of its time."""
    study = StudySettings()  # (fuzz: the floor raises a fuzzed interval)
    sched = Scheduler(study, DAY)
    due = datetime(2026, 12, 10, 20, 0, tzinfo=UTC)
    base = CardState(REVIEW, None, 5.0, 5.0, due, due - timedelta(days=60), 4, 0)  # Good: 45d, or 49d
    shown_at, rated_at = due - timedelta(seconds=5), due + timedelta(seconds=5)
    before, after = sched.preview(KEY, base, shown_at)[3], sched.preview(KEY, base, rated_at)[3]
    assert before.due is not None and after.due is not None
    assert (DAY.of(before.due) - DAY.of(shown_at)).days == (DAY.of(after.due) - DAY.of(rated_at)).days
    session, _recorder = _session(UNIT, {KEY: base}, shown_at, DAY, _fixed(study))
    assert session.current is not None
    session.previews(shown_at)
    session.reveal()
    assert session.rate(3, rated_at).after == after


# -- the class: any state, zone, moments and rating ------------------------------------------

_M = timedelta(minutes=1)
_ZONES = ["UTC", "Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "Asia/Kolkata"]


@st.composite
def _states(draw: st.DrawFn, shown_at: datetime) -> CardState | None:
    """A card a session shows at `shown_at`: new, a (re)learning step due by then (or within
    learn-ahead), or a review due by then or later that study day (a review is due all day)."""
    kind = draw(st.sampled_from(["new", "learning", "relearning", "review"]))
    if kind == "new":
        return None
    stability = draw(st.floats(0.2, 200.0))
    difficulty = draw(st.floats(1.0, 10.0))
    lapses = draw(st.integers(0, 3))
    reps = draw(st.integers(lapses + 1, 20))
    if kind == "review":
        due = shown_at + timedelta(seconds=draw(st.integers(-60 * 86400, 20 * 3600)))
        last = min(due - timedelta(seconds=draw(st.integers(86400, 100 * 86400))), shown_at)
        return CardState(REVIEW, None, stability, difficulty, due, last, reps, lapses)
    due = shown_at + timedelta(seconds=draw(st.integers(-3 * 86400, 15 * 60)))
    last = min(due - timedelta(seconds=draw(st.integers(60, 86400))), shown_at)
    state = LEARNING if kind == "learning" else RELEARNING
    return CardState(state, draw(st.integers(0, 1)), stability, difficulty, due, last, reps, lapses)


@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_a_rating_stores_the_schedulers_state_of_its_own_time(data: st.DataObject) -> None:
    """Whatever the time between the preview and the rating (the rollover, a review's due time,
    a clock set back): the rating stores what the scheduler gives at the rating's time. When the
    two moments are on the same study day and on the same side of a review's due time (and of
    the previous review, for a clock set back), the button said the interval stored."""
    tz = ZoneInfo(data.draw(st.sampled_from(_ZONES), label="zone"))
    day = StudyDay(data.draw(st.integers(0, 6), label="rollover"), tz)
    moment = data.draw(st.datetimes(datetime(2026, 1, 1), datetime(2026, 12, 31)), label="shown")
    shown_at = moment.replace(tzinfo=UTC)
    rated_at = shown_at + timedelta(seconds=data.draw(st.integers(-3 * 3600, 8 * 3600), label="wait"))
    state = data.draw(_states(shown_at), label="state")
    rating = data.draw(st.integers(1, 4), label="rating")
    study = StudySettings(
        fuzz=data.draw(st.booleans(), label="fuzz"),
        learning_steps=data.draw(
            st.sampled_from([(_M, 10 * _M), (10 * _M, 1440 * _M), (30 * _M,)]), label="steps"
        ),
        relearning_steps=data.draw(st.sampled_from([(10 * _M,), (1440 * _M,), ()]), label="relearn"),
        leech_threshold=100,
    )
    states = {KEY: state} if state is not None else {}
    session, _recorder = _session(UNIT, states, shown_at, day, _fixed(study))
    assume(session.current is not None)  # (a review due on a later study day is not shown)
    labels = session.labels(shown_at)
    session.reveal()
    again = session.labels(rated_at)  # (the buttons asked again just before the rating)
    rated = session.rate(rating, rated_at)
    sched = Scheduler(study, day)
    assert rated.after == sched.preview(KEY, state, rated_at)[rating]
    previous = state.last_review if state is not None else None
    same = day.of(shown_at) == day.of(rated_at)
    if state is not None and state.state == REVIEW and state.due is not None:
        same = same and (shown_at >= state.due) == (rated_at >= state.due)
    if previous is not None:
        same = same and (shown_at >= previous) == (rated_at >= previous)
    event("nothing relevant changed" if same else "another study day, or past a due time")
    if same:  # the buttons say what they said, and the rating stores that interval
        assert again == labels
        after, shown = rated.after, sched.preview(KEY, state, shown_at)[rating]
        assert after is not None and after.due is not None and after.last_review is not None
        assert shown.due is not None and shown.last_review is not None
        assert replace(after, due=shown.due, last_review=shown.last_review) == shown
        days = (day.of(shown.due) - day.of(shown.last_review)).days
        if days >= 1 and (shown.state == REVIEW or shown.due == day.start_of(day.of(shown.due))):
            assert (day.of(after.due) - day.of(after.last_review)).days == days  # "3d", "1d"
        else:
            assert after.due - after.last_review == shown.due - shown.last_review  # "<10m", "3h"


# -- on real files: `retain optimize --reschedule` with the same weights changes nothing ------


@pytest.fixture
def col(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Collection]:
    monkeypatch.setenv("RETAIN_HOME", str(tmp_path))
    monkeypatch.setenv("TZ", "UTC")
    monkeypatch.setattr(store_home, "bundled_decks_dir", lambda: None)
    (tmp_path / "decks").mkdir()
    (tmp_path / "decks" / "one.toml").write_text(
        'format = 1\n[deck]\nid = "one"\nname = "One"\n'
        '[[cards]]\nid = "q"\nfront = "Only question"\nback = "Only answer"\n',
        encoding="utf-8",
    )
    opened = Collection.open(open_home(), FIRST, tz=UTC, fsync=False)
    yield opened
    opened.close()


def test_rescheduling_with_the_same_weights_changes_nothing_after_a_rating_over_the_rollover(
    col: Collection,
) -> None:
    first = col.start_session(["one"], FIRST)
    first.reveal()
    first.rate(3, FIRST)
    session = col.start_session(["one"], OPENED)
    assert session.current is not None and session.current.key == KEY
    shown = session.labels(SHOWN)
    session.reveal()
    event = session.rate(3, RATED)
    assert shown[3] == "8d"
    assert event.after is not None and event.after.stability == pytest.approx(10.9643, abs=1e-3)
    later = RATED + timedelta(hours=8)
    (preset,) = presets_for(col, "one")
    weights = tuple(preset.settings.parameters or DEFAULT_PARAMETERS)
    assert [c.key for c in reschedule_plan(col, preset, weights, later).changes] == []
