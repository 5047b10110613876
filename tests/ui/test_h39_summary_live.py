"""The session summary says when the next cards come as the decks and the settings are now.

- A card studied in the session, then deleted (from the deck file, or in the browser), made the
  summary say "Next due  now" though nothing of the deck was due (`retain due`: 0).
- The summary kept the figures it opened with: a daily limit raised in the settings (opened from
  the summary, "saved and applied"), a card added to the deck file on disk, or the studied card
  deleted meanwhile, and it still said "in 6h, daily limit reached", "in 5d" or "now", while the
  deck list had cards ready (or none). It now works them out again when a screen above it closes
  and when the decks are reloaded, as the study screen does when its session ends.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Input

from retain.ui.app import RetainApp
from retain.ui.authoring import open_browser
from retain.ui.screens.browser import BrowserScreen
from retain.ui.screens.confirm import ConfirmScreen
from retain.ui.screens.settings import SettingsScreen
from retain.ui.screens.study import StudyScreen
from retain.ui.screens.summary import SummaryScreen

from .conftest import OpenApp
from .screen import screen_text, until

SIZE = (100, 30)
HEAD = 'format = 1\n\n[deck]\nid = "solo"\nname = "Solo"\n'


def _cards(*ids: str) -> str:
    return "".join(f'\n[[cards]]\nid = "{i}"\nfront = "front {i}"\nback = "back {i}"\n' for i in ids)


@pytest.fixture(autouse=True)
def _search_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(BrowserScreen, "SEARCH_DELAY", 0)


@pytest.fixture
def solo(retain_home: Path) -> Path:
    path = retain_home / "decks" / "solo.toml"
    path.write_text(HEAD + _cards("one"), encoding="utf-8")
    return path


async def _settle(pilot: Pilot[None]) -> None:
    for _ in range(3):
        await pilot.pause()


async def _reload(app: RetainApp, pilot: Pilot[None]) -> None:
    """What the live reload does once it sees a deck file changed on disk."""
    assert app.live_reload is not None
    app.live_reload.check(settled=False)
    await _settle(pilot)


def _next_due(app: RetainApp) -> str:
    lines = [row.strip(" │") for row in screen_text(app).splitlines() if "Next due" in row]
    assert len(lines) == 1, screen_text(app)
    return lines[0]


async def _summary(app: RetainApp, pilot: Pilot[None]) -> SummaryScreen:
    assert await until(pilot, lambda: isinstance(app.screen, SummaryScreen)), type(app.screen).__name__
    screen = app.screen
    assert isinstance(screen, SummaryScreen)
    await _settle(pilot)
    return screen


async def _delete_in_browser(app: RetainApp, pilot: Pilot[None]) -> None:
    """Palette's Browse cards over the screen up, `d` on solo/one, `y`, then Esc back."""
    under = app.screen
    open_browser(app)
    await _settle(pilot)
    browser = app.screen
    assert isinstance(browser, BrowserScreen)
    browser.query_one(Input).value = "deck:solo"
    await pilot.press("enter")  # searches, and the table gets the focus
    await _settle(pilot)
    await pilot.press("d")
    await _settle(pilot)
    assert isinstance(app.screen, ConfirmScreen)
    await pilot.press("y")
    assert await until(pilot, lambda: "solo/one" not in app.collection.units_by_key)
    assert await until(pilot, lambda: isinstance(app.screen, BrowserScreen))
    await _settle(pilot)
    await pilot.press("escape")
    assert await until(pilot, lambda: app.screen is under or isinstance(app.screen, SummaryScreen))
    await _settle(pilot)


async def test_a_studied_card_deleted_from_its_deck_file_is_not_next_due(
    solo: Path, open_app: OpenApp
) -> None:
    """The repro: Good puts solo/one in a "<10m" step (shown again at once); deleted from the
    file, the session ends: the summary says nothing is scheduled."""
    app = open_app(["solo"], start_in_review=True)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("space", "3")
        await _settle(pilot)
        assert isinstance(app.screen, StudyScreen)
        solo.write_text(HEAD, encoding="utf-8")
        await _reload(app, pilot)
        await _summary(app, pilot)
        assert "Studied   1 card" in screen_text(app)
        assert _next_due(app) == "Next due  nothing scheduled"


