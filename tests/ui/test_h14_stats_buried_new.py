"""h14: the stats screen's forecast note knows a buried NEW card from a buried scheduled one by the
figures' own count (`counts["buried_new"]`, from `core.statscards`), not by inference.

The note is read twice: after the quick first pass (the card states only: no distributions yet)
and once the figures are complete. A buried review card due past the forecast's month showed
"Nothing is scheduled: every card is new." on the first pass: nothing in that pass told a buried
review card from a buried new one.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Static

from retain.core.deckrows import DeckRow
from retain.core.state import REVIEW, CardState, Event
from retain.store.collection import Collection
from retain.store.home import open_home
from retain.store.state.progress_edits import reset_progress
from retain.ui.app import RetainApp
from retain.ui.screens.stats import StatsScreen
from retain.ui.stats_open import stats_screen

from .conftest import FIXED_NOW, OpenApp

KAFKA = DeckRow("deck:kafka", "Apache Kafka", 0, ("kafka",))


def _record(col: Collection, kind: str, key: str, after: CardState | None, at: datetime) -> None:
    rating = 3 if kind == "review" else 0
    col.record(Event(col.new_event_id(at), kind, key, at, after, col.states.get(key), rating, 1000))  # type: ignore[arg-type]


def _bury(col: Collection, key: str) -> None:
    """Bury `key` until the next study day, five minutes before FIXED_NOW."""
    tomorrow = (col.today(FIXED_NOW) + timedelta(days=1)).isoformat()
    state = (col.states.get(key) or CardState()).with_flags(buried_until=tomorrow)
    _record(col, "bury", key, state, FIXED_NOW - timedelta(minutes=5))


def _note(app: RetainApp) -> str:
    return str(app.screen.query_one("#forecast-note", Static).render())


async def _notes(app: RetainApp, pilot: Pilot[None]) -> tuple[str, str, dict[str, int]]:
    """(the forecast note after the quick pass, the note once complete, the complete counts) of
    kafka's stats screen. The complete pass waits until the first note is read."""
    screen = stats_screen(app.collection, app.clock, KAFKA)
    compute, gate = screen._compute, threading.Event()

    def gated(decks: Sequence[str] | None, days: int | None, quick: bool) -> dict[str, Any]:
        if not quick:
            gate.wait(10)
        return compute(decks, days, quick)

    screen._compute = gated
    try:
        await app.push_screen(screen)
        for _ in range(500):
            if screen.quick_token >= 0:
                break
            await pilot.pause(0.02)
        await pilot.pause()
        quick = _note(app)
    finally:
        gate.set()
    for _ in range(500):
        if screen.data is not None and not screen.workers:
            break
        await pilot.pause(0.02)
    await pilot.pause()
    assert isinstance(app.screen, StatsScreen) and app.screen.data is not None
    return quick, _note(app), app.screen.data["counts"]


def _review(col: Collection, key: str, due_in: int) -> None:
    """`key` reviewed two days ago, due `due_in` days from now."""
    earlier = FIXED_NOW - timedelta(days=2)
    due = FIXED_NOW + timedelta(days=due_in) - timedelta(hours=3)
    state = CardState(state=REVIEW, stability=3.0, difficulty=5.0, due=due, last_review=earlier, reps=2)
    _record(col, "review", key, state, earlier)


@pytest.mark.parametrize("ever", [True, False], ids=["rated-then-reset", "never-rated"])
async def test_every_card_new_and_one_buried_says_every_card_is_new(
    retain_home: Path, open_app: OpenApp, ever: bool
) -> None:
    """Every kafka card new (one rated, then made new again, or none ever rated), one of them
    buried: nothing is scheduled, on both passes."""
    col = Collection.open(open_home(), FIXED_NOW, tz=UTC)
    try:
        if ever:
            _review(col, "kafka/isr", 1)
            reset_progress(col, ["kafka/isr"], FIXED_NOW - timedelta(days=1))
        _bury(col, "kafka/offsets")
    finally:
        col.close()
    app = open_app()
    async with app.run_test(size=(100, 30)) as pilot:
        quick, full, counts = await _notes(app, pilot)
    assert quick.startswith("Nothing is scheduled: every card is new."), quick
    if ever:
        assert full.startswith("Nothing is scheduled: every card is new."), full
    else:
        assert full.startswith("No reviews yet. Nothing is scheduled."), full
    assert (counts["buried"], counts["buried_new"]) == (1, 1)


@pytest.mark.parametrize(("days", "month"), [(0, 1), (60, 0)], ids=["due-now", "due-past-the-forecast"])
async def test_a_buried_review_card_and_a_buried_new_card_are_one_scheduled(
    retain_home: Path, open_app: OpenApp, days: int, month: int
) -> None:
    """A review card and a new card buried, the other kafka cards new: the review card has a
    schedule, whether the month's forecast counts it (due now) or not (due in 60 days), so the note
    gives the backlog on both passes, never "every card is new"."""
    col = Collection.open(open_home(), FIXED_NOW, tz=UTC)
    try:
        _review(col, "kafka/isr", days)
        _bury(col, "kafka/isr")
        _bury(col, "kafka/offsets")
    finally:
        col.close()
    app = open_app()
    async with app.run_test(size=(100, 30)) as pilot:
        quick, full, counts = await _notes(app, pilot)
    # (a buried card due now counts on the day it comes back, tomorrow: h36)
    assert quick.startswith(f"Due today (backlog) 0  ·  next 30 days {month} "), quick
    assert full.startswith(f"Due today (backlog) 0  ·  next 30 days {month} "), full
    assert (counts["buried"], counts["buried_new"]) == (2, 1)
