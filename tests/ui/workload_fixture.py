"""A tiny review history for the settings screen's workload chart and reschedule tests.

Deck `wl` (24 cards) reviewed from 90 days before the test clock (`FIXED_NOW`) on,
each review at the due date the default scheduler gave; the deck uses preset
`fitted`, whose weights differ from FSRS's defaults (so rescheduling changes cards).
"""

from __future__ import annotations

import random
from datetime import UTC, timedelta
from pathlib import Path

from retain.core.fsrsfit import DEFAULT_WEIGHTS
from retain.core.scheduler import Scheduler
from retain.core.settings import StudySettings
from retain.core.state import Event
from retain.store.collection import Collection
from retain.store.home import open_home

from .conftest import FIXED_NOW

__all__ = ["CONFIG", "WEIGHTS", "add_history"]

CARDS = 24
WEIGHTS = (1.2, 2.5, *DEFAULT_WEIGHTS[2:])  # slower first stabilities than the defaults
CONFIG = (
    "[study]\nfuzz = false\n\n[presets.fitted]\ndesired_retention = 0.9\n"
    f'parameters = [{", ".join(repr(w) for w in WEIGHTS)}]\n\n[decks.wl]\npreset = "fitted"\n'
)


def add_history(root: Path) -> int:
    """Write deck `wl`, the config and the history into RETAIN_HOME `root`; returns the review count."""
    lines = ['format = 1\n\n[deck]\nid = "wl"\nname = "Workload"\n']
    lines += [f'[[cards]]\nid = "c{i}"\nfront = "Q{i}"\nback = "A{i}"\n' for i in range(CARDS)]
    (root / "decks" / "wl.toml").write_text("\n".join(lines), encoding="utf-8")
    (root / "config.toml").write_text(CONFIG, encoding="utf-8")
    rng = random.Random(3)
    col = Collection.open(open_home({"RETAIN_HOME": str(root)}), FIXED_NOW, tz=UTC, fsync=False)
    try:
        sched = Scheduler(StudySettings(fuzz=False))
        events: list[Event] = []
        for i in range(CARDS):
            key, state = f"wl/c{i}", None
            at = FIXED_NOW - timedelta(days=90, hours=rng.uniform(0, 24 * 10))
            while at < FIXED_NOW - timedelta(hours=1):
                rating = rng.choices([1, 2, 3, 4], [0.15, 0.1, 0.6, 0.15])[0]
                after = sched.preview(key, state, at)[rating]
                events.append(Event(col.new_event_id(at), "review", key, at, after, state, rating, 3000))
                state = after
                assert after.due is not None
                at = after.due + timedelta(hours=rng.uniform(0, 20))
        col.record_many(events)
    finally:
        col.close(FIXED_NOW)
    return len(events)
