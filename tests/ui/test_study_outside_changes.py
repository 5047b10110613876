"""A card suspended in the browser above an open study session (ctrl+p, Browse cards)."""

from __future__ import annotations

import pytest

from retain.ui.screens.browser import BrowserScreen
from retain.ui.screens.study import StudyScreen

from .conftest import OpenApp


@pytest.fixture(autouse=True)
def no_debounce(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(BrowserScreen, "SEARCH_DELAY", 0)


async def test_a_card_suspended_in_the_browser_leaves_the_session_suspended(
    open_app: OpenApp,
) -> None:
    """Studying, the answer shown: ctrl+p Browse cards, `s` suspends this very card, Esc back.
    The session still shows it, and rating it silently takes the suspension back."""
    from textual.widgets import Input

    app = open_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("down", "enter", "space")  # Apache Kafka, answer shown
        study = app.screen
        assert isinstance(study, StudyScreen)
        session = study.session
        key = session.current.key  # type: ignore[union-attr]
        await pilot.press("ctrl+p", *"browse cards", "enter")
        for _ in range(100):
            if isinstance(app.screen, BrowserScreen):
                break
            await pilot.pause(0.02)
        browser = app.screen
        assert isinstance(browser, BrowserScreen)
        deck_id = key.split("/", 1)[0]
        browser.query_one(Input).value = f"deck:{deck_id}"
        await pilot.press("enter")
        while browser.selected_unit() is not None and browser.selected_unit().key != key:  # type: ignore[union-attr]
            await pilot.press("down")
        await pilot.press("s")
        assert app.collection.states[key].suspended
        await pilot.press("escape")
        assert app.screen is study
        await pilot.pause()
        assert session.current is None or session.current.key != key  # it left the session
        if session.current is not None:
            await pilot.press("space", "3")
        state = app.collection.states[key]
        assert state.suspended, f"{key} was suspended in the browser; rating it in the session unsuspended it"
