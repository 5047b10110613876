"""The local time zone is read as the C library (and `date`) reads TZ: a zone name, a path to a
zone file, or a POSIX rule, each with its DST changes; only what cannot be read falls back to a
fixed offset, and that zone says so in one line."""

from __future__ import annotations

import json
import os
import pickle
import shutil
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from store_helpers import make_home, rate

from retain.commands.stats import stats_report
from retain.store.collection import Collection
from retain.store.home import open_home
from retain.store.localzone import local_timezone, zone_messages

BERLIN_FILE = Path("/usr/share/zoneinfo/Europe/Berlin")
BERLIN_RULE = "CET-1CEST,M3.5.0,M10.5.0/3"
WINTER = datetime(2026, 1, 15, 12, tzinfo=UTC)
SUMMER = datetime(2026, 7, 15, 12, tzinfo=UTC)
needs_zone_files = pytest.mark.skipif(not BERLIN_FILE.is_file(), reason="no system zone database")


@pytest.fixture
def tz_env() -> Iterator[Callable[[str | None], None]]:
    """Set TZ (None: unset) for the test (the C library reads it again), and put it back afterwards."""
    old = os.environ.get("TZ")

    def use(value: str | None) -> None:
        if value is None:
            os.environ.pop("TZ", None)
        else:
            os.environ["TZ"] = value
        time.tzset()

    yield use
    use(old)


def _offsets(tz: Any) -> tuple[timedelta | None, timedelta | None]:
    return WINTER.astimezone(tz).utcoffset(), SUMMER.astimezone(tz).utcoffset()


CET_CEST = (timedelta(hours=1), timedelta(hours=2))


@needs_zone_files
def test_tz_given_as_a_zoneinfo_path_keeps_dst_for_study_days(
    tmp_path: Path, tz_env: Callable[[str | None], None]
) -> None:
    """With TZ=":/usr/share/zoneinfo/Europe/Berlin" (a form glibc and `date` honour), reviews at
    04:30 local, winter and summer, count on their own day at hour 4 (not a fixed offset's 3)."""
    tz_env(f":{BERLIN_FILE}")
    now = datetime(2026, 8, 1, 12, 0, tzinfo=UTC)
    home = make_home(tmp_path)
    col = Collection.open(home, now, fsync=False)  # the zone comes from the environment, as in the CLI
    berlin = ZoneInfo("Europe/Berlin")
    try:
        rate(col, "tiny/one", datetime(2026, 1, 15, 4, 30, tzinfo=berlin).astimezone(UTC))  # CET
        rate(col, "tiny/two", datetime(2026, 7, 15, 4, 30, tzinfo=berlin).astimezone(UTC))  # CEST
    finally:
        col.close(now)
    col = Collection.open(open_home({"RETAIN_HOME": str(tmp_path)}), now, read_only=True, cards=False)
    try:
        data: dict[str, Any] = json.loads(json.dumps(stats_report(col, now, None, None)))
    finally:
        col.close()
    by_hand = {"2026-01-15": 1, "2026-07-15": 1}  # both at 04:30 local, after the 4 am rollover
    assert {d["date"]: d["reviews"] for d in data["calendar"]["days"]} == by_hand
    assert [h["hour"] for h in data["hours"] if h["reviews"]] == [4]


@needs_zone_files
@pytest.mark.parametrize("prefix", ["", ":"])
def test_a_path_into_the_zone_database_is_the_named_zone(
    prefix: str, tmp_path: Path, tz_env: Callable[[str | None], None]
) -> None:
    link = tmp_path / "localtime"
    link.symlink_to(BERLIN_FILE)
    for value in (f"{prefix}{BERLIN_FILE}", f"{prefix}{link}", f"{prefix}Europe/Berlin"):
        tz_env(value)
        zone = local_timezone()
        assert zone == ZoneInfo("Europe/Berlin"), value  # by name: it can go to worker processes
        assert zone_messages(zone) == []


@needs_zone_files
def test_a_zone_file_outside_any_database_is_read_and_can_be_pickled(
    tmp_path: Path, tz_env: Callable[[str | None], None]
) -> None:
    copy = tmp_path / "mytime"
    shutil.copyfile(BERLIN_FILE, copy)
    tz_env(f":{copy}")
    zone = local_timezone()
    assert _offsets(zone) == CET_CEST
    assert zone_messages(zone) == []
    again = pickle.loads(pickle.dumps(zone))  # the history index sends it to worker processes
    assert _offsets(again) == CET_CEST
    # the repeated hour of the autumn change, both times
    fall = [datetime(2026, 10, 25, h, 30, tzinfo=UTC).astimezone(again) for h in (0, 1)]
    assert [(d.hour, d.fold, d.utcoffset()) for d in fall] == [(2, 0, CET_CEST[1]), (2, 1, CET_CEST[0])]


