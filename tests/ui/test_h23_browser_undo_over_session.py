"""Undo (ctrl+z) in the browser opened over a study session (ctrl+p, Browse cards): the session
takes it as its own undo: the card comes back, front first, and the summary counts only the
ratings that stand."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.pilot import Pilot

from retain.ui.app import RetainApp
from retain.ui.screens.browser import BrowserScreen
from retain.ui.screens.study import StudyScreen
from retain.ui.screens.summary import SummaryScreen

from .conftest import OpenApp
from .screen import screen_text, until

DECK = "".join(f'\n[[cards]]\nid = "c{i}"\nfront = "Question {i}"\nback = "Answer {i}"\n' for i in (1, 2, 3))


@pytest.fixture(autouse=True)
def no_debounce(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(BrowserScreen, "SEARCH_DELAY", 0)


@pytest.fixture
def deck_t(retain_home: Path) -> Path:
    path = retain_home / "decks" / "t.toml"
    path.write_text('format = 1\n[deck]\nid = "t"\nname = "T"\n' + DECK, encoding="utf-8")
    return path


async def _undo_in_the_browser(app: RetainApp, pilot: Pilot[None]) -> StudyScreen:
    study = app.screen
    assert isinstance(study, StudyScreen)
    await pilot.press("ctrl+p", *"browse cards", "enter")
    assert await until(pilot, lambda: isinstance(app.screen, BrowserScreen))
    await pilot.pause()
    await pilot.press("ctrl+z")
    await pilot.pause()
    await pilot.press("escape")
    assert await until(pilot, lambda: app.screen is study)
    await pilot.pause()
    return study


def _standing_ratings(app: RetainApp) -> int:
    events = app.collection.history()
    undone = {e.undoes for e in events if e.kind == "undo"}
    return sum(1 for e in events if e.kind == "review" and e.id not in undone)


async def test_a_rating_undone_in_the_browser_brings_the_card_back(deck_t: Path, open_app: OpenApp) -> None:
    app = open_app(["t"], start_in_review=True)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("space", "4")  # t/c1 Easy: Question 2 is up
        assert "Question 2" in screen_text(app)
        study = await _undo_in_the_browser(app, pilot)
        session = study.session
        current = session.current
        assert current is not None and current.key == "t/c1" and session.phase == "front"
        text = screen_text(app)
        assert "Question 1" in text and "New 3" in text, text
        assert session.studied == 0
        for _ in range(3):
            await pilot.press("space", "4")
        assert await until(pilot, lambda: isinstance(app.screen, SummaryScreen))
        summary = app.screen
        assert isinstance(summary, SummaryScreen)
        assert summary.summary.studied == _standing_ratings(app) == 3
        assert app.collection.states.get("t/c1") is not None  # studied again after the undo


async def test_a_bury_undone_in_the_browser_brings_the_card_back(deck_t: Path, open_app: OpenApp) -> None:
    app = open_app(["t"], start_in_review=True)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("b")  # t/c1 buried
        assert "Question 2" in screen_text(app)
        study = await _undo_in_the_browser(app, pilot)
        current = study.session.current
        assert current is not None and current.key == "t/c1"
        assert "New 3" in screen_text(app)
        state = app.collection.states.get("t/c1")
        assert state is None or not state.buried_until
