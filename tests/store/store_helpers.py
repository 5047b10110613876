"""Builders shared by the store tests: a real RETAIN_HOME with a small deck, events, clocks."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zlib
from datetime import UTC, datetime, timedelta
from pathlib import Path

from retain.core.state import REVIEW, CardState, Event
from retain.store.collection import Collection
from retain.store.home import Home, open_home

NOW = datetime(2026, 3, 28, 12, 0, tzinfo=UTC)

DECK = """format = 1

[deck]
id = "tiny"
name = "Tiny deck"
group = "Tests"

[[cards]]
id = "one"
front = "One?"
back = "1"

[[cards]]
id = "two"
kind = "reversed"
front = "Two?"
back = "2"

[[cards]]
id = "three"
kind = "cloze"
text = "{{c1::Three}} and {{c2::four}}"
"""
KEYS = ("tiny/one", "tiny/two", "tiny/two:reverse", "tiny/three:c1", "tiny/three:c2")


def make_home(root: Path, deck: str = DECK) -> Home:
    """A RETAIN_HOME at `root` with the tiny deck in its deck folder (plus the bundled decks)."""
    (root / "decks").mkdir(parents=True, exist_ok=True)
    (root / "decks" / "tiny.toml").write_text(deck, encoding="utf-8")
    return open_home({"RETAIN_HOME": str(root)})


def review_state(at: datetime, days: float = 3.0, stability: float = 3.0) -> CardState:
    return CardState(
        state=REVIEW,
        stability=stability,
        difficulty=5.0,
        due=at + timedelta(days=days),
        last_review=at,
        reps=2,
        lapses=0,
    )


def rate(col: Collection, key: str, at: datetime, rating: int = 3) -> Event:
    """Record one review of `key` at `at` through the collection (a plain, valid state)."""
    before = col.states.get(key)
    after = review_state(at, days=rating)
    event = Event(col.new_event_id(at), "review", key, at, after, before, rating, 1234)
    col.record(event)
    return event


def open_col(home: Home, now: datetime = NOW, **kw: object) -> Collection:
    return Collection.open(home, now, tz=UTC, **kw)  # type: ignore[arg-type]


def journal_paths(root: Path) -> list[Path]:
    return sorted((root / "state" / "devices").glob("*/journal-*.toml"))


def delete_snapshots(root: Path, *, cache: bool = False) -> None:
    """Snapshots and manifest gone (and `cache/`): the next start replays every journal, the
    reference every merge must agree with."""
    import shutil

    for path in (root / "state").glob("snapshots*"):
        path.unlink() if path.is_file() else shutil.rmtree(path)
    if cache:
        shutil.rmtree(root / "cache", ignore_errors=True)


def states_at(root: Path, at: datetime) -> dict[str, CardState]:
    """The card states a start of the home at `root` gives at `at` (then closed, compacting)."""
    col = open_col(make_home(root), at)
    try:
        return dict(col.states)
    finally:
        col.close(at)


def crc_line(body: bytes) -> bytes:
    """A format-2 record line: `body` (up to its last comma) with its CRC and newline."""
    return body + b'c="%08x"}\n' % zlib.crc32(body)


def rated_home(root: Path, closed: datetime = NOW) -> None:
    """Three cards rated in a new home, then closed at `closed` (compacted: snapshots hold them)."""
    col = open_col(make_home(root), NOW)
    try:
        for i, key in enumerate(KEYS[:3]):
            rate(col, key, NOW + timedelta(minutes=i))
    finally:
        col.close(closed)


def assert_ratings_still_count(root: Path) -> None:
    """The three ratings of `rated_home` are in the states, with the snapshots and replaying
    every journal (a damaged record set aside, not the home)."""
    for snapshots in (True, False):  # with the snapshots, then replaying every journal
        if not snapshots:
            delete_snapshots(root, cache=True)
        col = open_col(make_home(root), NOW + timedelta(hours=1))
        try:
            assert set(KEYS[:3]) <= set(col.states)
        finally:
            col.close(NOW + timedelta(hours=1))


def assert_commands_say_one_line(root: Path) -> None:
    """`due --json` and `stats --json` (a process each) exit 0 with their JSON, and say what was
    set aside in at most three lines: no traceback."""
    env = {**os.environ, "RETAIN_HOME": str(root)}
    for command in ("due", "stats"):
        got = subprocess.run(
            [sys.executable, "-m", "retain", command, "--json"],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert got.returncode == 0, got.stderr[-2000:]
        assert "Traceback" not in got.stderr
        assert len(got.stderr.splitlines()) <= 3, got.stderr
        json.loads(got.stdout)
