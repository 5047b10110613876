"""The study screen's header counts follow the clock while a card sits on screen: a learning step
that comes due (within learn-ahead) and the rollover to a new study day change them without a key."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from retain.ui.app import RetainApp
from retain.ui.screens.study import StudyScreen

from .conftest import FIXED_NOW, OpenApp
from .test_h5_time import Clock, wait_for
from .test_study_day import study_day_one

LATE = datetime(2025, 3, 11, 3, 50, tzinfo=UTC)  # still study day 2025-03-10 (4 am rollover, UTC)


def current_key(app: RetainApp) -> str | None:
    screen = app.screen
    assert isinstance(screen, StudyScreen)
    return screen.session.current.key if screen.session.current is not None else None


@pytest.mark.parametrize("revealed", [False, True], ids=["front", "back"])
async def test_a_learning_step_coming_due_counts_in_the_header_without_a_key(
    retain_home: Path, open_app: OpenApp, monkeypatch: pytest.MonkeyPatch, revealed: bool
) -> None:
    """A step due at 12:10, learn-ahead off, another card on screen at 12:01: at 12:11 the header
    said "Learning 0" until the card was rated."""
    (retain_home / "config.toml").write_text(
        "learn_ahead_minutes = 0\n[study]\nfuzz = false\nnew_per_day = 3\n", encoding="utf-8"
    )
    study_day_one(rating=3)  # Good: the next step in 10 minutes
    monkeypatch.setattr(StudyScreen, "POLL_SECONDS", 0.01)
    clock = Clock(FIXED_NOW + timedelta(minutes=1))
    app = open_app(["kafka"], start_in_review=True, clock=clock)
    async with app.run_test(size=(100, 30)) as pilot:
        first = await wait_for(app, pilot, "New 2  Learning 0")
        assert "New 2  Learning 0" in first, first
        shown_key = current_key(app)
        if revealed:
            await pilot.press("space")
        clock.now = FIXED_NOW + timedelta(minutes=11)
        shown = await wait_for(app, pilot, "Learning 1")
        assert "New 2  Learning 1" in shown, shown
        assert current_key(app) == shown_key  # the card on screen stays
        assert ("Again" in shown) is revealed


async def test_the_rollover_renews_the_header_counts_while_a_card_is_on_screen(
    retain_home: Path, open_app: OpenApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two new cards a day: one studied at 03:50, the other on screen; at 04:10 (a new study day)
    the header still said "New 1" until the card was rated, then jumped to the new day's count."""
    (retain_home / "config.toml").write_text("[study]\nfuzz = false\nnew_per_day = 2\n", encoding="utf-8")
    monkeypatch.setattr(StudyScreen, "POLL_SECONDS", 0.01)
    clock = Clock(LATE)
    app = open_app(["kafka"], start_in_review=True, clock=clock)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("space", "4")  # Easy: due in days
        shown = await wait_for(app, pilot, "New 1  Learning 0")
        assert "New 1  Learning 0" in shown, shown
        on_screen = current_key(app)
        clock.now = LATE + timedelta(minutes=20)  # 04:10: study day 2025-03-11, two new cards again
        shown = await wait_for(app, pilot, "New 2  Learning 0")
        assert "New 2  Learning 0" in shown, shown
        assert current_key(app) == on_screen
        await pilot.press("space", "4")  # rated on the new day: one of its two new cards
        shown = await wait_for(app, pilot, "New 1  Learning 0")
        assert "New 1  Learning 0" in shown, shown
        assert current_key(app) not in (None, on_screen)
