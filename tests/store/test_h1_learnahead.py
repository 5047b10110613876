"""Learn-ahead never reaches past the end of the study day.

A learning step of a day or more (`10m 1d`) is due from the start of the study day it ends on
(`Scheduler.day_step_due`, 04:00 with the default rollover). Learn-ahead (20 minutes) was added
to every learning step's due time, so at 03:45 a step due at 04:00 (tomorrow's study day)
already counted as due: served and counted today, a `1d` step rated Good at 03:45 came back at
once. The cut-off is now min(now + learn-ahead, the end of the study day)
(`StudyDay.learn_until`), in every place that counts or serves learning steps: `retain due`
(the collection and the launch summary), a session, custom study, and `is:due` in the browser.

An intraday step that ends on the next study day (set at 03:40, due at 04:10) keeps its exact
time (its button said "30m", not "1d"), and the cut-off applies to it too: learn-ahead does not
pull it over the rollover; from 04:00 on it is within the new day's learn-ahead window.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from store_helpers import make_home, open_col

from retain.core.custom_study import CustomStudy
from retain.core.state import LEARNING, REVIEW, CardState, Event
from retain.core.studyday import StudyDay
from retain.store.collection import Collection
from retain.store.custom_session import start_custom_session
from retain.store.decks.browse import BrowseIndex
from retain.store.home import Home
from retain.store.index.homesummary import load_summary

DAYS = StudyDay(4, UTC)
ROLLOVER = datetime(2026, 12, 6, 4, 0, tzinfo=UTC)  # the start of study day 2026-12-06
DAY_STEP = "tiny/one"  # a `1d` step: due at the rollover
SOON = "tiny/two"  # an intraday step due at 03:50 (learn-ahead reaches it at 03:45)
ACROSS = "tiny/three:c1"  # an intraday step set at 03:40, due at 04:10 (the next study day)
LEARNING_KEYS = (DAY_STEP, SOON, ACROSS)


def _home(root: Path, new_per_day: int = 0) -> Home:
    root.mkdir(parents=True, exist_ok=True)
    (root / "config.toml").write_text(
        f"learn_ahead_minutes = 20\n[study]\nfuzz = false\nnew_per_day = {new_per_day}\n"
        'learning_steps = ["10m", "1d"]\n',
        encoding="utf-8",
    )
    return make_home(root)


def _step(due: datetime, at: datetime, step: int) -> CardState:
    return CardState(LEARNING, step, 1.0, 5.0, due, at, 1, 0)


def _record(col: Collection, key: str, state: CardState) -> None:
    at = state.last_review
    assert at is not None
    col.record(Event(col.new_event_id(at), "review", key, at, state, None, 3, 1000))


def _three_steps(root: Path) -> Home:
    home = _home(root)
    set_at = ROLLOVER - timedelta(minutes=20)  # 03:40
    col = open_col(home, set_at)
    try:
        _record(col, DAY_STEP, _step(ROLLOVER, ROLLOVER - timedelta(hours=7), 1))  # rated 21:00
        _record(col, SOON, _step(ROLLOVER - timedelta(minutes=10), set_at, 0))  # 03:50
        _record(col, ACROSS, _step(ROLLOVER + timedelta(minutes=10), set_at, 0))  # 04:10
    finally:
        col.close(set_at)
    return home


def _surfaces(home: Home, now: datetime) -> dict[str, set[str] | int]:
    """What each place says is due of the three learning steps at `now` (sets of keys where a
    place lists cards, counts where it only counts them)."""
    col = open_col(home, now)
    try:
        out: dict[str, set[str] | int] = {}
        out["retain due"] = col.due_counts(now)["tiny"].learning
        session = col.start_session(["tiny"], now)
        out["session count"] = session.counts(now).learning
        queue = session.queue
        learning = {
            k for k in LEARNING_KEYS if (st := col.states.get(k)) is not None and st.state == LEARNING
        }
        out["session serves"] = {k for k in learning if queue.ready(k, now)}  # type: ignore[union-attr]
        found = BrowseIndex.from_collection(col).search("is:due", now, col.today(now))
        out["is:due"] = {u.key for u in found} & set(LEARNING_KEYS)
        custom = start_custom_session(col, CustomStudy("search", query="is:due"), now)
        out["custom study count"] = custom.counts(now).total  # its cards, all listed up front
        out["custom study cards"] = {k for k in LEARNING_KEYS if k in custom.queue}
    finally:
        col.close(now, save_summary=True)
    summary = load_summary(home, now, UTC)
    assert summary is not None
    out["launch summary"] = summary.counts["tiny"].learning
    return out


def _expect(due: set[str]) -> dict[str, set[str] | int]:
    return {
        "retain due": len(due),
        "session count": len(due),
        "session serves": due,
        "is:due": due,
        "custom study count": len(due),
        "custom study cards": due,
        "launch summary": len(due),
    }


@pytest.mark.parametrize(
    ("now", "due"),
    [
        (ROLLOVER - timedelta(minutes=15), {SOON}),  # 03:45: learn-ahead reaches 03:50, not 04:00
        (ROLLOVER - timedelta(minutes=1), {SOON}),  # 03:59: the day step is still tomorrow's
        (ROLLOVER, {SOON, DAY_STEP, ACROSS}),  # 04:00: its day; 04:10 is within learn-ahead
    ],
    ids=["03:45", "03:59", "04:00"],
)
def test_every_place_agrees_on_what_learn_ahead_reaches(tmp_path: Path, now: datetime, due: set[str]) -> None:
    home = _three_steps(tmp_path)
    assert _surfaces(home, now) == _expect(due)


def test_intraday_learn_ahead_still_works_within_the_day(tmp_path: Path) -> None:
    """Mid-day, a step due in 15 minutes is due now (20 minutes of learn-ahead), one in 25 is not."""
    home = _home(tmp_path)
    noon = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)
    col = open_col(home, noon)
    try:
        _record(col, SOON, _step(noon + timedelta(minutes=15), noon - timedelta(minutes=1), 0))
        _record(col, ACROSS, _step(noon + timedelta(minutes=25), noon - timedelta(minutes=1), 0))
    finally:
        col.close(noon)
    surfaces = _surfaces(home, noon)
    assert surfaces == _expect({SOON}), surfaces


@pytest.mark.parametrize("custom", [False, True], ids=["session", "custom study"])
def test_a_day_step_rated_at_0345_does_not_come_back_before_the_rollover(
    tmp_path: Path, custom: bool
) -> None:
    """Relearning steps `1d`: a review card forgotten (Again) at 03:45 moves to its `1d` step, due
    from 04:00 (its button says "1d"). With nothing else to study, learn-ahead showed it again
    at once, 15 minutes before its study day (in a session and in custom study alike)."""
    (tmp_path / "config.toml").write_text(
        'learn_ahead_minutes = 20\n[study]\nfuzz = false\nnew_per_day = 0\nrelearning_steps = ["1d"]\n',
        encoding="utf-8",
    )
    home = make_home(tmp_path)
    at = ROLLOVER - timedelta(minutes=15)
    col = open_col(home, at)
    try:
        _record(col, DAY_STEP, CardState(REVIEW, None, 10.0, 5.0, at, at - timedelta(days=10), 2, 0))
        if custom:
            session = start_custom_session(col, CustomStudy("search", query="is:due"), at)
        else:
            session = col.start_session(["tiny"], at)
        assert session.current is not None and session.current.key == DAY_STEP
        session.reveal()
        assert session.labels(at)[1] == "1d"
        session.rate(1, at)
        assert col.states[DAY_STEP].due == ROLLOVER
        assert session.refresh(at) is None, "the 1d step came back 15 minutes before its study day"
        assert session.counts(at).learning == 0
        later = ROLLOVER - timedelta(microseconds=1)
        assert session.refresh(later) is None and session.counts(later).learning == 0
        shown = session.refresh(ROLLOVER)  # its study day: due
        assert shown is not None and shown.key == DAY_STEP
    finally:
        col.close(at)


def test_the_cut_off_is_the_last_instant_of_the_study_day() -> None:
    """`StudyDay.learn_until`: now + learn-ahead, but never past the study day's last instant, and
    never before now (a clock already past the day's end)."""
    ahead = timedelta(minutes=20)
    noon = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)
    assert DAYS.learn_until(noon, ahead) == noon + ahead
    assert DAYS.learn_until(ROLLOVER - timedelta(minutes=15), ahead) == ROLLOVER - timedelta(microseconds=1)
    assert DAYS.learn_until(ROLLOVER, ahead) == ROLLOVER + ahead
    assert DAYS.learn_until(noon, timedelta(0)) == noon
