"""A learning step of a day or more is due all its study day, as Anki's "interday" learning
steps are: with steps `10m 1d`, a card rated Good at 21:00 is due from the rollover of the study
day its step ends on, and the Good button says how many days that is. It was due only from
21:00 (the step's exact time), so a learner who studies each morning met it a day late."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from store_helpers import make_home, open_col

from retain.core.state import LEARNING
from retain.core.studyday import StudyDay
from retain.store.home import Home

EVENING = datetime(2026, 3, 27, 21, 0, tzinfo=UTC)
DAYS = StudyDay(4, UTC)


def _home(root: Path) -> Home:
    root.mkdir(parents=True, exist_ok=True)
    (root / "config.toml").write_text('[study]\nlearning_steps = ["10m", "1d"]\n', encoding="utf-8")
    return make_home(root)


def _rate_good_in_the_evening(root: Path) -> tuple[str, datetime]:
    """(the card's key, the start of the study day its step ends on)."""
    col = open_col(_home(root), EVENING)
    try:
        session = col.start_session(["tiny"], EVENING)
        assert session.current is not None
        key = session.current.key
        session.reveal()
        label = session.labels(EVENING)[3]
        session.rate(3, EVENING)
        state = col.states[key]
        assert state.state == LEARNING and state.step == 1 and state.due is not None
        days = (DAYS.of(state.due) - DAYS.of(EVENING)).days
        assert days >= 1 and label == f"{days}d"  # the button counts study days, as Anki's
        return key, DAYS.start_of(DAYS.of(EVENING) + timedelta(days=days))
    finally:
        col.close(EVENING)


def test_a_day_step_is_due_from_the_start_of_its_study_day(tmp_path: Path) -> None:
    key, start = _rate_good_in_the_evening(tmp_path)
    morning = start + timedelta(hours=4)  # 08:00 of that study day
    col = open_col(_home(tmp_path), morning)
    try:
        assert col.states[key].due == start
        assert col.due_counts(morning)["tiny"].learning == 1
        session = col.start_session(["tiny"], morning)
        assert session.current is not None and session.current.key == key
    finally:
        col.close(morning)


def test_a_day_step_is_not_due_before_that_study_day(tmp_path: Path) -> None:
    _key, start = _rate_good_in_the_evening(tmp_path)
    before = start - timedelta(minutes=21)  # 03:39: learn-ahead (20 min) does not reach it
    col = open_col(_home(tmp_path), before)
    try:
        assert col.due_counts(before)["tiny"].learning == 0
    finally:
        col.close(before)
