"""The statistics screen: `t` and the palette open it, period and deck switches, figures equal to
`retain stats --json`, and the bad inputs (empty history, only suspended cards, 60x20)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import OptionList, Static
from textual_plotext import PlotextPlot

from retain.commands.stats import stats_report
from retain.core.state import CardState, Event
from retain.store import home as store_home
from retain.store.collection import Collection
from retain.store.home import open_home
from retain.ui.app import RetainApp, make_app
from retain.ui.screens.home import HomeScreen
from retain.ui.screens.scope_picker import ScopePickerScreen
from retain.ui.screens.stats import NO_REVIEWS, StatsScreen
from retain.ui.widgets.deck_table import DeckTable
from retain.ui.widgets.stats_charts import Chart

from .conftest import FIXED_NOW, OpenApp
from .stats_fixture import BERLIN, NOW, build_fixture

BLOCKS = (
    "forecast",
    "calendar",
    "reviews",
    "retention",
    "counts",
    "distributions",
    "buttons",
    "hours",
    "added",
)


@pytest.fixture
def fixture_app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[RetainApp, Collection]]:
    monkeypatch.setattr(store_home, "bundled_decks_dir", lambda: None)
    home, _events = build_fixture(tmp_path)
    monkeypatch.setenv("RETAIN_HOME", str(tmp_path))
    col = Collection.open(home, NOW, tz=BERLIN, read_only=True)
    yield make_app(col, lambda: NOW, config=home.config), col
    col.close()


async def settled(pilot: Pilot[None]) -> StatsScreen:
    """Wait until the stats screen shows complete figures."""
    for _ in range(500):
        screen = pilot.app.screen
        if isinstance(screen, StatsScreen) and screen.data is not None and not screen.workers:
            break
        await pilot.pause(0.02)
    await pilot.pause()
    assert isinstance(pilot.app.screen, StatsScreen)
    return pilot.app.screen


def _same(data: dict[str, Any], report: dict[str, Any]) -> None:
    ours = json.loads(json.dumps(data))
    for block in BLOCKS:
        assert ours[block] == report[block], block


async def test_t_opens_the_selected_deck_and_figures_equal_the_json(
    fixture_app: tuple[RetainApp, Collection],
) -> None:
    app, col = fixture_app
    async with app.run_test(size=(110, 40)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        assert app.screen.query_one(DeckTable).selected_row().deck_ids == ("fix",)  # type: ignore[union-attr]
        await pilot.press("t")
        screen = await settled(pilot)
        assert screen.scope.deck_ids == ("fix",) and screen.period == "1m"
        assert screen.data is not None
        _same(screen.data, json.loads(json.dumps(stats_report(col, NOW, "fix", 30))))
        assert screen.query_one("#forecast-plot", PlotextPlot).display
        assert "Due today (backlog) 0" in str(screen.query_one("#forecast-note", Static).render())
        await pilot.press("escape")
        assert isinstance(app.screen, HomeScreen)


async def test_period_switch_recomputes_every_block(fixture_app: tuple[RetainApp, Collection]) -> None:
    app, col = fixture_app
    async with app.run_test(size=(110, 40)) as pilot:
        await pilot.pause()
        await pilot.press("t")
        await settled(pilot)
        for key, period, days in (("3", "1y", 365), ("4", "all", None), ("2", "3m", 90), ("p", "1y", 365)):
            await pilot.press(key)
            screen = await settled(pilot)
            assert screen.period == period and screen.data is not None
            _same(screen.data, json.loads(json.dumps(stats_report(col, NOW, "fix", days))))
        assert screen.data is not None and screen.data["days"] == 365


async def test_deck_switch_through_the_picker(fixture_app: tuple[RetainApp, Collection]) -> None:
    app, col = fixture_app
    async with app.run_test(size=(110, 40)) as pilot:
        await pilot.pause()
        await pilot.press("t")
        await settled(pilot)
        await pilot.press("d")
        await pilot.pause()
        assert isinstance(app.screen, ScopePickerScreen)
        assert app.screen.query_one(OptionList).highlighted == 1  # the current scope, after "All decks"
        await pilot.press("home", "enter")
        screen = await settled(pilot)
        assert screen.scope.deck_ids is None and screen.scope.label == "All decks"
        assert screen.data is not None
        _same(screen.data, json.loads(json.dumps(stats_report(col, NOW, None, 30))))


async def test_palette_offers_statistics(open_app: OpenApp) -> None:
    app = open_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert "Statistics" in titles
        command = next(c for c in app.get_system_commands(app.screen) if c.title == "Statistics")
        command.callback()
        await settled(pilot)


def _notes(screen: StatsScreen) -> dict[str, str]:
    return {
        name: str(screen.query_one(f"#{name}", Static).render())
        for name in (
            "forecast-note",
            "calendar",
            "reviews-note",
            "retention",
            "distributions-note",
            "buttons-note",
            "added-note",
        )
    }


async def _deck_stats(app: RetainApp, pilot: Pilot[None], deck_id: str) -> StatsScreen:
    """The stats screen of one deck's row, opened from the home screen."""
    await pilot.pause()
    from retain.ui.stats_open import stats_screen

    row = next(r for r in app.screen.data.rows if r.deck_ids == (deck_id,))  # type: ignore[attr-defined]
    await app.push_screen(stats_screen(app.collection, app.clock, row))
    return await settled(pilot)


