"""h13: the one "set aside today" rule in the TUI (Pilot).

The browser's `is:buried` / `is:due` / `is:suspended` and its "buried" mark follow the study day,
not the calendar: a card buried until 2025-03-10 is buried at 03:59 that morning (study day 03-09,
rollover 4 am, UTC) and back at 04:00. The stats screen's forecast note does not take a buried
NEW card for a scheduled one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from textual.app import App
from textual.pilot import Pilot
from textual.widgets import Input, Static

from retain.core.state import REVIEW, CardState, Event
from retain.store.collection import Collection
from retain.store.home import open_home
from retain.store.state.progress_edits import reset_progress
from retain.ui.app import RetainApp
from retain.ui.screens.browser import BrowserScreen
from retain.ui.screens.stats import StatsScreen
from retain.ui.stats_open import stats_screen

from .conftest import FIXED_NOW, OpenApp

SIZE = (120, 40)
BEFORE = datetime(2025, 3, 10, 3, 59, tzinfo=UTC)  # study day 2025-03-09
AT = datetime(2025, 3, 10, 4, 0, tzinfo=UTC)  # study day 2025-03-10
SET = datetime(2025, 3, 8, 12, 0, tzinfo=UTC)


def _due(at: datetime) -> CardState:
    return CardState(
        state=REVIEW,
        stability=3.0,
        difficulty=5.0,
        due=at + timedelta(hours=1),
        last_review=at - timedelta(days=3),
        reps=2,
    )


def _record(col: Collection, kind: str, key: str, after: CardState | None, at: datetime) -> None:
    rating = 3 if kind == "review" else 0
    col.record(Event(col.new_event_id(at), kind, key, at, after, col.states.get(key), rating, 1000))  # type: ignore[arg-type]


@pytest.fixture
def buried_home(retain_home: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """kafka/partitions: review, overdue, buried until 03-10; isr: review, overdue, buried until
    03-09; acks: review, suspended and buried until 03-10; offsets: new, buried until 03-10."""
    monkeypatch.setenv("TZ", "UTC")
    col = Collection.open(open_home(), SET, tz=UTC)
    try:
        due = _due(SET - timedelta(days=1))
        for card in ("partitions", "isr", "acks"):
            _record(col, "review", f"kafka/{card}", due, SET - timedelta(days=3))
        _record(col, "bury", "kafka/partitions", due.with_flags(buried_until="2025-03-10"), SET)
        _record(col, "bury", "kafka/isr", due.with_flags(buried_until="2025-03-09"), SET)
        _record(col, "suspend", "kafka/acks", due.with_flags(suspended=True, buried_until="2025-03-10"), SET)
        _record(col, "bury", "kafka/offsets", CardState(buried_until="2025-03-10"), SET)
    finally:
        col.close()
    return retain_home


def _screen_text(app: App[Any]) -> str:
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


async def _search(pilot: Pilot[None], text: str) -> list[str]:
    await pilot.press("slash")
    pilot.app.screen.query_one(Input).value = text
    await pilot.press("enter")
    await pilot.pause()
    screen = pilot.app.screen
    assert isinstance(screen, BrowserScreen)
    return sorted(u.key.removeprefix("kafka/") for u in screen.matches)


@pytest.mark.parametrize(
    ("now", "buried", "due"),
    [
        (BEFORE, ["acks", "offsets", "partitions"], ["isr"]),
        (AT, [], ["isr", "partitions"]),
    ],
    ids=["03:59", "04:00"],
)
async def test_browser_search_and_marks_follow_the_study_day(
    buried_home: Path, open_app: OpenApp, now: datetime, buried: list[str], due: list[str]
) -> None:
    clock: Callable[[], datetime] = lambda: now  # noqa: E731
    app = open_app(clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("b")
        await pilot.pause()
        assert await _search(pilot, "deck:kafka is:buried") == buried
        assert await _search(pilot, "deck:kafka is:due") == due
        assert await _search(pilot, "deck:kafka is:suspended") == ["acks"]
        assert await _search(pilot, "deck:kafka -is:suspended -is:new") == ["isr", "partitions"]
        # the table's state column marks a buried card: partitions and offsets until 04:00
        table = _screen_text(app)
        marked = sum(line.count("buried") for line in table.splitlines() if "buried until" not in line)
        assert marked == (1 if now == BEFORE else 0), table
        await _search(pilot, "deck:kafka is:new")
        assert ("buried" in _screen_text(app)) == (now == BEFORE)


async def _deck_stats(app: RetainApp, pilot: Pilot[None], deck_id: str) -> str:
    """The forecast note of one deck's stats screen, once its figures are complete."""
    await pilot.pause()
    row = next(r for r in app.screen.data.rows if r.deck_ids == (deck_id,))  # type: ignore[attr-defined]
    await app.push_screen(stats_screen(app.collection, app.clock, row))
    for _ in range(500):
        screen = app.screen
        if isinstance(screen, StatsScreen) and screen.data is not None and not screen.workers:
            break
        await pilot.pause(0.02)
    await pilot.pause()
    assert isinstance(app.screen, StatsScreen)
    return str(app.screen.query_one("#forecast-note", Static).render())


