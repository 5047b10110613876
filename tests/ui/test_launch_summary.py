"""Pilot tests for a launch from the summary: the home paints first, the collection opens after."""

from __future__ import annotations

import asyncio
import threading
from datetime import UTC, timedelta
from pathlib import Path

from retain.core.state import REVIEW, CardState, Event
from retain.store.collection import Collection, CollectionError
from retain.store.home import Home, open_home
from retain.store.index.homesummary import LaunchHome, load_summary
from retain.ui.app import RetainApp, make_app
from retain.ui.loader import CollectionLoader
from retain.ui.screens.home import HomeData, HomeScreen
from retain.ui.screens.study import StudyScreen

from .conftest import FIXED_NOW, OpenApp, fixed_clock


def _summary(home: Home) -> LaunchHome:
    Collection.open(home, FIXED_NOW, tz=UTC).close(FIXED_NOW, save_summary=True)
    summary = load_summary(home, FIXED_NOW, UTC)
    assert summary is not None
    return summary


def _gated_app(
    home: Home, gate: threading.Event, summary: LaunchHome | None = None
) -> tuple[RetainApp, CollectionLoader]:
    """An app painted from the summary whose collection opens only once `gate` is set."""

    def open_() -> Collection:
        assert gate.wait(10)
        return Collection.open(home, FIXED_NOW, tz=UTC)

    loader = CollectionLoader(open_)
    app = make_app(
        None,
        fixed_clock,
        config=home.config,
        decks_dir=home.paths.decks_dir,
        loader=loader,
        launch_home=summary or _summary(home),
    )
    return app, loader


def home_data(app: RetainApp) -> HomeData:
    """What the home screen shows now (read afresh: mypy keeps no narrowing across the key presses)."""
    screen = app.screen
    assert isinstance(screen, HomeScreen)
    return screen.data


async def _until_ready(app: RetainApp) -> None:
    for _ in range(500):
        if app.ready:
            return
        await asyncio.sleep(0.01)
    raise AssertionError("the collection never opened")


async def test_home_from_the_summary_shows_what_the_collection_shows(
    retain_home: Path, open_app: OpenApp
) -> None:
    expected = open_app()
    async with expected.run_test(size=(80, 24)):
        rows = expected.screen.data.rows  # type: ignore[attr-defined]
    expected.collection.close()
    gate = threading.Event()
    app, loader = _gated_app(open_home(), gate)
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            assert isinstance(app.screen, HomeScreen)
            assert not app.ready
            assert not home_data(app).loaded
            assert home_data(app).rows == rows
            gate.set()
            await _until_ready(app)
            await pilot.pause()
            assert home_data(app).loaded
            assert home_data(app).rows == rows
            assert app.live_reload is not None
    finally:
        gate.set()
        collection = loader.wait()
        assert collection is not None
        collection.close()


async def test_keys_pressed_before_the_collection_opens_wait_for_it(retain_home: Path) -> None:
    gate = threading.Event()
    app, loader = _gated_app(open_home(), gate)
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press("down", "enter")  # Apache Kafka, before the collection is open
            await pilot.pause()
            assert isinstance(app.screen, HomeScreen)
            gate.set()
            await _until_ready(app)
            await pilot.pause()
            assert isinstance(app.screen, StudyScreen)
            assert app.screen.session.current.deck_id == "kafka"  # type: ignore[union-attr]
            await pilot.press("space", "3")
            await pilot.pause()
            assert [k for k in app.collection.states if k.startswith("kafka/")] == ["kafka/partitions"]
    finally:
        gate.set()
        collection = loader.wait()
        assert collection is not None
        collection.close()
    assert load_summary(open_home(), FIXED_NOW, UTC) is None  # the rating changed the journal


async def test_enter_pressed_twice_while_the_collection_opens_starts_one_session(retain_home: Path) -> None:
    """On a big library the deck list paints before the collection opens; Enter pressed again
    because nothing happened stacked two sessions: after ending the first, the second showed the
    card just rated as new again, and rating it recorded it twice."""
    gate = threading.Event()
    app, loader = _gated_app(open_home(), gate)
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press("down", "enter", "enter")  # Apache Kafka, twice
            await pilot.pause()
            gate.set()
            await _until_ready(app)
            await pilot.pause()
            assert [type(s).__name__ for s in app.screen_stack] == ["HomeScreen", "StudyScreen"]
            await pilot.press("space", "3", "escape")  # rate one card Good, end the session
            await pilot.pause()
            if not isinstance(app.screen, (HomeScreen, StudyScreen)):
                await pilot.press("enter")  # the summary
            await pilot.pause()
            assert isinstance(app.screen, HomeScreen)
    finally:
        gate.set()
        collection = loader.wait()
        assert collection is not None
        collection.close()


async def test_only_the_last_screen_asked_for_opens_once_the_collection_is_open(retain_home: Path) -> None:
    """The class: browse, add, statistics and study pressed while the collection opens open one
    screen, the last asked for; an action of another slot (a theme to save) runs once, first."""
    gate = threading.Event()
    app, loader = _gated_app(open_home(), gate)
    ran: list[str] = []
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press("down", "b", "c", "t", "b", "enter")
            for _ in range(2):
                app.when_ready(lambda: ran.append(type(app.screen).__name__), slot="theme")
            await pilot.pause()
            gate.set()
            await _until_ready(app)
            await pilot.pause()
            assert [type(s).__name__ for s in app.screen_stack] == ["HomeScreen", "StudyScreen"]
            assert ran == ["HomeScreen"]  # once, before the session opened
    finally:
        gate.set()
        collection = loader.wait()
        assert collection is not None
        collection.close()


