"""A hostile time zone never stops retain: a UTC offset of 24 hours or more (glibc and `date` take
`TZ=XYZ-24`; Python's datetime refuses it), a zone file that is malformed, endless or no file at
all, falls back to a fixed offset with the one-line warning docs/stats.md promises."""

from __future__ import annotations

import os
import pickle
import resource
import struct
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta, tzinfo
from pathlib import Path

import pytest

from retain.store.localzone import local_timezone, zone_messages

DAY = timedelta(hours=24)
FAR = "a UTC offset of 24 hours or more"
# first of every month, and a moment each side of Europe's and the US's DST changes
MOMENTS = [datetime(2026, m, 1, 12, tzinfo=UTC) for m in range(1, 13)] + [
    datetime(2026, 3, 29, 0, 59, tzinfo=UTC),
    datetime(2026, 3, 29, 1, 1, tzinfo=UTC),
    datetime(2026, 10, 25, 0, 59, tzinfo=UTC),
    datetime(2026, 10, 25, 1, 1, tzinfo=UTC),
]


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


def _usable(zone: tzinfo) -> None:
    """Every use retain makes of a zone works, all year and after pickling (worker processes)."""
    for z in (zone, pickle.loads(pickle.dumps(zone))):
        for moment in MOMENTS:
            local = moment.astimezone(z)
            offset = local.utcoffset()
            assert offset is not None and -DAY < offset < DAY
            assert local.replace(tzinfo=None).replace(tzinfo=z).utcoffset() is not None
        assert datetime.now(z).utcoffset() is not None


def _c_library_offset() -> timedelta:
    """What the fallback follows: the C library's current offset when Python can hold it, else UTC's."""
    seconds = time.localtime().tm_gmtoff
    return timedelta(seconds=seconds) if abs(seconds) < 86400 else timedelta(0)


def _tzif(utoff: int, footer: bytes = b"\n\n") -> bytes:
    """A version 2 zone file with one local time type, `utoff` seconds from UTC, then `footer`."""
    header = b"TZif2" + bytes(15) + struct.pack(">6l", 0, 0, 0, 0, 1, 4)
    body = struct.pack(">lbB", utoff, 0, 0) + b"ABC\0"
    return header + body + header + body + footer


@pytest.mark.parametrize(
    "value",
    [
        "XYZ-24",  # UTC+24
        "XYZ+25",  # UTC-25 (glibc keeps 24 hours of it)
        "A+24:00:01",
        "<+99>-99",
        "XYZ-24ABC,M3.5.0,M10.5.0/3",  # standard time too far
        "XYZ+23ABC+24:30,M3.5.0,M10.5.0/3",  # summer time too far
        "XYZ-23:30ABC,M3.5.0,M10.5.0/3",  # summer time, an hour on by default: UTC+24:30
        "XYZ-23ABC-25,M3.5.0,M10.5.0/3",
    ],
)
def test_a_utc_offset_of_24_hours_or_more_falls_back_saying_so(
    value: str, tz_env: Callable[[str | None], None]
) -> None:
    tz_env(value)
    zone = local_timezone()
    _usable(zone)
    [message] = zone_messages(zone)
    assert message.startswith(f"time zone: cannot use TZ={value} ({FAR}); study days follow UTC"), message
    assert message.endswith("all year, without DST changes")
    assert datetime.now(UTC).astimezone(zone).utcoffset() == _c_library_offset()


@pytest.mark.parametrize(
    ("value", "offset"),
    [
        ("XYZ-23:59:59", timedelta(hours=23, minutes=59, seconds=59)),
        ("XYZ+23:59:59", -timedelta(hours=23, minutes=59, seconds=59)),
        ("<+2330>-23:30", timedelta(hours=23, minutes=30)),
    ],
)
def test_an_offset_just_under_24_hours_is_used_as_it_is(
    value: str, offset: timedelta, tz_env: Callable[[str | None], None]
) -> None:
    tz_env(value)
    zone = local_timezone()
    assert zone_messages(zone) == []
    assert {m.astimezone(zone).utcoffset() for m in MOMENTS} == {offset}


def test_a_zone_file_with_an_offset_of_24_hours_or_more_falls_back_saying_so(
    tmp_path: Path, tz_env: Callable[[str | None], None]
) -> None:
    far = tmp_path / "far"
    far.write_bytes(_tzif(25 * 3600))  # glibc follows it: `date` says UTC+25
    tz_env(f":{far}")
    zone = local_timezone()
    _usable(zone)
    [message] = zone_messages(zone)
    assert message.startswith(f"time zone: cannot use TZ=:{far} ({FAR}); study days follow UTC+00:00")


def test_etc_localtime_with_an_offset_of_24_hours_or_more_falls_back_saying_so(
    tmp_path: Path, tz_env: Callable[[str | None], None], monkeypatch: pytest.MonkeyPatch
) -> None:
    far = tmp_path / "localtime"
    far.write_bytes(_tzif(-24 * 3600))
    monkeypatch.setattr("retain.store.localzone._LOCALTIME", str(far))
    tz_env(None)
    zone = local_timezone()
    _usable(zone)
    [message] = zone_messages(zone)
    assert message.startswith(f"time zone: cannot use {far} ({FAR}); study days follow UTC")