def _fixture_app(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, at: datetime
) -> tuple[Collection, RetainApp]:
    """The stats fixture's library opened (read-only, Berlin) with the clock at `at`."""
    monkeypatch.setattr(store_home, "bundled_decks_dir", lambda: None)
    home, _events = build_fixture(tmp_path)
    monkeypatch.setenv("RETAIN_HOME", str(tmp_path))
    col = Collection.open(home, at, tz=BERLIN, read_only=True)
    return col, make_app(col, lambda: at, config=home.config)


async def test_empty_history_says_no_reviews_yet_in_every_panel(open_app: OpenApp) -> None:
    app = open_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await pilot.press("t")
        screen = await settled(pilot)
        for name, text in _notes(screen).items():
            assert NO_REVIEWS in text, name
        assert not any(p.display for p in screen.query(PlotextPlot))
        for key in ("3", "4", "1"):
            await pilot.press(key)
            await settled(pilot)


async def test_a_deck_with_only_suspended_cards(retain_home: Path, open_app: OpenApp) -> None:
    col = Collection.open(open_home(), FIXED_NOW)
    keys = [u.key for u in col.units if u.deck_id == "consul"]
    for i, key in enumerate(keys):
        at = FIXED_NOW - timedelta(minutes=10 - i)
        col.record(Event(col.new_event_id(at), "suspend", key, at, CardState(suspended=True), None))
    col.close()
    app = open_app()
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await _deck_stats(app, pilot, "consul")
        assert screen.data is not None and screen.data["counts"]["suspended"] == len(keys)
        assert NO_REVIEWS in _notes(screen)["forecast-note"]
        assert "suspended" in str(screen.query_one("#counts", Static).render())


async def test_a_backlog_alone_draws_no_empty_forecast_chart(retain_home: Path, open_app: OpenApp) -> None:
    """Every card of a deck due now and none in the next 30 days: the chart was drawn all zeros
    (an empty 12-row frame); the note says the backlog, and no chart is shown."""
    from retain.core.state import REVIEW

    col = Collection.open(open_home(), FIXED_NOW)
    keys = [u.key for u in col.units if u.deck_id == "consul"]
    for i, key in enumerate(keys):
        at = FIXED_NOW - timedelta(days=60, minutes=i)
        due = FIXED_NOW - timedelta(hours=1)
        st = CardState(state=REVIEW, stability=50.0, difficulty=5.0, due=due, last_review=at, reps=3)
        col.record(Event(col.new_event_id(at), "review", key, at, st, None, 3))
    col.close()
    app = open_app()
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await _deck_stats(app, pilot, "consul")
        assert f"Due today (backlog) {len(keys)}" in _notes(screen)["forecast-note"]
        assert not screen.query_one("#forecast-plot", Chart).display


@pytest.mark.parametrize("size", [(60, 20), (80, 24)])
async def test_small_terminals(fixture_app: tuple[RetainApp, Collection], size: tuple[int, int]) -> None:
    app, _col = fixture_app
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        await pilot.press("t")
        screen = await settled(pilot)
        calendar = str(screen.query_one("#calendar", Static).render())
        assert "Streak 3 days" in calendar
        first_row = calendar.splitlines()[0]
        assert len(first_row) <= size[0]
        from .screen import screen_text

        shown = " ".join(screen_text(app).split())
        assert (
            screen.data is not None and str(screen.data["today"]) in shown
        )  # the head wraps: its study day is never cut off
        await pilot.press("3", "d", "escape", "escape")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)


