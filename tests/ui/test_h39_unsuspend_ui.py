"""Unsuspend and unbury in the TUI (h39).

- The browser's unsuspend (`s` on a suspended card, or on marked cards all suspended) says how to
  undo it, and ctrl+z takes it back, several cards in one step. Before, it was no undo target:
  ctrl+z took back whatever came before it.
- A card buried or suspended in a study session, then unburied or unsuspended in the browser
  opened over it, is back in the session (within its limits) once the browser is closed. Before,
  it came back only in the next session: its note stayed "seen" for the day.
"""

from __future__ import annotations

from datetime import UTC
from pathlib import Path
from typing import Any

import pytest
from textual.app import App
from textual.pilot import Pilot
from textual.widgets import Input

from retain.core.state import CardState, Event
from retain.store.collection import Collection
from retain.store.home import open_home
from retain.ui.app import RetainApp
from retain.ui.screens.browser import BrowserScreen
from retain.ui.screens.confirm import ConfirmScreen
from retain.ui.screens.study import StudyScreen
from retain.ui.screens.summary import SummaryScreen

from .conftest import FIXED_NOW, OpenApp
from .screen import screen_text, until

SIZE = (100, 30)
DECK = "".join(f'\n[[cards]]\nid = "c{i}"\nfront = "Question {i}"\nback = "Answer {i}"\n' for i in (1, 2, 3))


@pytest.fixture(autouse=True)
def _search_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(BrowserScreen, "SEARCH_DELAY", 0)


@pytest.fixture
def deck_t(retain_home: Path) -> Path:
    path = retain_home / "decks" / "t.toml"
    path.write_text('format = 1\n[deck]\nid = "t"\nname = "T"\n' + DECK, encoding="utf-8")
    return path


@pytest.fixture
def suspended_t(deck_t: Path) -> Path:
    """t/c1 and t/c2 suspended (as `s` in a session suspends)."""
    col = Collection.open(open_home(), FIXED_NOW, tz=UTC)
    try:
        for key in ("t/c1", "t/c2"):
            col.record(
                Event(col.new_event_id(FIXED_NOW), "suspend", key, FIXED_NOW, CardState(suspended=True))
            )
    finally:
        col.close(FIXED_NOW)
    return deck_t


def _messages(app: App[Any]) -> list[str]:
    return [str(n.message) for n in app._notifications]


def _suspended(app: RetainApp, key: str) -> bool:
    state = app.collection.states.get(key)
    return state is not None and state.suspended


async def _search(pilot: Pilot[None], query: str) -> BrowserScreen:
    screen = pilot.app.screen
    assert isinstance(screen, BrowserScreen)
    screen.query_one(Input).value = query
    await pilot.press("enter")  # searches, and the table gets the focus
    await pilot.pause()
    return screen


async def test_an_unsuspend_in_the_browser_is_undone_by_ctrl_z(suspended_t: Path, open_app: OpenApp) -> None:
    app = open_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.press("b")
        await pilot.pause()
        screen = await _search(pilot, "is:suspended")
        assert [u.key for u in screen.matches] == ["t/c1", "t/c2"]
        await pilot.press("s")
        await pilot.pause()
        assert not _suspended(app, "t/c1")
        assert _messages(app)[-1] == "Unsuspended t/c1 (ctrl+z to undo)"
        await pilot.press("ctrl+z")
        await pilot.pause()
        assert _suspended(app, "t/c1")
        assert _messages(app)[-1] == "Undid unsuspend of t/c1"


async def test_a_bulk_unsuspend_is_undone_in_one_step(suspended_t: Path, open_app: OpenApp) -> None:
    app = open_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.press("b")
        await pilot.pause()
        await _search(pilot, "is:suspended")
        await pilot.press("space", "space", "s")
        assert isinstance(app.screen, ConfirmScreen)  # several cards at once: it asks
        await pilot.press("y")
        await pilot.pause()
        assert not _suspended(app, "t/c1") and not _suspended(app, "t/c2")
        assert _messages(app)[-1] == "Unsuspended 2 cards (ctrl+z to undo)"
        await pilot.press("ctrl+z")
        await pilot.pause()
        assert _suspended(app, "t/c1") and _suspended(app, "t/c2")
        assert _messages(app)[-1] == "Undid unsuspend of 2 cards"


async def _questions_until_the_summary(app: RetainApp, pilot: Pilot[None]) -> list[str]:
    """The questions the session shows from now on, each rated Easy, until its summary."""
    shown: list[str] = []
    for _ in range(8):
        if isinstance(app.screen, SummaryScreen):
            break
        text = screen_text(app)
        shown += [f"Question {i}" for i in (1, 2, 3) if f"Question {i}" in text]
        await pilot.press("space", "4")
        await pilot.pause()
    assert isinstance(app.screen, SummaryScreen)
    return shown


@pytest.mark.parametrize(
    ("aside", "query"), [("b", "is:buried"), ("s", "is:suspended")], ids=["bury", "suspend"]
)
async def test_a_card_set_aside_in_a_session_and_brought_back_in_the_browser_is_studied(
    deck_t: Path, open_app: OpenApp, aside: str, query: str
) -> None:
    app = open_app(["t"], start_in_review=True)
    async with app.run_test(size=SIZE) as pilot:
        assert "Question 1" in screen_text(app)
        await pilot.press(aside)  # t/c1 buried or suspended: Question 2 is up
        await pilot.pause()
        study = app.screen
        assert isinstance(study, StudyScreen) and "Question 2" in screen_text(app)
        assert "New 2" in screen_text(app)
        await pilot.press("ctrl+p", *"browse cards", "enter")
        assert await until(pilot, lambda: isinstance(app.screen, BrowserScreen))
        await pilot.pause()
        screen = await _search(pilot, query)
        assert [u.key for u in screen.matches] == ["t/c1"]
        await pilot.press(aside)  # unburied or unsuspended: back today
        await pilot.pause()
        await pilot.press("escape")
        assert await until(pilot, lambda: app.screen is study)
        await pilot.pause()
        text = screen_text(app)
        assert "Question 2" in text and "New 3" in text, text  # the card on screen stays
        assert "Question 1" in await _questions_until_the_summary(app, pilot)
