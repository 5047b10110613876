"""Study days: the day rolls over at a configurable local hour (4 am by default, as in Anki).

A late-night session counts toward the previous day: with the default
rollover, 03:59 local time still belongs to yesterday's study day. Every
stored time is UTC; the time zone is only used to find where a study day
begins. Nothing here reads the clock: `now` is always a parameter.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, tzinfo

__all__ = ["DEFAULT_ROLLOVER_HOUR", "day_start", "next_day_start", "study_day", "to_utc"]

DEFAULT_ROLLOVER_HOUR = 4


def to_utc(moment: datetime) -> datetime:
    """`moment` in `datetime.UTC` (the only zone py-fsrs accepts); a naive datetime is an error."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("datetime must be timezone-aware")
    if moment.tzinfo is UTC:
        return moment
    return moment.astimezone(UTC)


def _check_hour(rollover_hour: int) -> None:
    if not 0 <= rollover_hour <= 23:
        raise ValueError(f"rollover hour {rollover_hour!r} is not in 0..23")


def study_day(now: datetime, rollover_hour: int, tz: tzinfo) -> date:
    """The study day `now` belongs to: its local date, minus one before the rollover hour."""
    _check_hour(rollover_hour)
    local = to_utc(now).astimezone(tz)
    day = local.date()
    if local.hour < rollover_hour:
        day -= timedelta(days=1)
    return day


def day_start(day: date, rollover_hour: int, tz: tzinfo) -> datetime:
    """The UTC instant study day `day` begins.

    DST-correct: the local wall time `rollover_hour:00` is resolved in `tz`.
    When that wall time does not exist (spring-forward gap) the instant the
    clock jumps is used; when it occurs twice (fall-back) the first one is.
    Either way `study_day(day_start(d)) == d` and the instant just before it
    belongs to the previous study day.
    """
    _check_hour(rollover_hour)
    local = datetime(day.year, day.month, day.day, rollover_hour, tzinfo=tz)
    start = local.astimezone(UTC)
    # In a gap, fold=0 resolves with the offset before the jump, which lands
    # at or after the jump; the true boundary is the jump itself. Walk back
    # while the previous minute still belongs to `day`.
    if start.astimezone(tz).replace(tzinfo=None) != local.replace(tzinfo=None):
        while study_day(start - timedelta(minutes=1), rollover_hour, tz) == day:
            start -= timedelta(minutes=1)
    return start


def next_day_start(now: datetime, rollover_hour: int, tz: tzinfo) -> datetime:
    """The UTC instant the study day after the one containing `now` begins."""
    return day_start(study_day(now, rollover_hour, tz) + timedelta(days=1), rollover_hour, tz)
