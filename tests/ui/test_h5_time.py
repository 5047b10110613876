"""Time moving while the app is open: what the screens say follows the clock (the rollover, a
laptop that slept, a relative time that was right when it was drawn)."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest

from retain.ui.app import RetainApp
from retain.ui.screens.home import HomeScreen
from retain.ui.screens.study import StudyScreen
from retain.ui.screens.summary import SummaryScreen

from .conftest import FIXED_NOW, OpenApp
from .screen import screen_text
from .test_study_day import one_new_card_a_day, study_day_one


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, now: datetime = FIXED_NOW) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


async def wait_for(app: RetainApp, pilot: object, text: str, tries: int = 100) -> str:
    """The screen's text once it holds `text` (or after `tries` short pauses)."""
    shown = screen_text(app)
    for _ in range(tries):
        if text in shown:
            break
        await pilot.pause(0.02)  # type: ignore[attr-defined]
        shown = screen_text(app)
    return shown


async def test_home_left_open_over_the_rollover_counts_the_exam_days_again(
    retain_home: Path, open_app: OpenApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The deck list open from one day to the next said "exam in 14 days" all along: the counts
    were looked at again, but the exam line only when a deck's counts changed."""
    (retain_home / "config.toml").write_text(
        '[study]\nfuzz = false\n\n[exam."Distributed Systems Interview"]\ndate = 2025-03-24\nrecall = 0.9\n'
    )
    monkeypatch.setattr(HomeScreen, "REFRESH_SECONDS", 0.01)
    clock = Clock()
    app = open_app(clock=clock)
    async with app.run_test(size=(100, 28)) as pilot:
        assert "exam in 14 days" in await wait_for(app, pilot, "exam in 14 days")
        clock.now = FIXED_NOW + timedelta(days=1)  # the next study day: nothing else changes
        shown = await wait_for(app, pilot, "exam in 13 days")
        assert "exam in 13 days" in shown, shown


async def test_nothing_due_says_how_long_until_the_rollover_as_time_passes(
    retain_home: Path, open_app: OpenApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    """ "Nothing due — daily limit reached; more in 16h" at noon still said "16h" at 10 pm (and
    at 3 am): the screen looked for cards now and then, but drew its text only once."""
    monkeypatch.setattr(StudyScreen, "POLL_SECONDS", 0.01)
    one_new_card_a_day(retain_home)
    study_day_one(rating=4)
    clock = Clock()
    app = open_app(["kafka"], start_in_review=True, clock=clock)
    async with app.run_test(size=(100, 30)) as pilot:
        assert "daily limit reached; more in 16h" in await wait_for(app, pilot, "more in 16h")
        clock.now = FIXED_NOW + timedelta(hours=10)  # 22:00, the same study day
        shown = await wait_for(app, pilot, "more in 6h")
        assert "Nothing due — daily limit reached; more in 6h" in shown, shown


async def test_nothing_due_says_how_long_until_a_learning_step_as_time_passes(
    retain_home: Path, open_app: OpenApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A step due at 12:10, learn-ahead off: "next card in <9m" at 12:01, and "<4m" at 12:06 (not
    "<9m" until the card comes)."""
    (retain_home / "config.toml").write_text(
        "learn_ahead_minutes = 0\n[study]\nfuzz = false\nnew_per_day = 1\n", encoding="utf-8"
    )
    study_day_one(rating=3)  # Good: the next step in 10 minutes
    monkeypatch.setattr(StudyScreen, "POLL_SECONDS", 0.01)
    clock = Clock(FIXED_NOW + timedelta(minutes=1))
    app = open_app(["kafka"], start_in_review=True, clock=clock)
    async with app.run_test(size=(100, 30)) as pilot:
        first = await wait_for(app, pilot, "next card in <9m")
        assert "Nothing due — next card in <9m" in first, first
        clock.now = FIXED_NOW + timedelta(minutes=6)
        shown = await wait_for(app, pilot, "next card in <4m")
        assert "Nothing due — next card in <4m" in shown, shown


async def test_the_summary_left_open_says_how_long_until_the_next_cards_as_time_passes(
    retain_home: Path, open_app: OpenApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The summary's "Next due in 16h" stayed "16h" while it was left open into the evening."""
    monkeypatch.setattr(SummaryScreen, "REFRESH_SECONDS", 0.01)
    one_new_card_a_day(retain_home)
    clock = Clock()
    app = open_app(["kafka"], start_in_review=True, clock=clock)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("space", "4")  # Easy: due in days; the limit holds the rest until 4 am
        assert "Next due  in 16h" in await wait_for(app, pilot, "Next due  in 16h")
        assert isinstance(app.screen, SummaryScreen)
        clock.now = FIXED_NOW + timedelta(hours=10)
        shown = await wait_for(app, pilot, "Next due  in 6h")
        assert "Next due  in 6h" in shown, shown
        clock.now = FIXED_NOW + timedelta(hours=16, minutes=1)  # 04:01: the limit has lifted
        shown = await wait_for(app, pilot, "Next due  now")
        assert "Next due  now" in shown, shown
        assert "daily limit reached" not in shown, shown
