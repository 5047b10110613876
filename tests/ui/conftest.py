"""Fixtures for the TUI tests: a RETAIN_HOME with small fixed decks, a fixed clock, the real Collection."""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Button, Checkbox, Input

from retain.store import home as store_home
from retain.store.collection import Collection
from retain.store.home import open_home
from retain.ui.app import RetainApp, make_app

from .decks import write_decks

FIXED_NOW = datetime(2025, 3, 10, 12, 0, tzinfo=UTC)

OpenApp = Callable[..., RetainApp]


@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem: pytest.Function) -> bool | None:
    """Run `async def` tests with asyncio.run (no async plugin needed)."""
    if not inspect.iscoroutinefunction(pyfuncitem.obj):
        return None
    args = {name: pyfuncitem.funcargs[name] for name in pyfuncitem._fixtureinfo.argnames}
    asyncio.run(pyfuncitem.obj(**args))
    return True


def fixed_clock() -> datetime:
    return FIXED_NOW


@pytest.fixture
def retain_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A home with the test decks only (the bundled decks left out so data stays fixed)."""
    monkeypatch.setenv("RETAIN_HOME", str(tmp_path))
    monkeypatch.setattr(store_home, "bundled_decks_dir", lambda: None)
    write_decks(tmp_path / "decks")
    # No interval fuzz: FSRS fuzz uses the global RNG, and snapshots show the intervals.
    (tmp_path / "config.toml").write_text("[study]\nfuzz = false\n", encoding="utf-8")
    return tmp_path


@pytest.fixture
def open_app(retain_home: Path) -> Iterator[OpenApp]:
    """`open_app(review=[...], start_in_review=True, now=...)` -> app over a freshly opened Collection."""
    opened: list[Collection] = []

    def factory(
        review: list[str] | None = None,
        *,
        start_in_review: bool = False,
        clock: Callable[[], datetime] = fixed_clock,
        read_only: bool = False,
    ) -> RetainApp:
        home = open_home()
        collection = Collection.open(home, clock(), tz=UTC, read_only=read_only)
        opened.append(collection)
        return make_app(
            collection,
            clock,
            config=home.config,
            decks_dir=home.paths.decks_dir,
            review=review,
            start_in_review=start_in_review,
        )

    yield factory
    for collection in opened:
        collection.close()


async def until(predicate: Callable[[], object], pilot: Pilot[None], tries: int = 200) -> None:
    """Pause until `predicate()` holds (at most `tries` x 50 ms)."""
    for _ in range(tries):
        if predicate():
            return
        await pilot.pause(0.05)
    raise AssertionError("condition never became true")


async def preview_import(app: RetainApp, pilot: Pilot[None], path: Path, *, history: bool = True) -> Button:
    """`i`, the history box ticked (or not), `path` previewed; its Import button, then enabled."""
    from retain.ui.screens.share_import import ImportScreen

    await pilot.press("i")
    screen = app.screen
    assert isinstance(screen, ImportScreen)
    screen.query_one("#share-history-flag", Checkbox).value = history
    screen.query_one(Input).value = str(path)
    apply_button = screen.query_one("#share-apply", Button)
    await pilot.press("enter")
    await until(lambda: not apply_button.disabled, pilot)
    return apply_button