async def test_a_studied_card_deleted_in_the_browser_is_not_next_due(solo: Path, open_app: OpenApp) -> None:
    app = open_app(["solo"], start_in_review=True)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("space", "3")
        await _settle(pilot)
        await _delete_in_browser(app, pilot)
        await _summary(app, pilot)
        assert _next_due(app) == "Next due  nothing scheduled"


async def test_the_studied_card_deleted_while_the_summary_is_open(solo: Path, open_app: OpenApp) -> None:
    """Esc with solo/one in its step: "now"; deleted in the browser opened over the summary:
    nothing is scheduled once the browser is closed."""
    app = open_app(["solo"], start_in_review=True)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("space", "3")
        await _settle(pilot)
        await pilot.press("escape")
        summary = await _summary(app, pilot)
        assert _next_due(app) == "Next due  now"
        await _delete_in_browser(app, pilot)
        assert app.screen is summary
        assert _next_due(app) == "Next due  nothing scheduled"
        assert "Studied   1 card" in screen_text(app)


async def test_a_daily_limit_raised_from_the_summary_is_said_at_once(
    solo: Path, retain_home: Path, open_app: OpenApp
) -> None:
    """The repro: 3 new cards, 1 a day; Easy on the first: "in 6h" (the next study day),
    "daily limit reached". New cards per day set to 5 in the settings opened from the summary:
    2 cards are ready, as on the deck list."""
    solo.write_text(HEAD + _cards("c1", "c2", "c3"), encoding="utf-8")
    (retain_home / "config.toml").write_text("[study]\nfuzz = false\nnew_per_day = 1\n", encoding="utf-8")
    app = open_app(["solo"], start_in_review=True)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("space", "4")
        summary = await _summary(app, pilot)
        assert _next_due(app).startswith("Next due  in "), _next_due(app)
        assert "daily limit reached" in screen_text(app)
        app.action_settings()
        assert await until(pilot, lambda: isinstance(app.screen, SettingsScreen))
        settings = app.screen
        assert isinstance(settings, SettingsScreen)
        assert await until(pilot, lambda: bool(settings.query("#general-grid")))
        await settings.action_show_tab("tab-presets")
        await _settle(pilot)
        field = settings.query_one("#preset-grid #field-new_per_day", Input)
        field.focus()
        field.value = ""
        await pilot.press("5", "ctrl+s")
        await _settle(pilot)
        assert app.collection.settings_for("solo").new_per_day == 5
        await pilot.press("escape")
        assert await until(pilot, lambda: app.screen is summary)
        await _settle(pilot)
        assert _next_due(app) == "Next due  now"
        assert "daily limit reached" not in screen_text(app)
        assert app.collection.due_counts(app.clock())["solo"].new == 2  # (as the deck list counts)


async def test_a_card_added_to_the_deck_file_while_the_summary_is_open_is_due_now(
    solo: Path, open_app: OpenApp
) -> None:
    """Easy on the only card: "in 3d" or so; a card appended to the file on disk ("Decks
    reloaded"): the new card is ready now."""
    app = open_app(["solo"], start_in_review=True)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("space", "4")
        summary = await _summary(app, pilot)
        assert _next_due(app).startswith("Next due  in "), _next_due(app)
        solo.write_text(HEAD + _cards("one", "two"), encoding="utf-8")
        await _reload(app, pilot)
        assert app.screen is summary
        assert _next_due(app) == "Next due  now"
        assert "Studied   1 card" in screen_text(app)
        await pilot.press("enter")  # back to the decks, as before
        await _settle(pilot)
        assert not isinstance(app.screen, SummaryScreen | StudyScreen)
