"""Undo takes back this device's last written action, whatever the clock said (h21), and a
journal of a newer format met first by the history index refuses in one line (h21)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from store_helpers import KEYS, NOW, make_home, open_col, rate

from retain.core.session import record_undo
from retain.store.collection import UNDO_WINDOW, Collection, CollectionError
from retain.store.home import Home


def test_undo_after_the_clock_was_corrected_back_takes_back_the_rating_just_made(tmp_path: Path) -> None:
    """A rating at 10:00, the clock set back to 09:10, another card rated Again: undo took back
    the 10:00 rating of the other card and left the mistaken Again."""
    home = make_home(tmp_path)
    col = open_col(home, NOW)
    try:
        first = rate(col, KEYS[0], NOW + timedelta(minutes=50))
        second = rate(col, KEYS[1], NOW, rating=1)  # the clock corrected back by 50 minutes
        assert col.last_undoable(NOW + timedelta(seconds=5)) == second
        done = record_undo(col, col.states, NOW + timedelta(seconds=5))
        assert done is not None and done[0].id == second.id
        assert col.last_undoable(NOW + timedelta(seconds=6)) == first  # then the one before it
        assert col.undo_refusal(NOW + timedelta(seconds=6)) is None
    finally:
        col.close(NOW + timedelta(minutes=1))


def test_a_rating_dated_far_ahead_is_out_of_the_undo_window(tmp_path: Path) -> None:
    """A clock 10 days ahead, corrected: its rating was in undo's reach until 12 days later (it
    cannot be told from one made days ago); it is out of the window, as one made days ago is."""
    home = make_home(tmp_path)
    col = open_col(home, NOW)
    try:
        before = rate(col, KEYS[0], NOW - timedelta(hours=1))
        ahead = rate(col, KEYS[1], NOW + timedelta(days=10))
        assert col.last_undoable(NOW) == before  # (the one ahead is out of the window)
        assert col.undo_refusal(NOW) is None
        assert col.last_undoable(NOW + UNDO_WINDOW + timedelta(hours=1)) is None  # neither in reach
        assert col.last_undoable(NOW + timedelta(days=8, hours=1)) == ahead  # within a window of it
    finally:
        col.close(NOW)


_step = st.integers(min_value=-180, max_value=180)  # minutes the clock moves between two ratings


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(_step, min_size=1, max_size=6), cold=st.booleans())
def test_the_undo_target_is_the_last_written_however_the_clock_moved(
    tmp_path_factory: object, steps: list[int], cold: bool
) -> None:
    """Ratings of distinct cards with a clock moving either way (within the window): undo takes
    them back last written first, the same with a rebuilt index."""
    root = tmp_path_factory.mktemp("h")  # type: ignore[attr-defined]
    home = make_home(root)
    at = NOW
    col = open_col(home, NOW)
    written = []
    try:
        for key, step in zip(KEYS, steps, strict=False):
            at += timedelta(minutes=step)
            written.append(rate(col, key, at))
    finally:
        col.close(NOW)
    if cold:
        shutil.rmtree(root / "cache", ignore_errors=True)
    col = open_col(home, NOW)
    try:
        for i, event in enumerate(reversed(written)):
            when = NOW + timedelta(seconds=i + 1)
            assert col.last_undoable(when) == event
            done = record_undo(col, col.states, when)
            assert done is not None and done[0].id == event.id
    finally:
        col.close(NOW + timedelta(minutes=1))


def _newer_format_home(root: Path) -> Home:
    """A home whose journal (covered by the snapshots) reads `format = 3`, its index deleted."""
    home = make_home(root)
    col = open_col(home, NOW)
    try:
        rate(col, KEYS[0], NOW)
    finally:
        col.close(NOW)
    (journal,) = sorted((root / "state" / "devices").glob("*/journal-*.toml"))
    journal.write_bytes(journal.read_bytes().replace(b"format = 2", b"format = 3", 1))
    shutil.rmtree(root / "cache", ignore_errors=True)
    return home


def test_a_newer_journal_met_by_the_index_refuses_the_open_in_one_line(tmp_path: Path) -> None:
    home = _newer_format_home(tmp_path)
    try:
        Collection.open(home, NOW, history=True, read_only=True, cards=False).close()
    except CollectionError as exc:
        assert "journal format 3, written by a newer retain; upgrade retain" in str(exc)
    else:
        raise AssertionError("opened")
    col = Collection.open(home, NOW, read_only=True, cards=False)  # (what the TUI's loader does)
    try:
        col.history_index.refresh(datetime.now(UTC))
    except CollectionError as exc:
        assert "upgrade retain to open it" in str(exc)
    else:
        raise AssertionError("read")
    finally:
        col.close()


def test_due_and_stats_refuse_a_newer_journal_with_one_line(tmp_path: Path) -> None:
    _newer_format_home(tmp_path)
    for command in (["due"], ["stats"]):
        shutil.rmtree(tmp_path / "cache", ignore_errors=True)
        done = subprocess.run(
            [sys.executable, "-m", "retain", *command],
            env={"RETAIN_HOME": str(tmp_path), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 2, (command, done.stderr)
        assert "Traceback" not in done.stderr
        lines = done.stderr.strip().splitlines()
        assert len(lines) == 1 and "journal format 3, written by a newer retain" in lines[0], done.stderr
