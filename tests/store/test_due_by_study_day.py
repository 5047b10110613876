"""A review is due all its study day, as in Anki: a card rated at 21:00 with a 1-day interval is
due at 08:00 the next morning in `retain due`, the home screen's launch summary, a session and
the browser's `is:due`. It was due only from 21:00: a learner who studies each morning met it a
day late, and the Due counts grew through the day."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from store_helpers import make_home, open_col

from retain.core.state import REVIEW, CardState, Event
from retain.store.decks.browse import BrowseIndex
from retain.store.index.homesummary import load_summary

EVENING = datetime(2026, 3, 27, 21, 0, tzinfo=UTC)  # rated the evening before
MORNING = datetime(2026, 3, 28, 8, 0, tzinfo=UTC)  # the next study day (4 am rollover), 08:00
KEY = "tiny/one"


def _rated_in_the_evening(root: Path) -> None:
    col = open_col(make_home(root), EVENING)
    try:
        after = CardState(REVIEW, None, 1.2, 5.0, EVENING + timedelta(days=1), EVENING, 2, 0)
        col.record(Event(col.new_event_id(EVENING), "review", KEY, EVENING, after, None, 3, 1000))
    finally:
        col.close(EVENING)


def test_a_card_due_this_evening_is_due_this_morning(tmp_path: Path) -> None:
    _rated_in_the_evening(tmp_path)
    home = make_home(tmp_path)
    col = open_col(home, MORNING)
    try:
        assert col.due_counts(MORNING)["tiny"].review == 1
        session = col.start_session(["tiny"], MORNING)
        assert session.current is not None and session.current.key == KEY
        index = BrowseIndex.from_collection(col)
        assert [u.key for u in index.search("is:due", MORNING, col.today(MORNING))] == [KEY]
    finally:
        col.close(MORNING, save_summary=True)
    summary = load_summary(home, MORNING + timedelta(minutes=1), UTC)
    assert summary is not None and summary.counts["tiny"].review == 1


def test_a_card_due_tomorrow_evening_is_not_due_before_tomorrows_rollover(tmp_path: Path) -> None:
    _rated_in_the_evening(tmp_path)
    col = open_col(make_home(tmp_path), EVENING + timedelta(hours=6))  # 03:00: still the study day rated
    try:
        assert col.due_counts(EVENING + timedelta(hours=6))["tiny"].review == 0
    finally:
        col.close(EVENING + timedelta(hours=6))