@needs_zone_files
def test_tzdir_holds_the_zone_names_as_in_the_c_library(
    tmp_path: Path, tz_env: Callable[[str | None], None], monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "Mine").mkdir()
    shutil.copyfile(BERLIN_FILE, tmp_path / "Mine" / "Zone")
    monkeypatch.setenv("TZDIR", str(tmp_path))
    tz_env("Mine/Zone")
    assert _offsets(local_timezone()) == CET_CEST


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        (BERLIN_RULE, CET_CEST),
        ("AEST-10AEDT,M10.1.0,M4.1.0/3", (timedelta(hours=11), timedelta(hours=10))),  # southern summer
        ("EST5EDT,M3.2.0,M11.1.0", (timedelta(hours=-5), timedelta(hours=-4))),
        ("<+0530>-5:30", (timedelta(hours=5, minutes=30),) * 2),  # no DST
        ("UTC0", (timedelta(0), timedelta(0))),
    ],
)
def test_a_posix_rule_follows_its_dst_dates(
    rule: str, expected: tuple[timedelta, timedelta], tz_env: Callable[[str | None], None]
) -> None:
    tz_env(rule)
    zone = local_timezone()
    assert _offsets(zone) == expected
    assert _offsets(pickle.loads(pickle.dumps(zone))) == expected
    assert zone_messages(zone) == []


def test_a_posix_rule_changes_at_its_times(tz_env: Callable[[str | None], None]) -> None:
    """Europe's rule: the last Sunday of March at 02:00 local, the last of October at 03:00."""
    tz_env(BERLIN_RULE)
    zone = local_timezone()
    spring = [datetime(2026, 3, 29, 0, 59, tzinfo=UTC), datetime(2026, 3, 29, 1, 0, tzinfo=UTC)]
    assert [d.astimezone(zone).strftime("%H:%M%z") for d in spring] == ["01:59+0100", "03:00+0200"]
    autumn = [datetime(2026, 10, 25, 0, 59, tzinfo=UTC), datetime(2026, 10, 25, 1, 0, tzinfo=UTC)]
    assert [d.astimezone(zone).strftime("%H:%M%z") for d in autumn] == ["02:59+0200", "02:00+0100"]
    assert datetime(2026, 3, 29, 12, tzinfo=zone).utcoffset() == timedelta(hours=2)


@pytest.mark.parametrize(
    ("value", "why"),
    [
        ("CET-1CEST", "not a zone name, nor a POSIX rule with both DST dates"),  # glibc guesses US dates
        ("Europe/Nowhere", "no such zone in the zone database"),
        ("/no/such/zone", "no such file or folder"),
    ],
)
def test_an_unreadable_tz_falls_back_to_the_fixed_offset_saying_so_once(
    value: str, why: str, tmp_path: Path, tz_env: Callable[[str | None], None]
) -> None:
    tz_env(value)
    zone = local_timezone()
    offset = datetime.now().astimezone().utcoffset()
    assert _offsets(zone) == (offset, offset)
    [message] = zone_messages(zone)
    assert message.startswith(f"time zone: cannot use TZ={value} ({why}); study days follow UTC")
    assert message.endswith("all year, without DST changes")
    assert _offsets(pickle.loads(pickle.dumps(zone))) == (offset, offset)


def test_a_file_that_is_no_zone_falls_back_saying_so(
    tmp_path: Path, tz_env: Callable[[str | None], None]
) -> None:
    junk = tmp_path / "junk"
    junk.write_text("not a zone\n", encoding="utf-8")
    tz_env(f":{junk}")
    [message] = zone_messages(local_timezone())
    assert f"TZ=:{junk} (not a time zone file)" in message


def test_an_empty_tz_is_utc_as_in_the_c_library(tz_env: Callable[[str | None], None]) -> None:
    tz_env("")
    zone = local_timezone()
    assert _offsets(zone) == (timedelta(0), timedelta(0))
    assert zone_messages(zone) == []


def test_without_tz_the_system_zone_is_read(
    tz_env: Callable[[str | None], None], monkeypatch: pytest.MonkeyPatch
) -> None:
    for value in (None, ":"):
        tz_env(value)
        if os.path.exists("/etc/localtime"):
            assert zone_messages(local_timezone()) == []
    monkeypatch.setattr("retain.store.localzone._LOCALTIME", "/no/such/localtime")
    tz_env(None)  # no rules anywhere: the C library's UTC, which has no DST to miss
    zone = local_timezone()
    assert _offsets(zone) == (timedelta(0), timedelta(0))
    assert zone_messages(zone) == []
