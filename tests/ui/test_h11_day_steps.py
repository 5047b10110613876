"""A day as a learner with learning steps `10m 1d`: the Good button, the card's due time, the
summary's "Next due" and "Nothing due" agree that the `1d` step is due from the next study day's
start (4 am, UTC here), whatever the hour of the rating and however long the answer was read."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from retain.core.scheduler import Scheduler
from retain.core.settings import StudySettings
from retain.core.state import LEARNING, RELEARNING, REVIEW, CardState
from retain.core.studyday import StudyDay
from retain.ui.app import RetainApp
from retain.ui.screens.home import HomeScreen
from retain.ui.screens.study import StudyScreen
from retain.ui.screens.summary import SummaryScreen
from retain.ui.widgets.rating_bar import RatingBar

from .conftest import OpenApp
from .screen import screen_text

SOLO = 'format = 1\n\n[deck]\nid = "solo"\nname = "Solo"\n\n[[cards]]\nid = "q"\nfront = "Q?"\nback = "A."\n'
STEPS = '[study]\nfuzz = false\nlearning_steps = ["10m", "1d"]\n'
KEY = "solo/q"


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def solo(retain_home: Path) -> Path:
    (retain_home / "decks" / "solo.toml").write_text(SOLO, encoding="utf-8")
    (retain_home / "config.toml").write_text(STEPS, encoding="utf-8")
    return retain_home


def rating_words(app: RetainApp) -> str:
    return " ".join(str(app.screen.query_one(RatingBar).render()).split()) + " " + screen_text(app)


async def again_then_reveal(app: RetainApp, pilot: object) -> str:
    """Again on the new card (its 10m step; learn-ahead shows it again at once), then the reveal:
    the screen's text with the rating buttons."""
    await pilot.press("space", "1")  # type: ignore[attr-defined]
    await pilot.pause()  # type: ignore[attr-defined]
    screen = app.screen
    assert isinstance(screen, StudyScreen) and screen.session.current is not None
    assert screen.session.current.key == KEY
    await pilot.press("space")  # type: ignore[attr-defined]
    await pilot.pause()  # type: ignore[attr-defined]
    return " ".join(screen_text(app).split())


@pytest.mark.parametrize(
    ("hour", "next_due"),
    [(12, "in 16h"), (21, "in 7h"), (2, "in 2h")],
    ids=["noon", "evening", "after-midnight"],
)
async def test_the_button_the_due_time_the_summary_and_nothing_due_agree(
    solo: Path, open_app: OpenApp, hour: int, next_due: str
) -> None:
    """At 21:00 the Good button said "12h" and the card was due at 09:05: Hard's 12h05m step (the
    average of 10m and 1d) pushed Good's `1d` past the next morning's start (Hard <= Good)."""
    day = datetime(2025, 3, 10, tzinfo=UTC) if hour >= 4 else datetime(2025, 3, 11, tzinfo=UTC)
    at = day.replace(hour=hour)
    rollover = datetime(2025, 3, 11, 4, 0, tzinfo=UTC)  # the next study day's start
    clock = Clock(at)
    app = open_app(["solo"], start_in_review=True, clock=clock)
    async with app.run_test(size=(100, 30)) as pilot:
        shown = await again_then_reveal(app, pilot)
        assert "3 Good 1d" in shown, shown
        clock.now = at + timedelta(seconds=40)  # the answer read for a while
        await pilot.press("3")
        await pilot.pause()
        state = app.collection.states[KEY]
        assert state.state == LEARNING and state.due == rollover, state
        assert isinstance(app.screen, SummaryScreen)
        summary = " ".join(screen_text(app).split())
        assert f"Next due {next_due}" in summary, summary
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        app.start_study(["solo"], "Solo")
        await pilot.pause()
        await pilot.pause()
        nothing = " ".join(screen_text(app).split())
        assert f"Nothing due — next card {next_due}" in nothing, nothing


