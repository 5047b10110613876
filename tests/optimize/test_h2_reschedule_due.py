"""A rescheduled card's due date is the one a review with the same weights gives it.

The history is made by the app's own `Scheduler` (with the collection's study days, as the
TUI reviews), in a zone with DST changes, with fuzz on and off. Rescheduling with the weights
those reviews used must then change nothing: same stability and difficulty (up to fsrs-rs's
float32 replay), and the same due date (fuzzed as the review fuzzed it, on the study day the
review chose). It used to put every review card at `last_review + round(interval)` 24-hour
days, unfuzzed: hundreds of cards moved by up to weeks with unchanged weights, and a card
whose last review fell just after the rollover was due a study day early after a DST fall-back.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from optimize_home import deck_text
from optimize_synth import TRUE_WEIGHTS

from retain.core.scheduler import Scheduler
from retain.core.state import REVIEW, CardState, Event
from retain.store.collection import Collection
from retain.store.fsrs_presets import presets_for, reschedule_plan
from retain.store.home import open_home

ZONE = ZoneInfo("America/New_York")
NOW = datetime(2025, 12, 20, 15, 0, tzinfo=UTC)  # after the fall-back of 2 Nov 2025
CARDS = 150


def _home(root: Path, fuzz: bool, weights: tuple[float, ...] | None) -> Path:
    (root / "decks").mkdir(parents=True)
    (root / "decks" / "alpha.toml").write_text(deck_text("alpha", CARDS), encoding="utf-8")
    lines = ["rollover_hour = 4", "[study]", f"fuzz = {'true' if fuzz else 'false'}"]
    if weights is not None:
        lines.append(f"parameters = {list(weights)}")
    (root / "config.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    col = Collection.open(open_home({"RETAIN_HOME": str(root)}), NOW, tz=ZONE, fsync=False)
    try:
        sched = Scheduler(col.settings_for("alpha"), col.studyday)
        rng = random.Random(11)
        events: list[Event] = []
        for i in range(CARDS):
            key = f"alpha/c{i}"
            # first reviews spread over a month; many reviews fall on either side of 4 am
            at = NOW - timedelta(days=rng.uniform(90, 120))
            state: CardState | None = None
            while at < NOW - timedelta(hours=1):
                rating = rng.choices([1, 3, 4], [0.1, 0.75, 0.15])[0]
                after = sched.preview(key, state, at)[rating]
                events.append(Event(col.new_event_id(at), "review", key, at, after, state, rating, 2000))
                state = after
                assert after.due is not None
                at = after.due + timedelta(minutes=rng.choice([1, 30, 90, 600, 1300]))
        col.record_many(events)
    finally:
        col.close(NOW)
    return root


@pytest.mark.parametrize("fuzz", [True, False], ids=["fuzz", "no-fuzz"])
@pytest.mark.parametrize("weights", [None, TRUE_WEIGHTS], ids=["default-weights", "own-weights"])
def test_rescheduling_with_the_weights_the_reviews_used_changes_nothing(
    tmp_path: Path, fuzz: bool, weights: tuple[float, ...] | None
) -> None:
    root = _home(tmp_path / "home", fuzz, weights)
    col = Collection.open(open_home({"RETAIN_HOME": str(root)}), NOW, tz=ZONE, cards=False, read_only=True)
    try:
        reviewed = sum(1 for s in col.states.values() if s.state == REVIEW)
        assert reviewed > CARDS // 2
        (preset,) = presets_for(col, "alpha")
        current = preset.settings.parameters or Scheduler(preset.settings).parameters
        plan = reschedule_plan(col, preset, current, NOW)
        moved = [
            (c.key, c.old.due.astimezone(ZONE).isoformat(), c.due.astimezone(ZONE).isoformat())
            for c in plan.changes
            if c.due is not None and c.old.due is not None
        ]
        assert moved == []
        assert plan.changes == []
        assert plan.due_next_week_before == plan.due_next_week_after
    finally:
        col.close()
