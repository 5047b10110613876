"""Rescheduling with the weights the reviews used changes nothing, whatever rule scheduled them.

Random review histories (random ratings, reviews at any hour, before and after the rollover,
early and late) are made by the live `Scheduler` with the collection's study days, under
random settings: learning and relearning steps of minutes and of days, a small or a large
maximum interval, a high or a low desired retention, fuzz on or off. The reschedule plan with
the same weights must then change no card. It used to replay a review card's due date from its
stability alone (`Scheduler.review_due`), blind to the rules the review applied on top: the
floor of a passing review (the interval it had; 28 of 300 cards moved with
`maximum_interval = 30`), and the order of Easy after a learning step of days (Easy waits for
Good's `3d` step; 118 of 400 cards came a day early with `relearning_steps = ["1d"]`).
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from optimize_home import deck_text

from retain.core.scheduler import Scheduler
from retain.core.state import REVIEW, CardState, Event
from retain.store.collection import Collection
from retain.store.fsrs_presets import presets_for, reschedule_plan
from retain.store.home import open_home

NOW = datetime(2026, 3, 1, 15, 0, tzinfo=UTC)
CARDS = 12
STEPS = [[], ["1m", "10m"], ["10m", "1d"], ["10m", "1d", "3d"], ["2d"], ["1h", "1d", "5d"]]
RELEARN = [[], ["10m"], ["1d"], ["10m", "2d"], ["3d"]]


def _history(root: Path, config: str, zone: str, seed: int, cards: int = CARDS) -> int:
    """A home whose `alpha` deck has months of reviews made by the live scheduler; returns the
    number of review cards."""
    (root / "decks").mkdir(parents=True)
    (root / "decks" / "alpha.toml").write_text(deck_text("alpha", cards), encoding="utf-8")
    (root / "config.toml").write_text(config, encoding="utf-8")
    tz = ZoneInfo(zone)
    col = Collection.open(open_home({"RETAIN_HOME": str(root)}), NOW, tz=tz, fsync=False)
    try:
        sched = Scheduler(col.settings_for("alpha"), col.studyday)
        day = col.studyday
        rng = random.Random(seed)
        events: list[Event] = []
        for i in range(cards):
            key = f"alpha/c{i}"
            at = NOW - timedelta(days=rng.uniform(60, 200))
            state: CardState | None = None
            while at < NOW - timedelta(hours=1):
                rating = rng.choices([1, 2, 3, 4], [0.15, 0.15, 0.55, 0.15])[0]
                after = sched.preview(key, state, at)[rating]
                events.append(Event(col.new_event_id(at), "review", key, at, after, state, rating, 2000))
                state = after
                assert after.due is not None
                at_last = at
                if after.due - at < timedelta(hours=20):  # a step of minutes or hours
                    at = after.due + timedelta(minutes=rng.choice([0, 1, 5, 90]))
                    continue
                # any hour of the due study day (before and after the clock time it was rated at,
                # either side of the rollover), sometimes a day or more late, sometimes early
                start = day.start_of(day.of(after.due))
                late = rng.choice([0, 0, 0, 1, 4, -1])
                at = start + timedelta(days=late, hours=rng.uniform(0, 24))
                if at <= at_last:
                    at = at_last + timedelta(hours=rng.uniform(1, 30))
        col.record_many(events)
    finally:
        col.close(NOW)
    return sum(1 for e in events if e.after is not None and e.after.state == REVIEW)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    steps=st.sampled_from(STEPS),
    relearn=st.sampled_from(RELEARN),
    maximum=st.sampled_from([2, 7, 30, 100, 36500]),
    retention=st.sampled_from([0.7, 0.8, 0.9, 0.97]),
    fuzz=st.booleans(),
    rollover=st.sampled_from([0, 4, 12]),
    zone=st.sampled_from(["UTC", "America/New_York", "Asia/Kolkata"]),
    seed=st.integers(0, 2**32 - 1),
)
def test_rescheduling_with_unchanged_weights_changes_no_card(
    tmp_path_factory: object,
    steps: list[str],
    relearn: list[str],
    maximum: int,
    retention: float,
    fuzz: bool,
    rollover: int,
    zone: str,
    seed: int,
) -> None:
    root = tmp_path_factory.mktemp("home")  # type: ignore[attr-defined]
    config = (
        f"rollover_hour = {rollover}\n[study]\nlearning_steps = {steps!r}\n"
        f"relearning_steps = {relearn!r}\nmaximum_interval = {maximum}\n"
        f"desired_retention = {retention}\nfuzz = {'true' if fuzz else 'false'}\n"
    ).replace("'", '"')
    _history(root, config, zone, seed)
    col = Collection.open(
        open_home({"RETAIN_HOME": str(root)}), NOW, tz=ZoneInfo(zone), cards=False, read_only=True
    )
    try:
        (preset,) = presets_for(col, "alpha")
        weights = preset.settings.parameters or Scheduler(preset.settings).parameters
        plan = reschedule_plan(col, preset, weights, NOW)
        moved = [
            (
                c.key,
                c.old.due and c.old.due.isoformat(),
                c.due and c.due.isoformat(),
                c.old.stability,
                c.stability,
            )
            for c in plan.changes
        ]
        assert moved == []
        assert plan.due_next_week_before == plan.due_next_week_after
    finally:
        col.close(NOW)


def test_a_floored_good_under_a_small_maximum_interval_is_kept(tmp_path: Path) -> None:
    """The attacker's case: 300 cards over a year with `maximum_interval = 30` (28 moved)."""
    root = tmp_path / "home"
    reviewed = _history(root, "rollover_hour = 4\n[study]\nmaximum_interval = 30\n", "UTC", 7, cards=60)
    assert reviewed > 100
    col = Collection.open(open_home({"RETAIN_HOME": str(root)}), NOW, tz=UTC, cards=False, read_only=True)
    try:
        (preset,) = presets_for(col, "alpha")
        plan = reschedule_plan(col, preset, Scheduler(preset.settings).parameters, NOW)
        assert [c.key for c in plan.changes] == []
    finally:
        col.close(NOW)