async def test_a_day_step_rated_after_the_rollover_counts_from_the_rating_day(
    solo: Path, open_app: OpenApp
) -> None:
    """Revealed at 03:55 (Good: `1d`, the 04:00 rollover), rated at 04:05: the previewed due time
    moved with the clock to 04:10, the study day of the rating, so the `1d` card came back at once.
    Rated on the next study day, Good is what the scheduler gives then: a day elapsed since the
    Again at 03:40, a stability whose FSRS interval is 2 days (a step of days is never sooner):
    due from the start of the study day two days after the rating's."""
    # Again at 03:40: its 10m step is due at 03:50, today (learn-ahead never reaches past the
    # rollover: Again at 03:50 would be due at 04:00, on the next study day, not shown at 03:55)
    clock = Clock(datetime(2025, 3, 11, 3, 40, tzinfo=UTC))
    app = open_app(["solo"], start_in_review=True, clock=clock)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("space", "1")
        await pilot.pause()
        clock.now = datetime(2025, 3, 11, 3, 55, tzinfo=UTC)
        await pilot.press("space")
        await pilot.pause()
        shown = " ".join(screen_text(app).split())
        assert "3 Good 1d" in shown, shown
        clock.now = datetime(2025, 3, 11, 4, 5, tzinfo=UTC)  # study day 2025-03-11 now
        await pilot.press("3")  # the buttons had not looked at the clock again: they say it first
        await pilot.pause()
        assert "3 Good 2d" in " ".join(screen_text(app).split())
        await pilot.press("3")
        await pilot.pause()
        assert app.collection.states[KEY].due == datetime(2025, 3, 13, 4, 0, tzinfo=UTC)
        assert isinstance(app.screen, SummaryScreen), screen_text(app)  # not the same card again
        summary = " ".join(screen_text(app).split())
        assert "Next due in 2d" in summary, summary


# -- the class: any steps, any hour, any rollover (the scheduler and the session's anchoring) --

_SHORT = [timedelta(minutes=10), timedelta(hours=1), timedelta(hours=12)]
_LONG = [timedelta(days=1), timedelta(hours=36), timedelta(days=3)]
# `10m 1d` and the like (a step within the day, then one of days: the case that went wrong) first
_STEPS = st.tuples(st.sampled_from(_SHORT), st.sampled_from(_LONG)) | st.lists(
    st.sampled_from(_SHORT + _LONG), min_size=1, max_size=3
).map(tuple)


@settings(max_examples=500, deadline=None)
@given(
    steps=_STEPS,
    rollover=st.integers(0, 23),
    zone=st.sampled_from(["UTC", "America/New_York"]),
    minutes=st.integers(0, 3 * 24 * 60),
    kind=st.sampled_from(["new", "learning", "relearning"]),
    step=st.sampled_from([0, 0, 1, 2]),
    stability=st.sampled_from([0.1, 0.3, 1.0, 3.0]) | st.floats(0.1, 20.0),  # (FSRS's 1-day floor often)
)
def test_good_on_a_step_of_days_is_due_from_a_study_days_start_and_in_order_by_day(
    steps: tuple[timedelta, ...],
    rollover: int,
    zone: str,
    minutes: int,
    kind: str,
    step: int,
    stability: float,
) -> None:
    """Good that moves a card to a step of a day or more is due from the start of a later study
    day (what its `Nd` button says), and Hard <= Good <= Easy holds by study day; by the clock,
    only such a step may come before a lower rating's, and only on that rating's study day."""
    day = StudyDay(rollover, ZoneInfo(zone))
    at = datetime(2026, 3, 5, tzinfo=UTC) + timedelta(minutes=minutes)
    settings_ = StudySettings(fuzz=False, learning_steps=steps, relearning_steps=steps)
    state: CardState | None = None
    if kind != "new":
        state = CardState(
            LEARNING if kind == "learning" else RELEARNING,
            min(step, len(steps) - 1),
            stability,
            5.0,
            at,
            at - timedelta(minutes=10),
            3,
            0,
        )
    scheduler = Scheduler(settings_, day)
    p = scheduler.preview("k/a", state, at)
    good = p[3]
    assert good.due is not None
    if (
        good.state in (LEARNING, RELEARNING)
        and good.step is not None
        and steps[good.step] >= timedelta(days=1)
    ):
        assert good.due == day.start_of(day.of(good.due)) and day.of(good.due) > day.of(at), (at, good)
        assert scheduler.label(at, good).endswith("d")
    for lower, higher in ((2, 3), (3, 4)):
        low, high = p[lower].due, p[higher].due
        assert low is not None and high is not None
        assert day.of(low) <= day.of(high), (lower, low, high)
        if high < low:  # only a step of days, due from the start of the lower one's study day
            assert p[higher].state != REVIEW and high == day.start_of(day.of(low)), (lower, low, high)