async def test_a_theme_change_redraws_the_charts_in_its_colours(
    fixture_app: tuple[RetainApp, Collection],
) -> None:
    app, _col = fixture_app
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await pilot.press("t")
        screen = await settled(pilot)
        before = screen.query_one("#forecast-plot", Chart).version
        app.theme = "textual-light"
        await pilot.pause()
        screen = await settled(pilot)
        assert screen.query_one("#forecast-plot", Chart).version > before


def test_stats_of_a_group_by_its_name(retain_home: Path) -> None:
    """`retain stats --deck "Distributed Systems Interview"` said "no deck with id"; export,
    optimize, review and the stats screen all take a group's name."""
    from retain.commands.stats import StatsInputError

    col = Collection.open(open_home(), FIXED_NOW, read_only=True)
    try:
        members = sorted(d.id for d in col.library.decks if d.group == "Distributed Systems Interview")
        assert len(members) >= 2
        data = stats_report(col, FIXED_NOW, "distributed systems interview", 30)
        assert sorted(r["deck_id"] for r in data["decks"]) == members
        with pytest.raises(StatsInputError, match="no deck or group 'nosuch'"):
            stats_report(col, FIXED_NOW, "nosuch", 30)
    finally:
        col.close()


async def test_a_history_older_than_a_year_is_not_no_reviews_yet_on_the_screen(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Back after 14 months: the calendar's year and the retention panel said "No reviews yet."."""
    from datetime import UTC

    col, app = _fixture_app(tmp_path, monkeypatch, datetime(2027, 6, 1, 10, tzinfo=UTC))
    try:
        async with app.run_test(size=(110, 40)) as pilot:
            await pilot.pause()
            await pilot.press("t")
            await pilot.press("4")  # all
            screen = await settled(pilot)
            assert screen.data is not None and screen.data["calendar"]["total"] == 0
            calendar = str(screen.query_one("#calendar").render())
            assert NO_REVIEWS not in calendar and "longest" in calendar
            assert NO_REVIEWS not in str(screen.query_one("#retention", Static).render())
    finally:
        col.close()


async def test_a_deck_whose_reviewed_cards_are_suspended_is_not_no_reviews_yet(
    retain_home: Path, open_app: OpenApp
) -> None:
    """Every reviewed card suspended: the forecast said "No reviews yet. Nothing is scheduled."
    and the distributions "No reviews yet." over the deck's reviews."""
    from retain.core.state import REVIEW

    col = Collection.open(open_home(), FIXED_NOW)
    keys = [u.key for u in col.units if u.deck_id == "consul"]
    for i, key in enumerate(keys):
        at = FIXED_NOW - timedelta(days=3, minutes=i)
        st = CardState(REVIEW, None, 5.0, 5.0, at + timedelta(days=5), at, 1)
        col.record(Event(col.new_event_id(at), "review", key, at, st, None, 3, 2000))
        at += timedelta(days=1)
        col.record(Event(col.new_event_id(at), "suspend", key, at, st.with_flags(suspended=True), st))
    col.close()
    app = open_app()
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await _deck_stats(app, pilot, "consul")
        assert screen.data is not None and screen.data["reviews"]["total"] == len(keys)
        notes = _notes(screen)
        assert notes["forecast-note"] == "Nothing is scheduled: every card is new or suspended."
        assert NO_REVIEWS not in notes["distributions-note"] and "suspended" in notes["distributions-note"]


async def test_a_period_without_reviews_is_not_no_reviews_yet(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Back after two months: 1 month showed "No reviews yet." in the reviews, buttons and added
    panels, over a history of hundreds of reviews."""
    from datetime import UTC

    col, app = _fixture_app(tmp_path, monkeypatch, datetime(2026, 6, 1, 10, tzinfo=UTC))
    try:
        async with app.run_test(size=(110, 40)) as pilot:
            await pilot.pause()
            await pilot.press("t")
            screen = await settled(pilot)
            assert screen.data is not None and screen.data["reviews"]["total"] == 0
            notes = _notes(screen)
            assert notes["reviews-note"] == notes["buttons-note"] == "No reviews in the last 30 days."
            assert notes["added-note"] == "No cards studied for the first time in the last 30 days."
            assert NO_REVIEWS not in notes["retention"]
    finally:
        col.close()
