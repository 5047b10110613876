"""The reschedule's "due in the next 7 days: N now, M after" counts study days, as `retain stats`.

It compared due moments with `now + 7 days`: within one study day (04:30, then 03:50 the
next night, rollover 4) the figure changed with the hour, while the stats forecast and
`retain due` stayed put. It is now what the stats forecast counts: the cards due by the end
of the study day six days after today (the backlog and the next six days), the same figure all
study day. The week here crosses a DST change (9 March 2025 in New York).
"""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from optimize_home import deck_text

from retain.core.scheduler import Scheduler
from retain.core.state import CardState, Event
from retain.core.studyday import StudyDay
from retain.store.collection import Collection
from retain.store.fsrs_presets import presets_for, reschedule_plan
from retain.store.home import open_home
from retain.store.statsdata import StatsSource

ZONE = ZoneInfo("America/New_York")
DAY = datetime(2025, 3, 3).date()  # the study day the plans are made on
CARDS = 220


def _open(root: Path, now: datetime, *, read_only: bool = True) -> Collection:
    home = open_home({"RETAIN_HOME": str(root)})
    return Collection.open(home, now, tz=ZONE, cards=False, read_only=read_only, fsync=False)


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """alpha: reviews over four months up to just after the rollover of `DAY`, at any hour."""
    root = tmp_path_factory.mktemp("week") / "home"
    (root / "decks").mkdir(parents=True)
    (root / "decks" / "alpha.toml").write_text(deck_text("alpha", CARDS), encoding="utf-8")
    (root / "config.toml").write_text("rollover_hour = 4\n", encoding="utf-8")
    col = _open(root, datetime.now(ZONE), read_only=False)
    try:
        end = col.studyday.start_of(DAY) + timedelta(minutes=20)
        sched = Scheduler(col.settings_for("alpha"), col.studyday)
        rng = random.Random(35)
        events: list[Event] = []
        for i in range(CARDS):
            key = f"alpha/c{i}"
            at = end - timedelta(days=rng.uniform(60, 120))
            state: CardState | None = None
            while at < end:
                rating = rng.choices([1, 3, 4], [0.1, 0.75, 0.15])[0]
                after = sched.preview(key, state, at)[rating]
                events.append(Event(col.new_event_id(at), "review", key, at, after, state, rating, 2000))
                state = after
                assert after.due is not None
                at = after.due + timedelta(minutes=rng.uniform(1, 1400))
        col.record_many(events)
        # a few cards due this week suspended: the forecast (and so the figure) leaves them out
        week = end + timedelta(days=6)
        due_soon = sorted(k for k, s in col.states.items() if s.due is not None and s.due < week)
        col.record_many(
            [
                Event(
                    col.new_event_id(end),
                    "suspend",
                    k,
                    end,
                    replace(col.states[k], suspended=True),
                    col.states[k],
                )
                for k in due_soon[:8]
            ]
        )
    finally:
        col.close()
    return root


def _stats_week(col: Collection, now: datetime) -> int:
    """What `retain stats` forecasts for alpha: the backlog and the next six study days."""
    cards = StatsSource(col, now).cards(["alpha"], with_distributions=False)
    return sum(cards.young[:7]) + sum(cards.mature[:7])


def test_the_weeks_figures_are_the_same_all_study_day(home: Path) -> None:
    day = StudyDay(4, ZONE)
    start, end = day.start_of(DAY), day.start_of(DAY + timedelta(days=1))
    moments = [start + timedelta(minutes=30), start + timedelta(hours=8), end - timedelta(minutes=10)]
    figures = []
    for now in moments:
        col = _open(home, now)
        try:
            assert col.today(now) == DAY
            (preset,) = presets_for(col, "alpha")
            weights = list(Scheduler(preset.settings).parameters)
            weights[8] *= 1.4  # longer intervals: the figures before and after differ
            plan = reschedule_plan(col, preset, weights, now)
            assert plan.count > 0
            assert plan.due_next_week_before == _stats_week(col, now)
            figures.append((plan.due_next_week_before, plan.due_next_week_after))
        finally:
            col.close()
    assert figures[0] == figures[1] == figures[2], figures
    assert figures[0][0] != figures[0][1]