async def test_a_collection_that_cannot_open_ends_the_app_with_its_message(retain_home: Path) -> None:
    home = open_home()

    def refuse() -> Collection:
        raise CollectionError("state/snapshots/kafka.toml: format 9 is newer than this retain")

    app = make_app(
        None,
        fixed_clock,
        config=home.config,
        decks_dir=home.paths.decks_dir,
        loader=CollectionLoader(refuse),
        launch_home=_summary(home),
    )
    async with app.run_test(size=(80, 24)) as pilot:
        for _ in range(200):
            if app.return_code is not None:
                break
            await pilot.pause(0.01)
    assert app.return_code == 2
    assert app.load_error == "state/snapshots/kafka.toml: format 9 is newer than this retain"


async def test_progress_from_the_summary_shows_at_once_and_follows_the_session(retain_home: Path) -> None:
    home = open_home()
    for days in (4, 3, 2, 1):  # a 4-day streak ending yesterday, through the real store
        at = FIXED_NOW - timedelta(days=days)
        collection = Collection.open(home, at, tz=UTC)
        key = next(iter(collection.units_by_key))
        before = collection.states.get(key)
        after = CardState(
            REVIEW, None, 3.0, 5.0, at + timedelta(days=3), at, (before.reps if before else 0) + 1, 0
        )
        collection.record(Event(collection.new_event_id(at), "review", key, at, after, before, 3, 1000))
        collection.close(at)
    collection = Collection.open(home, FIXED_NOW, tz=UTC)
    collection.close(FIXED_NOW, save_summary=True)
    summary = load_summary(home, FIXED_NOW, UTC)
    assert summary is not None and summary.progress == (0, 4)
    gate = threading.Event()
    app, loader = _gated_app(home, gate, summary)
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            assert app.screen.progress == (0, 4)  # type: ignore[attr-defined]
            gate.set()
            await _until_ready(app)
            await pilot.press("down", "enter", "space", "3", "escape")
            await pilot.pause()
            while not isinstance(app.screen, HomeScreen):
                await pilot.press("escape")
                await pilot.pause()
            assert app.screen.progress == (1, 5)  # today joins the streak, no history re-read
    finally:
        gate.set()
        opened = loader.wait()
        assert opened is not None
        opened.close()


async def test_a_stale_summary_paints_first_and_the_collection_corrects_it(retain_home: Path) -> None:
    """A deck file edited since the last close: the first paint is the old figures, then the current ones."""
    home = open_home()
    _summary(home)
    deck = next(p for p in home.paths.decks_dir.glob("*.toml") if "kafka" in p.read_text())
    deck.write_text(deck.read_text() + '\n[[cards]]\nid = "added"\nfront = "New?"\nback = "Yes"\n')
    assert load_summary(home, FIXED_NOW, UTC) is None
    stale = load_summary(home, FIXED_NOW, UTC, stale_ok=True)
    assert stale is not None and stale.stale and stale.progress is not None  # journals unchanged
    gate = threading.Event()
    app, loader = _gated_app(home, gate, stale)
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            before = {r.key: r.cards for r in home_data(app).rows}
            assert not home_data(app).loaded
            gate.set()
            await _until_ready(app)
            await pilot.pause()
            after = {r.key: r.cards for r in home_data(app).rows}
            assert home_data(app).loaded and after["deck:kafka"] == before["deck:kafka"] + 1
    finally:
        gate.set()
        collection = loader.wait()
        assert collection is not None
        collection.close()


def test_a_stale_summary_drops_todays_figures_when_another_devices_journal_arrived(
    retain_home: Path,
) -> None:
    home = open_home()
    _summary(home)
    other = home.paths.state_dir / "devices" / "bbbbbbbbbbbb"
    other.mkdir(parents=True)
    (other / "journal-2025-03.toml").write_text('format = 2\ndevice = "bbbbbbbbbbbb"\n')
    stale = load_summary(home, FIXED_NOW, UTC, stale_ok=True)
    assert stale is not None and stale.stale and stale.progress is None


async def test_an_index_rebuilt_behind_the_summary_is_said_without_a_wrong_reason(retain_home: Path) -> None:
    """The toast while the history is indexed after the first paint said "(the cache was
    cleared)". It only shows when the home painted from the launch summary, which lives in the
    cache too: the index was damaged, from a newer retain or could not be written, never a
    cleared cache. It says only what is happening now."""
    from retain.store.index.db import INDEX_NAME

    home = open_home()
    for days in (90, 60, 30, 0):  # a journal file a month: the rebuild reports each as it goes
        at = FIXED_NOW - timedelta(days=days)
        col = Collection.open(home, at, tz=UTC)
        session = col.start_session(None, at)
        session.reveal()
        session.rate(3, at)
        col.close(at, save_summary=True)
    summary = load_summary(home, FIXED_NOW, UTC)
    assert summary is not None
    for spot in home.paths.cache_dir.glob(INDEX_NAME + "*"):
        spot.unlink()
    (home.paths.cache_dir / INDEX_NAME).write_bytes(b"not an index " * 500)  # damaged
    gate = threading.Event()
    app, loader = _gated_app(home, gate, summary)
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            gate.set()
            await _until_ready(app)
            await pilot.pause()
            said = [str(n.message) for n in app._notifications]
            assert any(m.startswith("Indexing the review history") for m in said), said
            assert not any("cleared" in m for m in said), said
    finally:
        gate.set()
        collection = loader.wait()
        assert collection is not None
        collection.close()