@pytest.mark.parametrize("ever", [True, False], ids=["rated-then-reset", "never-rated"])
async def test_stats_note_a_buried_new_card_is_not_scheduled(
    retain_home: Path, open_app: OpenApp, ever: bool
) -> None:
    """Every kafka card new, one of them buried: nothing is scheduled. The note said
    "Due today (backlog) 0 · next 30 days 0" as if the buried card were."""
    col = Collection.open(open_home(), FIXED_NOW, tz=UTC)
    try:
        if ever:  # a rating in the history, then the card made new again
            earlier = FIXED_NOW - timedelta(days=2)
            _record(col, "review", "kafka/isr", _due(earlier + timedelta(days=1)), earlier)
            reset_progress(col, ["kafka/isr"], earlier + timedelta(hours=1))
        tomorrow = (col.today(FIXED_NOW) + timedelta(days=1)).isoformat()
        _record(
            col, "bury", "kafka/offsets", CardState(buried_until=tomorrow), FIXED_NOW - timedelta(minutes=5)
        )
    finally:
        col.close()
    app = open_app()
    async with app.run_test(size=(100, 30)) as pilot:
        note = await _deck_stats(app, pilot, "kafka")
        assert app.screen.data["counts"]["buried"] == 1  # type: ignore[attr-defined]
        if ever:
            assert note.startswith("Nothing is scheduled: every card is new."), note
        else:
            assert note.startswith("No reviews yet. Nothing is scheduled."), note


@pytest.mark.parametrize(("days", "month"), [(0, 1), (60, 0)], ids=["due-now", "due-past-the-forecast"])
async def test_stats_note_a_buried_review_card_is_still_scheduled(
    retain_home: Path, open_app: OpenApp, days: int, month: int
) -> None:
    """The other side: a buried REVIEW card is scheduled, whether the month's forecast counts it
    (due now: on the day it comes back, tomorrow, not in today's backlog, h36) or not (due in 60
    days): the note gives the backlog, never "every card is new"."""
    col = Collection.open(open_home(), FIXED_NOW, tz=UTC)
    try:
        earlier = FIXED_NOW - timedelta(days=2)
        due = replace(_due(FIXED_NOW + timedelta(days=days) - timedelta(hours=3)), last_review=earlier)
        _record(col, "review", "kafka/isr", due, earlier)
        tomorrow = (col.today(FIXED_NOW) + timedelta(days=1)).isoformat()
        _record(
            col, "bury", "kafka/isr", due.with_flags(buried_until=tomorrow), FIXED_NOW - timedelta(minutes=5)
        )
    finally:
        col.close()
    app = open_app()
    async with app.run_test(size=(100, 30)) as pilot:
        note = await _deck_stats(app, pilot, "kafka")
        assert app.screen.data["counts"]["buried"] == 1  # type: ignore[attr-defined]
        assert note.startswith(f"Due today (backlog) 0  ·  next 30 days {month} "), note
