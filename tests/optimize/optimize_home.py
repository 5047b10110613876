"""A real RETAIN_HOME with a few hundred cards and months of review history, for optimizer CLI tests."""

from __future__ import annotations

import random
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from retain.core.scheduler import Scheduler
from retain.core.settings import StudySettings
from retain.core.state import Event
from retain.store.collection import Collection
from retain.store.home import open_home

NOW = datetime.now(UTC).replace(microsecond=0)


def deck_text(deck_id: str, cards: int, group: str = "Tests") -> str:
    lines = [f'format = 1\n\n[deck]\nid = "{deck_id}"\nname = "{deck_id.title()}"\ngroup = "{group}"\n']
    for i in range(cards):
        lines.append(f'[[cards]]\nid = "c{i}"\nfront = "Q{i}?"\nback = "A{i}"\n')
    return "\n".join(lines)


def make_home(root: Path, cards: int = 300, seed: int = 5) -> Path:
    """`alpha` (cards) with ~120 days of history, `beta` (20 cards) without; returns `root`."""
    (root / "decks").mkdir(parents=True, exist_ok=True)
    (root / "decks" / "alpha.toml").write_text(deck_text("alpha", cards), encoding="utf-8")
    (root / "decks" / "beta.toml").write_text(deck_text("beta", 20, "Other"), encoding="utf-8")
    home = open_home({"RETAIN_HOME": str(root)})
    rng = random.Random(seed)
    start = NOW - timedelta(days=120)
    col = Collection.open(home, NOW, tz=UTC, fsync=False)
    try:
        sched = Scheduler(StudySettings())
        events: list[Event] = []
        for i in range(cards):
            key = f"alpha/c{i}"
            at = start + timedelta(hours=rng.uniform(0, 24 * 20))
            state = None
            while at < NOW - timedelta(hours=1):
                rating = rng.choices([1, 2, 3, 4], [0.15, 0.1, 0.6, 0.15])[0]
                after = sched.preview(key, state, at)[rating]
                events.append(Event(col.new_event_id(at), "review", key, at, after, state, rating, 3000))
                state = after
                assert after.due is not None
                at = after.due + timedelta(hours=rng.uniform(0, 30))
        col.record_many(events)
    finally:
        col.close(NOW)
    return root


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """`retain optimize ARGS` as a user runs it: (exit code, stdout, stderr)."""
    from retain.cli import main

    code = main(["optimize", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def states(root: Path) -> dict[str, object]:
    """Every card state of the home at `root`, read-only."""
    col = Collection.open(open_home({"RETAIN_HOME": str(root)}), NOW, read_only=True)
    try:
        return dict(col.states)
    finally:
        col.close()


def copy_home(built: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A test's own copy of a module's built home, as RETAIN_HOME."""
    root = tmp_path / "home"
    shutil.copytree(built, root)
    monkeypatch.setenv("RETAIN_HOME", str(root))
    return root
