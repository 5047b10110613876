"""The intervals histogram counts study days, as young and mature do (h19).

An Anki card moved with "Set due date" comes in due at the start of its study day; the same card
exported by retain and imported again is due at its last review's time of day on that day. The
histogram counted hours: 20.6 days against 21.0, so the two fell in different buckets (and the
first in 14-21 days though it counted mature), and a retain -> .apkg -> retain round trip changed
`retain stats`. A due moved within its study day now moves no card.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from retain.core.state import REVIEW, CardState
from retain.core.statscards import IVL_EDGES, card_figures, distributions
from retain.core.studyday import StudyDay

NOW = datetime(2026, 12, 6, 13, 0, tzinfo=UTC)


def _card(last: datetime, due: datetime) -> CardState:
    return CardState(state=REVIEW, stability=20.0, difficulty=5.0, due=due, last_review=last, reps=3)


def _figures(states: list[CardState | None], day: StudyDay) -> tuple[tuple[int, ...], dict[str, int]]:
    today = day.today(NOW)
    starts = [day.start_of(today + timedelta(days=i)).timestamp() for i in range(1, 32)]
    fig = card_figures(states, now=NOW, today=today, day_starts=starts, day_of=day.of)
    return fig.distributions["intervals"].counts, fig.counts


def test_a_due_set_to_its_days_start_is_in_the_bucket_of_its_study_days() -> None:
    day = StudyDay(4, UTC)
    last = datetime(2026, 12, 6, 12, 45, tzinfo=UTC)
    start = day.start_of(day.of(last) + timedelta(days=21))  # 2026-12-27 04:00: 20.6 days of hours
    moved, counts = _figures([_card(last, start)], day)
    kept, _ = _figures([_card(last, last + timedelta(days=21))], day)
    assert moved == kept
    assert moved[IVL_EDGES.index(21)] == 1 and counts["mature"] == 1
    assert distributions([_card(last, start)], NOW, day_of=day.of)["intervals"].counts == moved


@settings(max_examples=200, deadline=None)
@given(
    zone=st.sampled_from(["UTC", "Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "Asia/Kolkata"]),
    rollover=st.integers(0, 23),
    last_minutes=st.integers(0, 365 * 24 * 60),
    days=st.integers(0, 400),
    first=st.floats(0, 1),
    second=st.floats(0, 1),
)
def test_a_due_moved_within_its_study_day_moves_no_card(
    zone: str, rollover: int, last_minutes: int, days: int, first: float, second: float
) -> None:
    day = StudyDay(rollover, ZoneInfo(zone))
    last = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(minutes=last_minutes)
    target = day.of(last) + timedelta(days=days)
    start, end = day.start_of(target), day.start_of(target + timedelta(days=1))
    width = end - start - timedelta(microseconds=1)
    one, two = (max(last, start + width * f) for f in (first, second))
    assert day.of(one) == day.of(two) == target or last > start
    assert _figures([_card(last, one)], day) == _figures([_card(last, two)], day)
