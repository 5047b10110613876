"""When the home data comes without reviews today and the streak, the screen counts them in a Textual worker.

`RetainApp.home_data` gives them at once (an indexed query, 3-14 ms at 20k cards), so the tests take them
out of the data to reach the count; the clock is read on the UI thread, never in the worker.
"""

from __future__ import annotations

import threading
from dataclasses import replace
from datetime import datetime

from textual.worker import get_current_worker

from retain.ui.app import RetainApp
from retain.ui.screens.home import PROGRESS_WORKER, HomeData, HomeScreen

from .conftest import FIXED_NOW, OpenApp
from .screen import screen_text


def without_progress(app: RetainApp) -> None:
    """Every HomeScreen of `app` gets its data without the progress figures (so it counts them)."""

    def load() -> HomeData:
        return replace(app.home_data(), progress=None)

    for screen in app.screen_stack:
        if isinstance(screen, HomeScreen):
            screen._load = load


def shown_progress(app: RetainApp) -> tuple[int, int] | None:
    screen = app.screen
    assert isinstance(screen, HomeScreen)
    return screen.progress


async def test_the_count_runs_in_a_textual_worker(open_app: OpenApp) -> None:
    app = open_app(["kafka"], start_in_review=True)
    seen: list[str] = []
    async with app.run_test(size=(80, 24)) as pilot:
        without_progress(app)
        screen = next(s for s in app.screen_stack if isinstance(s, HomeScreen))
        count = screen._progress

        def in_worker(now: datetime) -> tuple[int, int]:
            seen.append(get_current_worker().group)  # raises NoActiveWorker outside a Textual worker
            return count(now)

        screen._progress = in_worker
        await pilot.press("space", "3", "escape", "enter")
        assert app.screen is screen and screen.data.progress is None
        for _ in range(3):
            await pilot.pause()  # the count starts after the first paint
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert seen == [PROGRESS_WORKER]
        assert screen.progress == (1, 1)
        assert "Today 1 review  ·  streak 1 day" in screen_text(app)


async def test_the_worker_never_reads_the_clock(open_app: OpenApp) -> None:
    """Inputs are gathered on the UI thread: the clock (like widgets) is read there, not in the worker."""
    readers: list[str] = []

    def clock() -> datetime:
        readers.append(threading.current_thread().name)
        return FIXED_NOW

    app = open_app(clock=clock)
    async with app.run_test(size=(80, 24)) as pilot:
        without_progress(app)
        assert isinstance(app.screen, HomeScreen)
        app.screen.progress = None
        readers.clear()
        app.screen.reload()
        for _ in range(3):
            await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert shown_progress(app) == (0, 0)
    main = threading.main_thread().name
    assert readers and set(readers) == {main}, readers


async def test_a_failing_count_leaves_the_dashes_and_the_app_running(open_app: OpenApp) -> None:
    app = open_app()

    def broken(now: datetime) -> tuple[int, int]:
        raise OSError("journal unreadable")

    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        assert isinstance(screen, HomeScreen)
        without_progress(app)
        screen.progress = None
        screen._progress = broken
        screen.reload()
        for _ in range(3):
            await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.is_running and screen.progress is None
        assert "Today …" in screen_text(app)
        assert not screen._counting  # a later reload counts again
