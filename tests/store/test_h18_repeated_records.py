"""A record line repeated in a journal (copied to the end by hand, a sync tool or `cat`, with its
CRC intact) is one event, not two. It counted twice in the day's reviews and the stats, with the
index fed as it was and with `cache/` deleted; and with the snapshots gone, replaying the journal
applied the copy of an old rating after the later one, taking the card back to it. An event is
its device and id: a repeat of one counts once, and the index says so in one line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from store_helpers import KEYS, NOW, delete_snapshots, journal_paths, make_home, open_col, rate

from retain.store.collection import Collection

LATER = NOW + timedelta(minutes=30)


def _home_with_a_repeated_record(root: Path, *, where: str = "end") -> None:
    """`tiny/one` rated at NOW and again (Easy) ten minutes later, `tiny/two` once; then the
    first record's line is copied (`end`: after the last line; `twice`: the whole file's
    records again, as `cat journal journal` would)."""
    col = open_col(make_home(root), NOW)
    try:
        rate(col, "tiny/one", NOW)
        rate(col, "tiny/one", NOW + timedelta(minutes=10), rating=4)
        rate(col, "tiny/two", NOW + timedelta(minutes=11))
    finally:
        col.close(NOW + timedelta(minutes=12))
    journal = journal_paths(root)[0]
    data = journal.read_bytes()
    records = [line for line in data.splitlines(keepends=True) if line[:1].isdigit()]
    assert len(records) == 3
    journal.write_bytes(data + (records[0] if where == "end" else b"".join(records)))


def _open(root: Path) -> Collection:
    return open_col(make_home(root), LATER)


def _check(root: Path) -> list[str]:
    """What an opened home counts and holds; the lines it said."""
    col = _open(root)
    try:
        assert col.progress(LATER)[0] == 3, "a repeated record was counted as another review"
        one = col.states["tiny/one"]
        assert one.last_review == NOW + timedelta(minutes=10), "the copy of the older rating was applied last"
        return col.messages
    finally:
        col.close(LATER)


@pytest.mark.parametrize("where", ["end", "twice"])
def test_a_repeated_record_counts_once_fed_cold_and_replayed(tmp_path: Path, where: str) -> None:
    _home_with_a_repeated_record(tmp_path, where=where)
    said = _check(tmp_path)  # the index fed from where it stopped (the copy is new bytes)
    told = [m for m in said if "repeat" in m]
    assert len(told) == 1 and "\n" not in told[0], said
    assert _check(tmp_path) == [m for m in _check(tmp_path) if "repeat" not in m]  # said once, then known
    delete_snapshots(tmp_path, cache=False)
    _check(tmp_path)  # every journal replayed
    delete_snapshots(tmp_path, cache=True)
    said = _check(tmp_path)  # and the index built cold
    assert any("repeat" in m for m in said), said


def test_stats_and_due_count_a_repeated_record_once(tmp_path: Path) -> None:
    _home_with_a_repeated_record(tmp_path)
    env = {**os.environ, "RETAIN_HOME": str(tmp_path)}
    for cache in (True, False):
        if not cache:
            delete_snapshots(tmp_path, cache=True)
        got = subprocess.run(
            [sys.executable, "-m", "retain", "stats", "--json"],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert got.returncode == 0 and "Traceback" not in got.stderr, got.stderr
        assert json.loads(got.stdout)["calendar"]["total"] == 3, "stats counted the copy as a review"
        assert len(got.stderr.splitlines()) <= 2, got.stderr


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    ratings=st.lists(st.tuples(st.sampled_from(KEYS), st.integers(1, 4)), min_size=1, max_size=8),
    copies=st.lists(st.tuples(st.integers(0, 7), st.integers(0, 9)), min_size=1, max_size=4),
)
def test_copied_lines_anywhere_change_no_count_and_no_state(
    tmp_path_factory: pytest.TempPathFactory, ratings: list[tuple[str, int]], copies: list[tuple[int, int]]
) -> None:
    """Ratings in a new home; then copies of some record lines put back in at any line after
    their original. The day's count and every card's state are those of the home without them:
    fed, replayed without the snapshots, and built cold. (A copy put before its original is
    read first, where the file puts it: see docs/state-format.md.)"""
    root = tmp_path_factory.mktemp("copies")
    col = open_col(make_home(root), NOW)
    try:
        for n, (key, rating) in enumerate(ratings):
            rate(col, key, NOW + timedelta(minutes=n), rating=rating)
        expected = dict(col.states)
    finally:
        col.close(NOW + timedelta(minutes=10))
    journal = journal_paths(root)[0]
    lines = journal.read_bytes().splitlines(keepends=True)
    first = next(i for i, line in enumerate(lines) if line[:1].isdigit())
    records = lines[first:]
    for which, where in copies:  # each copy after its original, anywhere there
        record = records[which % len(records)]
        after = lines.index(record) + 1
        lines.insert(after + where % (len(lines) - after + 1), record)
    journal.write_bytes(b"".join(lines))
    for step in ("fed", "replayed", "cold"):
        if step != "fed":
            delete_snapshots(root, cache=step == "cold")
        col = _open(root)
        try:
            assert col.progress(LATER)[0] == len(ratings), step
            assert dict(col.states) == expected, step
        finally:
            col.close(LATER)


def test_a_record_repeated_inside_a_file_read_again_counts_once_with_the_index_kept(tmp_path: Path) -> None:
    """The copy put between two records (a hand edit, a sync tool's merge): the file no longer
    matches where the index stopped, so it is read again from its start. Its old rows were
    deleted and the re-read rows took their rowids back, below where the repeat check began: 4
    reviews today, and no line said, until `cache/` was deleted."""
    col = open_col(make_home(tmp_path), NOW)
    try:
        rate(col, "tiny/one", NOW)
        rate(col, "tiny/one", NOW + timedelta(minutes=10), rating=4)
        rate(col, "tiny/two", NOW + timedelta(minutes=11))
        assert col.progress(LATER)[0] == 3  # (the index fed with the three)
    finally:
        col.close(NOW + timedelta(minutes=12))
    journal = journal_paths(tmp_path)[0]
    data = journal.read_bytes()
    records = [line for line in data.splitlines(keepends=True) if line[:1].isdigit()]
    assert len(records) == 3
    head = data[: data.index(records[1]) + len(records[1])]
    journal.write_bytes(head + records[0] + records[2])  # (the copy between the second and third)
    said = _check(tmp_path)
    assert any("repeat" in m for m in said), said
