"""A move to another zone restamps the history's study days, whichever way the zones differ."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from store_helpers import KEYS

from retain.core.state import NEW, REVIEW, CardState, Event
from retain.core.studyday import StudyDay, rule_key
from retain.store.index import History
from retain.store.localzone import local_timezone
from retain.store.state.journal import JournalWriter

# CET/CEST with the EU's dates (last Sunday of March) and with the US's (second Sunday of March):
# the same offsets on the 1st of January, April, July and October, other ones in late March.
EU_DATES = "CET-1CEST,M3.5.0,M10.5.0/3"
US_DATES = "CET-1CEST,M3.2.0,M11.1.0"


def test_moving_between_zones_that_differ_only_in_their_dst_dates_restamps_the_history(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A review at 02:30 UTC on 2026-03-20 is 03:30 under the EU dates (the study day before)
    and 04:30 under the US ones (that day): after the move, the warm index counts Today and the
    streak as a rebuilt one does."""
    at = datetime(2026, 3, 20, 2, 30, tzinfo=UTC)
    after = CardState(REVIEW, None, 3.0, 5.0, at + timedelta(days=3), at, 1, 0)
    writer = JournalWriter(tmp_path / "state" / "devices" / "aaaaaaaaaaaa", fsync=False)
    writer.append(
        Event("aaaaaaaaaaaa-0000000000000000001-1", "review", KEYS[0], at, after, CardState(NEW), 3, 1000)
    )
    writer.close()
    now = datetime(2026, 3, 20, 12, tzinfo=UTC)

    def progress(rule: str, cache: str) -> tuple[int, int]:
        monkeypatch.setenv("TZ", rule)
        history = History(tmp_path / "state", tmp_path / cache, StudyDay(4, local_timezone()))
        try:
            return history.progress(now)
        finally:
            history.close()

    assert progress(EU_DATES, "cache") == (0, 1)
    assert progress(US_DATES, "rebuilt") == (1, 1)
    assert progress(US_DATES, "cache") == (1, 1)


@pytest.mark.parametrize(
    ("first", "second"),
    [
        (EU_DATES, US_DATES),
        ("CET-1CEST,M3.5.0,M10.5.0/3", "CET-1CEST,M3.5.0/4,M10.5.0/3"),  # another hour only
        ("Australia/Sydney", "Australia/Melbourne"),  # DST ended three weeks apart in 1995
        ("Asia/Gaza", "Asia/Hebron"),  # 2008-2011
    ],
)
def test_zones_that_date_some_moment_differently_have_different_rules(
    first: str, second: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    keys = []
    for spec in (first, second):
        monkeypatch.setenv("TZ", spec)
        keys.append(rule_key(StudyDay(4, local_timezone())))
    assert keys[0] != keys[1]


def test_every_form_of_utc_has_one_rule() -> None:
    """No restamp, and the launch summary's streak still holds, between forms of one fixed offset."""
    zones = [UTC, timezone(timedelta(0)), ZoneInfo("UTC"), ZoneInfo("Etc/UTC"), ZoneInfo("GMT")]
    assert len({rule_key(StudyDay(4, zone)) for zone in zones}) == 1