@pytest.mark.parametrize(
    "data",
    [
        _tzif(3600, b"X\n"),  # the footer's newline missing: zoneinfo asserted
        _tzif(3600, b""),  # no footer at all
        _tzif(3600)[:-30],  # cut short
        _tzif(3600).replace(b"\0\0\0\x01\0\0\0\x04", b"\x7f\xff\xff\xff\0\0\0\x04"),  # 2**31 types
        b"TZif2" + bytes(15) + struct.pack(">6l", -1, -1, -1, -1, -1, -1),
    ],
)
def test_a_malformed_zone_file_falls_back_saying_so(
    data: bytes, tmp_path: Path, tz_env: Callable[[str | None], None]
) -> None:
    bad = tmp_path / "bad"
    bad.write_bytes(data)
    tz_env(f":{bad}")
    zone = local_timezone()
    _usable(zone)
    [message] = zone_messages(zone)
    assert f"TZ=:{bad} (not a time zone file)" in message


def _zone_in_a_child(tz: str | None, tmp_path: Path, localtime: Path | None = None) -> str:
    """The zone's messages from local_timezone() in a process of its own, with TZ=`tz` (None:
    unset) and /etc/localtime read from `localtime`, given 20 s and 1 GiB of memory at most: a
    zone read for ever fails the test rather than hanging (or swapping) the run."""

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))

    code = (
        "import sys\n"
        "from retain.store import localzone\n"
        "if len(sys.argv) > 1:\n"
        "    localzone._LOCALTIME = sys.argv[1]\n"
        "print(*localzone.zone_messages(localzone.local_timezone()))\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "TZ"} | ({} if tz is None else {"TZ": tz})
    args = [] if localtime is None else [str(localtime)]
    try:
        done = subprocess.run(
            [sys.executable, "-c", code, *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=20,
            preexec_fn=limit,
            cwd=tmp_path,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"TZ={tz}, {localtime}: still reading the zone after 20 s")
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_a_zone_file_whose_footer_never_ends_is_not_read_for_ever(tmp_path: Path) -> None:
    """zoneinfo reads a version 2 footer a byte at a time up to its newline: without one it looped."""
    endless = tmp_path / "endless"
    endless.write_bytes(_tzif(3600, b"\nXYZ0"))
    assert f"cannot use TZ=:{endless} (not a time zone file)" in _zone_in_a_child(f":{endless}", tmp_path)


def test_a_tz_naming_a_device_is_not_read(tmp_path: Path) -> None:
    """TZ=:/dev/zero was read until the memory ran out (glibc reads its header and gives up)."""
    if not Path("/dev/zero").exists():
        pytest.skip("no /dev/zero")
    said = _zone_in_a_child(":/dev/zero", tmp_path)
    assert "cannot use TZ=:/dev/zero (not a regular file (a character device))" in said


def test_a_fifo_for_etc_localtime_is_not_waited_on(tmp_path: Path) -> None:
    """Opening a FIFO waits for a writer. (Not tried with TZ=:FIFO: glibc, and so Python's own
    start and `date`, wait on that one.)"""
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    said = _zone_in_a_child(None, tmp_path, localtime=fifo)
    assert f"cannot use {fifo} (not a regular file (a FIFO))" in said


HOSTILE = [
    "A" * 10_000,
    "A" * 10_000 + "-24",
    "XYZ-" + "9" * 400,
    "9" * 5000,
    "<" + "+" * 3000 + ">-1",
    "a/" * 3000,
    "/" + "a" * 300,
    "../../../../etc/passwd",
    "/etc/passwd",
    ".",
    "Europe/",
    "<>",
    "<",
    "::",
    ",,,",
    "XYZ-24:60",
    "XYZ-1ABC,J0,J400",
    "XYZ-1ABC,M3.5.0/-167,M10.5.0/167",
    "XYZ0ABC,0/0,J365/25",
    "XYZ-1ABC-24:59:59,M3.5.0,M10.5.0/3",
    "garbage!! \t\x1b[31m",
    "XYZ\n-3",
    "\udcff\udcfe",
]


@pytest.mark.parametrize("value", HOSTILE, ids=range(len(HOSTILE)))
def test_any_tz_gives_a_usable_zone_and_at_most_one_line(
    value: str, tz_env: Callable[[str | None], None]
) -> None:
    tz_env(value)
    zone = local_timezone()
    _usable(zone)
    assert len(zone_messages(zone)) <= 1
    assert all(m.isprintable() and len(m) < 300 for m in zone_messages(zone))  # one short line


@pytest.fixture
def home(tmp_path: Path) -> Path:
    root = tmp_path / "home"
    (root / "decks").mkdir(parents=True)
    (root / "decks" / "tiny.toml").write_text(
        'format = 1\n[deck]\nid = "tiny"\nname = "Tiny"\n\n[[cards]]\nid = "a"\nfront = "q"\nback = "b"\n',
        encoding="utf-8",
    )
    (root / "config.toml").write_text("[decks.tiny]\nnew_per_day = 5\n", encoding="utf-8")  # check's dates
    return root


@pytest.mark.parametrize(
    ("command", "tz", "warns"),
    [("due", "XYZ-24", True), ("stats", "XYZ+25", True), ("check", "XYZ+25", False)],  # check: no zone line
)
def test_commands_run_under_a_24_hour_offset_with_one_warning(
    command: str, tz: str, warns: bool, home: Path
) -> None:
    env = {**os.environ, "RETAIN_HOME": str(home), "TZ": tz}
    done = subprocess.run(
        [sys.executable, "-m", "retain", command], env=env, capture_output=True, text=True, timeout=60
    )
    assert "Traceback" not in done.stderr, done.stderr
    assert done.returncode == 0, done.stderr
    warnings = [line for line in done.stderr.splitlines() if "time zone" in line]
    assert len(warnings) == warns, done.stderr
    assert all(f"cannot use TZ={tz} ({FAR})" in line for line in warnings)
