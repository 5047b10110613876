"""An exam's cap counts study days, as the due rule does (a review is due all its study day).

The cap was `last review + k × 24 h`. On the 25-hour study day of a fall-back (US, Sat
2026-10-31 04:00 EDT to Sun 04:00 EST), a card reviewed in its first hour and capped to one
day came due at 03:30 EST on Sunday: the same study day it was reviewed on. Since a review is
due all its study day, the session served it again at once, while the deck list counted 0. On a
spring-forward day the cap landed a study day late, past the day the target asks for.
"""

from __future__ import annotations

import math
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from retain.core.exam import ExamPlan, cap_many, cap_previews, cap_state, days_to_recall
from retain.core.scheduler import Scheduler
from retain.core.settings import StudySettings
from retain.core.state import REVIEW, CardState, Event
from retain.core.studyday import StudyDay
from retain.store import home as store_home
from retain.store.collection import Collection
from retain.store.home import open_home

NY = ZoneInfo("America/New_York")
DECAY = Scheduler(StudySettings()).decay
DECK = (
    'format = 1\n\n[deck]\nid = "ex"\nname = "Exam deck"\n\n[[cards]]\nid = "c0"\nfront = "Q?"\nback = "A"\n'
)


def _home(root: Path, monkeypatch: pytest.MonkeyPatch) -> Collection:
    monkeypatch.setattr(store_home, "bundled_decks_dir", lambda: None)
    (root / "decks").mkdir(parents=True)
    (root / "decks" / "ex.toml").write_text(DECK, encoding="utf-8")
    (root / "config.toml").write_text(
        "[study]\nfuzz = false\n\n[exam.ex]\ndate = 2026-11-20\nrecall = 0.97\n", encoding="utf-8"
    )
    first = datetime(2026, 10, 29, 10, tzinfo=NY)
    col = Collection.open(open_home({"RETAIN_HOME": str(root)}), first, tz=NY)
    state = CardState(REVIEW, None, 1.0, 7.0, datetime(2026, 10, 31, 4, 20, tzinfo=NY), first, 3, 0)
    col.record(Event(col.new_event_id(first), "review", "ex/c0", first, state, None, 3, 1000))
    return col


def test_a_card_capped_to_one_day_on_the_fall_back_day_is_not_due_again_that_day(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    col = _home(tmp_path, monkeypatch)
    now = datetime(2026, 10, 31, 4, 30, tzinfo=NY)  # the first hour of a 25-hour study day
    try:
        session = col.start_session(["ex"], now)
        assert session.current is not None
        session.reveal()
        session.rate(3, now, 2000)
        due = col.states["ex/c0"].due
        assert due is not None
        assert col.studyday.of(due) == date(2026, 11, 1), due.astimezone(NY)
        later = now + timedelta(minutes=5)
        assert session.refresh(later) is None  # it was served again at once
        assert col.due_counts(later)["ex"].review == 0
    finally:
        col.close(now)


_CHANGES = {  # each zone's 2026 DST changes (local dates)
    "America/New_York": (date(2026, 3, 8), date(2026, 11, 1)),
    "Europe/Berlin": (date(2026, 3, 29), date(2026, 10, 25)),
    "Australia/Lord_Howe": (date(2026, 4, 5), date(2026, 10, 4)),  # half an hour
    "UTC": (date(2026, 3, 8), date(2026, 11, 1)),
}


@settings(max_examples=400, deadline=None)
@given(
    zone=st.sampled_from(sorted(_CHANGES)),
    change=st.integers(0, 1),
    rollover=st.integers(0, 23),
    days=st.integers(1, 8),
    shift=st.integers(-1, 1),
    minutes=st.integers(-150, 150),
    late=st.integers(1, 40),
    exam_in=st.sampled_from([60, 1200]),  # 1200: the review before the zone's changes are listed
)
def test_the_cap_falls_on_the_study_day_k_days_after_the_last_review(
    zone: str, change: int, rollover: int, days: int, shift: int, minutes: int, late: int, exam_in: int
) -> None:
    """Wherever the last review falls (around the rollover of a DST change's days included), a
    capped card is due on the study day ⌊t*⌋ (at least 1) after its last review's, in
    `cap_state`, `cap_many` and the previews, and never before the last review."""
    day = StudyDay(rollover, ZoneInfo(zone))
    start = day.start_of(_CHANGES[zone][change] - timedelta(days=days + shift))
    at = start + timedelta(minutes=minutes)  # near a rollover, a cap `days` later near the change
    stability = (days + 0.5) / days_to_recall(1.0, 0.95, DECAY)  # t* = days + 0.5
    plan = ExamPlan(at + timedelta(days=exam_in), 0.95, DECAY, None, day)
    state = CardState(REVIEW, None, stability, 5.0, at + timedelta(days=late), at, 3, 0)
    capped = cap_state(state, plan, at)
    k = max(1, math.floor(stability * plan.reach))
    assert k == days
    assert cap_many({"d/c": state}, ["d/c"], plan, at) == ({} if capped is state else {"d/c": capped})
    assert cap_previews({3: state}, plan, at) == {3: capped}
    if capped.due == state.due:  # FSRS's own due comes first: nothing to cap
        assert day.of(state.due) <= day.of(at) + timedelta(days=k)  # type: ignore[arg-type]
        return
    assert capped.due is not None and day.of(capped.due) == day.of(at) + timedelta(days=k)
    assert capped.due > at
