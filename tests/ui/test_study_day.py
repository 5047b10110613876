"""A session and the study day: the rollover while it is open, undo of an earlier day's rating, daily
limits that hold cards back, and siblings up to the day's end."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from retain.store.collection import Collection
from retain.store.home import open_home
from retain.ui.app import RetainApp
from retain.ui.screens.study import StudyScreen

from .conftest import FIXED_NOW, OpenApp
from .screen import screen_text

LATE = datetime(2025, 3, 11, 3, 50, tzinfo=UTC)  # still study day 2025-03-10 (4 am rollover, UTC)
DAY_TWO = FIXED_NOW + timedelta(days=1)


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, now: datetime = FIXED_NOW) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def study(app: RetainApp) -> StudyScreen:
    screen = app.screen
    assert isinstance(screen, StudyScreen)
    return screen


def served(app: RetainApp) -> str | None:
    """The key of the card the study screen shows (None: no card, or no study screen)."""
    screen = app.screen
    current = screen.session.current if isinstance(screen, StudyScreen) else None
    return current.key if current is not None else None


def one_new_card_a_day(home: Path) -> None:
    (home / "config.toml").write_text("[study]\nfuzz = false\nnew_per_day = 1\n", encoding="utf-8")


def study_day_one(rating: int = 3) -> None:
    """Rate one new kafka card on 2025-03-10 through a real Collection, then close it."""
    col = Collection.open(open_home(), FIXED_NOW, tz=UTC)
    try:
        session = col.start_session(["kafka"], FIXED_NOW)
        session.reveal()
        session.rate(rating, FIXED_NOW)
    finally:
        col.close(FIXED_NOW)


async def test_bury_after_the_rollover_hides_the_card_until_the_day_after_the_new_today(
    open_app: OpenApp,
) -> None:
    """Opened at 03:50, `b` at 04:10: buried until the day after the new study day."""
    clock = Clock(LATE)
    app = open_app(["kafka"], start_in_review=True, clock=clock)
    async with app.run_test(size=(80, 24)) as pilot:
        first = study(app).session.current
        assert first is not None
        clock.now = LATE + timedelta(minutes=20)  # 04:10: study day 2025-03-11
        await pilot.press("b")
        await pilot.pause()
        assert app.collection.states[first.key].buried_until == "2025-03-12"
        assert served(app) != first.key


async def test_undoing_yesterdays_rating_keeps_todays_new_card_limit(
    retain_home: Path, open_app: OpenApp
) -> None:
    """new_per_day = 1: `u` on day 2 takes back day 1's rating; that card, rated again, is today's
    one new card, and no second one follows."""
    one_new_card_a_day(retain_home)
    study_day_one(rating=4)
    clock = Clock(DAY_TWO)
    app = open_app(["kafka"], start_in_review=True, clock=clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("u")  # takes back yesterday's Easy on kafka/partitions
        await pilot.pause()
        assert served(app) == "kafka/partitions"
        await pilot.press("space", "4")
        await pilot.pause()
        assert app.collection.due_counts(clock.now)["kafka"].new == 0
        assert served(app) is None


async def test_nothing_due_says_the_daily_limit_holds_new_cards_until_the_rollover(
    retain_home: Path, open_app: OpenApp
) -> None:
    """Today's one new card done (Easy, due in 8 days): the next card is tomorrow's new one, at 4 am."""
    one_new_card_a_day(retain_home)
    study_day_one(rating=4)
    app = open_app(["kafka"], start_in_review=True)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        text = screen_text(app)
        assert "Nothing due — daily limit reached; more in 16h" in text, text


async def test_nothing_due_screen_left_open_past_the_rollover_serves_the_new_day(
    retain_home: Path, open_app: OpenApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The "Nothing due" screen open from 03:50 to 08:50 serves the new day's new card."""
    monkeypatch.setattr(StudyScreen, "POLL_SECONDS", 0.01)
    one_new_card_a_day(retain_home)
    study_day_one(rating=4)
    clock = Clock(LATE)
    app = open_app(["kafka"], start_in_review=True, clock=clock)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert "Nothing due — daily limit reached; more in <10m" in screen_text(app)
        clock.now = LATE + timedelta(hours=5)  # 08:50, study day 2025-03-11
        assert app.collection.due_counts(clock.now)["kafka"].new == 1
        for _ in range(20):
            await pilot.pause(0.02)
            if served(app) is not None:
                break
        assert served(app) == "kafka/isr", screen_text(app)
        assert study(app).session.queue.today.isoformat() == "2025-03-11"


async def test_a_cloze_sibling_waits_for_a_learning_step_that_crossed_the_rollover(
    open_app: OpenApp,
) -> None:
    """c1 rated Good at 03:55 (step due 04:05, the next study day): a session at 04:01 serves c1
    only, not the new c2 beside it (siblings never come up on the same day)."""
    clock = Clock(datetime(2025, 3, 11, 3, 55, tzinfo=UTC))
    app = open_app(["redis"], start_in_review=True, clock=clock)
    async with app.run_test(size=(100, 30)) as pilot:
        assert served(app) == "redis/persistence:c1"
        await pilot.press("space", "3")
    app.collection.close(clock.now)
    clock.now = datetime(2025, 3, 11, 4, 1, tzinfo=UTC)
    app = open_app(["redis"], start_in_review=True, clock=clock)
    async with app.run_test(size=(100, 30)) as pilot:
        shown: list[str] = []
        while (key := served(app)) is not None and len(shown) < 3:
            shown.append(key)
            await pilot.press("space", "4")
            await pilot.pause()
        assert shown == ["redis/persistence:c1"]


async def test_nothing_due_says_a_sibling_studied_today_comes_at_the_rollover(open_app: OpenApp) -> None:
    """Redis c1 rated Easy earlier today: c2, its sibling, comes at 04:00 (16 h), not with c1's
    review in 8 days ("next card in 8d" before)."""
    col = Collection.open(open_home(), FIXED_NOW, tz=UTC)
    try:
        session = col.start_session(["redis"], FIXED_NOW)
        session.reveal()
        session.rate(4, FIXED_NOW)
    finally:
        col.close(FIXED_NOW)
    app = open_app(["redis"], start_in_review=True)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        text = screen_text(app)
        assert "Nothing due — next card in 16h" in text, text


async def test_nothing_due_says_when_a_buried_card_comes_back(open_app: OpenApp) -> None:
    """`b` on the only card: it comes back at the next study day's start (16 h), which "Nothing
    due" says ("1 card is suspended or buried" before, with no word of when)."""
    app = open_app(["consul"], start_in_review=True)
    async with app.run_test(size=(100, 30)) as pilot:
        study(app).action_bury()  # a typed card: the answer box has the keys
        await pilot.pause()
        text = screen_text(app)
        assert "Nothing due — next card in 16h" in text, text


async def test_a_new_card_limit_of_zero_promises_no_cards_at_the_rollover(
    retain_home: Path, open_app: OpenApp
) -> None:
    """new_per_day = 0: the limit holds every new card back, today and tomorrow alike, so "Nothing
    due" says there is nothing more today, not "daily limit reached; more in 16h"."""
    (retain_home / "config.toml").write_text("[study]\nfuzz = false\nnew_per_day = 0\n", encoding="utf-8")
    app = open_app(["kafka"], start_in_review=True)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        text = screen_text(app)
        assert "Nothing due — nothing more to study today" in text, text
