"""Study days: rollover hour, Europe/Berlin DST change days, naive datetimes."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from retain.core.clock import day_start, next_day_start, study_day, to_utc

BERLIN = ZoneInfo("Europe/Berlin")


def local(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=BERLIN)


def test_before_rollover_counts_to_previous_day() -> None:
    assert study_day(local(2026, 5, 10, 3, 59), 4, BERLIN) == date(2026, 5, 9)
    assert study_day(local(2026, 5, 10, 4, 0), 4, BERLIN) == date(2026, 5, 10)
    assert study_day(local(2026, 5, 10, 23, 59), 4, BERLIN) == date(2026, 5, 10)


def test_rollover_hour_is_configurable() -> None:
    moment = local(2026, 5, 10, 1, 30)
    assert study_day(moment, 0, BERLIN) == date(2026, 5, 10)
    assert study_day(moment, 2, BERLIN) == date(2026, 5, 9)


def test_input_zone_does_not_matter() -> None:
    moment = local(2026, 5, 10, 3, 30)
    assert study_day(moment.astimezone(UTC), 4, BERLIN) == date(2026, 5, 9)


def test_day_start_is_utc_and_local_rollover() -> None:
    start = day_start(date(2026, 5, 10), 4, BERLIN)
    assert start.tzinfo is UTC
    assert start == datetime(2026, 5, 10, 2, tzinfo=UTC)  # CEST is UTC+2


@pytest.mark.parametrize(
    ("day", "hours"),
    [(date(2026, 3, 29), 23), (date(2026, 10, 25), 25), (date(2026, 5, 10), 24)],
)
def test_dst_change_days_have_23_or_25_hours(day: date, hours: int) -> None:
    # The rollover is at 04:00 local, after the 02:00/03:00 switch, so the study
    # day that contains the switch is the one starting the evening before.
    start = day_start(day - timedelta(days=1), 4, BERLIN)
    end = day_start(day, 4, BERLIN)
    assert end - start == timedelta(hours=hours)


def test_rollover_inside_spring_gap() -> None:
    # 02:00 does not exist on 2026-03-29 in Berlin: the day starts at the jump (01:00 UTC).
    start = day_start(date(2026, 3, 29), 2, BERLIN)
    assert start == datetime(2026, 3, 29, 1, tzinfo=UTC)
    assert study_day(start, 2, BERLIN) == date(2026, 3, 29)
    assert study_day(start - timedelta(microseconds=1), 2, BERLIN) == date(2026, 3, 28)


def test_rollover_inside_autumn_repeat() -> None:
    # 02:00-03:00 happens twice on 2026-10-25: the day starts at the first 02:00 (CEST).
    start = day_start(date(2026, 10, 25), 2, BERLIN)
    assert start == datetime(2026, 10, 25, 0, tzinfo=UTC)
    second_pass = datetime(2026, 10, 25, 1, 30, tzinfo=UTC)  # 02:30 CET
    assert study_day(second_pass, 2, BERLIN) == date(2026, 10, 25)


def test_clock_moved_backwards_gives_earlier_day_without_error() -> None:
    later = datetime(2026, 10, 25, 3, tzinfo=UTC)
    earlier = later - timedelta(days=2)
    assert study_day(earlier, 4, BERLIN) < study_day(later, 4, BERLIN)


def test_next_day_start() -> None:
    now = local(2026, 3, 28, 23, 0)
    assert next_day_start(now, 4, BERLIN) == datetime(2026, 3, 29, 2, tzinfo=UTC)


def test_naive_datetime_and_bad_hour_are_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        study_day(datetime(2026, 1, 1), 4, BERLIN)
    with pytest.raises(ValueError, match="rollover"):
        study_day(datetime(2026, 1, 1, tzinfo=UTC), 24, BERLIN)
    with pytest.raises(ValueError, match="aware"):
        to_utc(datetime(2026, 1, 1))


@given(
    day=st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 12, 31)),
    hour=st.integers(0, 23),
    zone=st.sampled_from(["Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "UTC"]),
)
def test_day_start_and_study_day_agree(day: date, hour: int, zone: str) -> None:
    tz = ZoneInfo(zone)
    start = day_start(day, hour, tz)
    assert study_day(start, hour, tz) == day
    assert study_day(start - timedelta(microseconds=1), hour, tz) == day - timedelta(days=1)
    length = day_start(day + timedelta(days=1), hour, tz) - start
    assert timedelta(hours=22) <= length <= timedelta(hours=26)


@given(
    moment=st.datetimes(
        min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
    )
)
def test_every_moment_lies_in_its_study_day(moment: datetime) -> None:
    day = study_day(moment, 4, BERLIN)
    assert day_start(day, 4, BERLIN) <= moment < day_start(day + timedelta(days=1), 4, BERLIN)
