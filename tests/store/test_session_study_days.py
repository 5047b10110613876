"""A review session gives FSRS the days between two reviews in study days, as the optimizer and Anki count them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from retain.core.scheduler import Scheduler
from retain.core.settings import StudySettings
from retain.core.state import REVIEW, CardState, Event
from retain.store.collection import Collection
from retain.store.home import open_home

DECK = 'format = 1\n[deck]\nid = "tiny"\nname = "Tiny"\n[[cards]]\nid = "one"\nfront = "1?"\nback = "1"\n'


def test_session_counts_fsrs_days_in_study_days(tmp_path: Path) -> None:
    """Rated at 23:00, due again 8 hours later at 07:00, in the next study day (4 am rollover):
    the optimizer (and Anki) count one day between the two, so the session's Good must not be
    FSRS's same-day (short-term) stability, which py-fsrs uses for anything under 24 hours."""
    last = datetime(2026, 1, 10, 23, 0, tzinfo=UTC)
    now = last + timedelta(hours=8)
    (tmp_path / "decks").mkdir()
    (tmp_path / "decks" / "tiny.toml").write_text(DECK, encoding="utf-8")
    col = Collection.open(open_home({"RETAIN_HOME": str(tmp_path)}), last, tz=UTC, fsync=False)
    try:
        due = last + timedelta(hours=5)
        state = CardState(state=REVIEW, stability=3.0, difficulty=5.0, due=due, last_review=last, reps=2)
        col.record(Event(col.new_event_id(last), "review", "tiny/one", last, state, None, 3, 1000))
        session = col.start_session(["tiny"], now)
        assert session.current is not None and session.current.key == "tiny/one"
        good = session.previews(now)[3].stability
    finally:
        col.close(now)
    same_day = Scheduler(StudySettings()).preview("tiny/one", state, last)[3].stability
    next_day = Scheduler(StudySettings()).preview("tiny/one", state, last + timedelta(days=1))[3].stability
    assert good == next_day != same_day
