"""The study day as a value: the rollover hour and time zone that decide which day a moment belongs to."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, tzinfo

from retain.core.clock import day_start, study_day

__all__ = ["StudyDay", "learn_ahead_until", "rule_key"]

_SLOT = 900  # seconds: UTC offsets are whole quarter hours, so a slot mostly lies in one study day
_TICK = timedelta(microseconds=1)
_LAST = timedelta(seconds=_SLOT) - _TICK  # the last instant of a quarter hour, from its first
_SPLIT = date.min  # `StudyDay.of`'s mark of a quarter hour that two study days share


def learn_ahead_until(now: datetime, ahead: timedelta, day_end: datetime | None) -> datetime:
    """The learn-ahead cut-off at `now`: a learning or relearning step due by it (`<=`) counts
    as due now, and is served, counted and found by `is:due` (the one rule every place uses).

    `now + ahead`, but never past the last instant of the study day (`day_end`: the start of
    the next study day, `StudyDay.span(now)[1]`; None: no study day, learn-ahead alone): a step
    due on a later study day is due by its day, never learnt ahead into today, as in Anki,
    which applies learn-ahead to intraday learning only. That holds for a step of days (due at
    the rollover, `Scheduler.day_step_due`) and for an intraday step that ends after the
    rollover (set at 03:40, due at 04:10): it comes due by learn-ahead from 04:00 on. Never
    before `now` (a clock already past `day_end`: what is due now is due)."""
    limit = now + ahead
    if day_end is not None:
        limit = min(limit, day_end - _TICK)
    return max(now, limit)


@dataclass(frozen=True, slots=True)
class StudyDay:
    """`today(now)`, `start_of(day)` and `of(moment)` for one rollover hour and zone (DST-correct)."""

    rollover_hour: int
    tz: tzinfo
    _slots: dict[int, date] = field(default_factory=dict, compare=False, repr=False)

    def today(self, now: datetime) -> date:
        return study_day(now, self.rollover_hour, self.tz)

    def start_of(self, day: date) -> datetime:
        """The UTC instant study day `day` begins."""
        return day_start(day, self.rollover_hour, self.tz)

    def start(self, now: datetime) -> datetime:
        """The UTC instant the study day containing `now` began."""
        return self.start_of(self.today(now))

    def span(self, now: datetime) -> tuple[datetime, datetime]:
        """[start, end) in UTC of the study day containing `now` (events dated later, by a clock
        running ahead, belong to their own day)."""
        today = self.today(now)
        return self.start_of(today), self.start_of(today + timedelta(days=1))

    def learn_until(self, now: datetime, ahead: timedelta) -> datetime:
        """The learn-ahead cut-off at `now` (`learn_ahead_until`): `now + ahead`, but not past the
        last instant of `now`'s study day."""
        try:
            end: datetime | None = self.span(now)[1]
        except OverflowError:  # a study day at the calendar's end: learn-ahead alone
            end = None
        return learn_ahead_until(now, ahead, end)

    def days_after(self, moment: datetime, days: int) -> datetime:
        """`days` days after `moment`, on the study day `days` after `moment`'s (a review is due
        all its study day): at `moment`'s time of day, unless a DST change moves that onto a
        neighbouring study day (the 25-hour day of a fall-back: the same study day, due again at
        once; a spring-forward: a day late); then at the start of that study day."""
        later = moment + timedelta(days=days)
        target = self.of(moment) + timedelta(days=days)
        if self.of(later) == target:
            return later
        try:
            return self.start_of(target)
        except OverflowError:  # a study day at the calendar's end: the 24-hour count
            return later

    def of(self, moment: datetime) -> date:
        """The study day `moment` belongs to (cached per quarter hour: cheap over many events).

        A quarter hour of UTC lies in one study day when the zone's offsets are whole quarter
        hours; one that does not (a POSIX TZ such as "LMT-0:07:30", a zone's old local mean
        time) is answered moment by moment, never by whichever moment of it was asked first."""
        slot = int(moment.timestamp() // _SLOT)
        day = self._slots.get(slot)
        if day is None:
            first = datetime.fromtimestamp(slot * _SLOT, UTC)
            day = study_day(first, self.rollover_hour, self.tz)
            if study_day(first + _LAST, self.rollover_hour, self.tz) != day:
                day = _SPLIT  # a study day begins inside this quarter hour
            self._slots[slot] = day
        if day is _SPLIT:
            return study_day(moment, self.rollover_hour, self.tz)
        return day


_FIXED_NAMES = frozenset({"UTC", "UCT", "GMT", "Zulu", "Universal", "Greenwich"})


@functools.lru_cache(maxsize=8)  # asked on every feed of the history index: compute it once
def rule_key(day: StudyDay) -> str:
    """A name for the study-day rule: the rollover hour, the zone's offsets over 1990-2060 and,
    for a zone with rules, its name.

    Equal keys date every moment alike, so what was counted by study day under one (the history
    index's days, the launch summary's streak) holds under the other; a new rollover hour or
    another zone (a flight, another TZ) gives another key. The samples alone cannot tell apart
    two zones whose offsets agree on them but whose DST starts or ends on other dates or hours
    (two POSIX rules, Australia/Sydney and Australia/Melbourne in 1995): the name does."""
    offsets = []
    for year in range(1990, 2061):
        for month in (1, 4, 7, 10):
            moment = datetime(year, month, 1, 12, tzinfo=day.tz)
            offsets.append(int((moment.utcoffset() or timedelta()).total_seconds()) // 60)
    return f"{day.rollover_hour}|{','.join(map(str, offsets))}|{_zone_name(day.tz)}"


def _zone_name(tz: tzinfo) -> str:
    """The name of a zone with rules (a zone database key, a POSIX rule, a zone file's path);
    "" for a fixed offset, whose samples say everything, and for a zone without a name."""
    if tz.utcoffset(None) is not None:  # `datetime.timezone` and the like: one offset
        return ""
    name = getattr(tz, "key", None)
    if not isinstance(name, str) or name in _FIXED_NAMES or name.startswith("Etc/"):
        return ""
    return name
