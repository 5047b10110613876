"""The rating buttons follow the rollover while the answer is on screen: revealed at 03:59:57
(study day 12-05) the card's Good said `7d`; from 04:00 (study day 12-06, another elapsed day)
a rating stores a longer interval (`ReviewSession.labels`), and the buttons say so without a key."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from retain.core.scheduler import Scheduler
from retain.core.state import Event
from retain.store.collection import Collection
from retain.store.home import open_home
from retain.store.state.statecodec import canonical_state
from retain.ui.screens.study import StudyScreen
from retain.ui.widgets.rating_bar import RatingBar

from .conftest import OpenApp
from .test_h5_time import Clock

ONE = 'format = 1\n\n[deck]\nid = "one"\nname = "One"\n\n[[cards]]\nid = "q"\nfront = "Q?"\nback = "A."\n'
FIRST = datetime(2026, 12, 4, 20, 0, 2, tzinfo=UTC)
OPENED = datetime(2026, 12, 6, 3, 59, 50, tzinfo=UTC)
SHOWN = datetime(2026, 12, 6, 3, 59, 57, tzinfo=UTC)
AFTER = datetime(2026, 12, 6, 4, 0, 1, tzinfo=UTC)


async def test_the_buttons_say_the_new_study_days_intervals_after_the_rollover(
    retain_home: Path, open_app: OpenApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    (retain_home / "decks" / "one.toml").write_text(ONE, encoding="utf-8")
    col = Collection.open(open_home({"RETAIN_HOME": str(retain_home)}), FIRST, tz=UTC)
    try:
        session = col.start_session(["one"], FIRST)
        session.reveal()
        first: Event = session.rate(3, FIRST)  # a 10-minute step
        assert first.after is not None
    finally:
        col.close(FIRST)
    monkeypatch.setattr(StudyScreen, "POLL_SECONDS", 0.01)
    clock = Clock(OPENED)
    app = open_app(["one"], start_in_review=True, clock=clock)
    async with app.run_test(size=(100, 30)) as pilot:
        clock.now = SHOWN
        await pilot.press("space")
        await pilot.pause()
        bar = app.screen.query_one(RatingBar)
        sched = Scheduler(app.collection.settings_for("one"), app.collection.studyday)
        before = {r: sched.label(SHOWN, p) for r, p in sched.preview("one/q", first.after, SHOWN).items()}
        after = {r: sched.label(AFTER, p) for r, p in sched.preview("one/q", first.after, AFTER).items()}
        assert bar.intervals == before and before[3] != after[3], (before, after)
        clock.now = AFTER
        for _ in range(50):
            await pilot.pause(0.02)
            if bar.intervals != before:
                break
        assert bar.intervals == after
        await pilot.press("3")
        await pilot.pause()
        stored = canonical_state(sched.preview("one/q", first.after, AFTER)[3])  # (as the files keep it)
        assert app.collection.states["one/q"] == stored


async def test_a_key_pressed_before_the_buttons_relabel_rates_only_what_they_say(
    retain_home: Path, open_app: OpenApp
) -> None:
    """(attacker 32) Within the second before the screen looked at the clock again, `3` stored the
    new day's `11d` while the button still said `7d`: the key relabels instead, and says so; the
    next press rates what the button then says."""
    (retain_home / "decks" / "one.toml").write_text(ONE, encoding="utf-8")
    col = Collection.open(open_home({"RETAIN_HOME": str(retain_home)}), FIRST, tz=UTC)
    try:
        session = col.start_session(["one"], FIRST)
        session.reveal()
        first: Event = session.rate(3, FIRST)
        assert first.after is not None
    finally:
        col.close(FIRST)
    clock = Clock(OPENED)
    app = open_app(["one"], start_in_review=True, clock=clock)  # (polls once a second: no relabel yet)
    async with app.run_test(size=(100, 30)) as pilot:
        clock.now = SHOWN
        await pilot.press("space")
        await pilot.pause()
        bar = app.screen.query_one(RatingBar)
        shown = dict(bar.intervals)
        clock.now = AFTER
        await pilot.press("3")
        await pilot.pause()
        assert app.collection.states["one/q"] == first.after  # nothing stored yet
        assert bar.intervals != shown  # the buttons say the new day's intervals
        sched = Scheduler(app.collection.settings_for("one"), app.collection.studyday)
        await pilot.press("3")
        await pilot.pause()
        assert app.collection.states["one/q"] == canonical_state(
            sched.preview("one/q", first.after, AFTER)[3]
        )
