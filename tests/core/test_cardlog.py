"""The browser's per-card review log: newest first, in local time, with plain words."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from retain.core.cardlog import log_lines

T0 = datetime(2026, 3, 29, 0, 30, tzinfo=UTC)


@dataclass
class Row:
    time: datetime
    rating: int
    duration_ms: int
    before_state: int | None
    after_stability: float | None
    kind: str = "review"


def test_no_reviews_no_lines() -> None:
    assert log_lines([], UTC) == []


def test_newest_first_in_local_time_with_words() -> None:
    rows = [Row(T0, 3, 4200, None, 0.5), Row(T0 + timedelta(days=2), 1, 800, 2, 123.4)]
    lines = log_lines(rows, timezone(timedelta(hours=2)))
    assert lines[0] == "History: 2 reviews"
    assert lines[1].split() == ["2026-03-31", "02:30", "Review", "Again", "S", "123", "d", "800", "ms"]
    assert lines[2].split() == ["2026-03-29", "02:30", "New", "Good", "S", "12.0", "h", "4", "s"]


def test_a_long_log_is_cut_and_says_so() -> None:
    rows = [Row(T0 + timedelta(days=i), 3, 1000, 2, 5.0) for i in range(60)]
    lines = log_lines(rows, UTC, limit=10)
    assert lines[0] == "History: 60 reviews (newest 10 shown)" and len(lines) == 11
    assert lines[1].startswith("2026-05-27")
    assert log_lines(rows[:1], UTC)[0] == "History: 1 review"


def test_counts_take_their_nouns() -> None:
    from retain.core.statstext import plural

    assert [plural(n, "day") for n in (0, 1, 2)] == ["0 days", "1 day", "2 days"]


def test_the_hour_repeated_when_the_clocks_go_back_names_its_zone() -> None:
    """02:30 CEST and 02:30 CET, an hour apart, both showed as "2026-10-25 02:30"."""
    first = datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
    rows = [Row(first + timedelta(hours=h), 3, 1000, 2, 5.0) for h in (-1, 0, 1, 2)]
    rows.append(Row(datetime(2026, 3, 29, 0, 30, tzinfo=UTC), 3, 1000, 2, 5.0))  # spring: no repeat
    lines = log_lines(rows, ZoneInfo("Europe/Berlin"))
    assert [line[:22].rstrip() for line in lines[1:]] == [
        "2026-10-25 03:30",
        "2026-10-25 02:30 CET",
        "2026-10-25 02:30 CEST",
        "2026-10-25 01:30",
        "2026-03-29 01:30",
    ]
    assert len({line.index("Review") for line in lines[1:]}) == 1  # the columns stay aligned
    assert log_lines(rows, timezone(timedelta(hours=2)))[1].startswith("2026-10-25 04:30  Review")
