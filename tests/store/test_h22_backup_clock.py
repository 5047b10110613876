"""Daily backups and a wrong clock: pruning counts the backups that exist, never the clock alone.

A single start with the clock a year ahead removed every backup ("older than 14 days" counted
from the wrong today), and its own backup, dated in the future, was the "newest" one recovery
tried first for ever after the clock was right again.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from store_helpers import make_home, open_col, rate

from retain.store.state.backup import KEEP_DAYS, backup_candidates, prune_backups


def _session(home_root: Path, at: datetime) -> None:
    col = open_col(make_home(home_root), at)
    try:
        rate(col, "tiny/one", at)
    finally:
        col.close(at + timedelta(seconds=1))


def _days(root: Path) -> list[str]:
    return sorted(p.name for p in (root / "state" / "backups").iterdir())


def _backup(state: Path, day: str, *, toml: bool = True) -> None:
    folder = state / "backups" / day
    folder.mkdir(parents=True)
    if toml:
        (folder / "d.toml").write_text("format = 1\n")


def test_one_start_with_the_clock_a_year_ahead_removes_no_backup(tmp_path: Path) -> None:
    for d in range(1, 6):
        _session(tmp_path, datetime(2026, 12, d, 10, tzinfo=UTC))
    made = [f"2026-12-0{d}" for d in range(2, 6)]  # (the first start had no snapshot to copy)
    assert _days(tmp_path) == made
    _session(tmp_path, datetime(2027, 12, 5, 10, tzinfo=UTC))  # a VM resumed with a wrong clock
    assert _days(tmp_path) == [*made, "2027-12-05"]


def test_a_clock_set_back_removes_no_backup_either(tmp_path: Path) -> None:
    for d in range(1, 6):
        _session(tmp_path, datetime(2026, 12, d, 10, tzinfo=UTC))
    _session(tmp_path, datetime(2020, 1, 1, 10, tzinfo=UTC))  # a dead clock battery
    assert _days(tmp_path) == ["2020-01-01"] + [f"2026-12-0{d}" for d in range(2, 6)]


def test_after_the_clock_is_right_again_old_backups_go_once_fourteen_newer_exist(tmp_path: Path) -> None:
    for d in range(1, 6):
        _session(tmp_path, datetime(2026, 12, d, 10, tzinfo=UTC))
    _session(tmp_path, datetime(2027, 12, 5, 10, tzinfo=UTC))
    for d in range(6, 26):
        _session(tmp_path, datetime(2026, 12, d, 10, tzinfo=UTC))
    # the last 14 days as always; the one dated in the future is kept (which clock was wrong
    # cannot be told), and it never pushes out a backup of the last 14 days
    assert _days(tmp_path) == [f"2026-12-{d}" for d in range(12, 26)] + ["2027-12-05"]


def test_a_long_break_keeps_the_last_fourteen_backups(tmp_path: Path) -> None:
    state = tmp_path / "state"
    months = [date(2024 + m // 12, m % 12 + 1, 1).isoformat() for m in range(20)]  # once a month
    for day in months:
        _backup(state, day)
    prune_backups(state, date(2026, 3, 2))
    assert sorted(p.name for p in (state / "backups").iterdir()) == months[-KEEP_DAYS:]


def test_an_empty_day_folder_is_no_backup_and_protects_none(tmp_path: Path) -> None:
    state = tmp_path / "state"
    _backup(state, "2025-01-01")  # the one real backup: kept, however old
    for d in range(2, 20):
        _backup(state, f"2025-01-{d:02}", toml=False)  # old and empty: removed
    _backup(state, "2026-03-01", toml=False)  # empty, but in the last 14 days: left alone
    prune_backups(state, date(2026, 3, 2))
    assert sorted(p.name for p in (state / "backups").iterdir()) == ["2025-01-01", "2026-03-01"]


def test_recovery_tries_a_backup_dated_in_the_future_last(tmp_path: Path) -> None:
    state = tmp_path / "state"
    for day in ("2026-12-04", "2026-12-05", "2026-12-06", "2026-12-07", "2027-12-05"):
        _backup(state, day)
    got = [p.parent.name for p in backup_candidates(state, "d.toml", date(2026, 12, 6))]
    # tomorrow's is another time zone's today (a synced device); a year ahead is a wrong clock
    assert got == ["2026-12-07", "2026-12-06", "2026-12-05", "2026-12-04", "2027-12-05"]
    # a clock set back: every backup is "in the future", newest first as ever
    got = [p.parent.name for p in backup_candidates(state, "d.toml", date(2020, 1, 1))]
    assert got == ["2027-12-05", "2026-12-07", "2026-12-06", "2026-12-05", "2026-12-04"]


_SESSION = """
import sys
from datetime import UTC, datetime, timedelta
from retain.core.state import REVIEW, CardState, Event
from retain.store.collection import Collection
from retain.store.home import open_home
now = datetime.now(UTC)
col = Collection.open(open_home(), now)
assert not col.read_only
if sys.argv[1] == "rate":
    after = CardState(state=REVIEW, stability=3.0, difficulty=5.0, due=now + timedelta(days=3), last_review=now, reps=2, lapses=0)
    col.record(Event(col.new_event_id(now), "review", "tiny/one", now, after, None, 3, 1000))
else:
    print("\\n".join(col.messages))
col.close(now + timedelta(seconds=1))
"""


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("faketime") is None, reason="needs faketime")
def test_recovery_after_the_clock_is_fixed_uses_todays_backup_not_the_wrong_clocks(tmp_path: Path) -> None:
    """The whole process under a faked clock, as the attacker ran it: the backup taken by the wrong
    clock's start (dated a year ahead) is not the one a damaged snapshot is rebuilt from."""
    make_home(tmp_path)
    env = {**os.environ, "RETAIN_HOME": str(tmp_path)}

    def run(at: str, what: str) -> str:
        for _try in range(3):  # faketime's own start may fail (`faketime: sem_open: File exists`:
            got = subprocess.run(  # a killed faketime'd process left its semaphore, and the pid came
                ["faketime", at, sys.executable, "-c", _SESSION, what],  # round again); never retain's
                env=env,
                capture_output=True,
                text=True,
                timeout=120,
                check=False,
            )
            if not (got.returncode and got.stderr.startswith("faketime: ")):
                break
        assert got.returncode == 0, got.stderr[-3000:]  # (the traceback, should it fail)
        return got.stdout

    for at in (
        "2026-12-03 10:00:00",
        "2026-12-04 10:00:00",
        "2026-12-05 10:00:00",
        "2027-12-05 10:00:00",
        "2026-12-06 10:00:00",
    ):
        run(at, "rate")
    assert _days(tmp_path) == ["2026-12-04", "2026-12-05", "2026-12-06", "2027-12-05"]
    (tmp_path / "state" / "snapshots" / "tiny.toml").write_bytes(b"\xff\xfe not utf-8")
    said = run("2026-12-06 11:00:00", "open")
    assert "progress was rebuilt from the backup of 2026-12-06 plus the journal" in said, said
