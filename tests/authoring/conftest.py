"""Fixtures for the authoring UI tests: a RETAIN_HOME with small fixed decks and progress, a fixed clock."""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Iterator
from datetime import UTC
from pathlib import Path

import pytest
from authoring_data import DECKS, FIXED_NOW, OpenApp, add_progress, fixed_clock

from retain.store import home as store_home
from retain.store.collection import Collection
from retain.store.home import open_home
from retain.ui.app import RetainApp, make_app


@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem: pytest.Function) -> bool | None:
    """Run `async def` tests with asyncio.run (no async plugin needed)."""
    if not inspect.iscoroutinefunction(pyfuncitem.obj):
        return None
    args = {name: pyfuncitem.funcargs[name] for name in pyfuncitem._fixtureinfo.argnames}
    asyncio.run(pyfuncitem.obj(**args))
    return True


@pytest.fixture(autouse=True)
def no_debounce(monkeypatch: pytest.MonkeyPatch) -> None:
    """The editor checks and the browser searches at once: a test waits for no timer."""
    from retain.ui.screens.browser import BrowserScreen
    from retain.ui.screens.editor import EditorScreen

    monkeypatch.setattr(EditorScreen, "CHECK_DELAY", 0)
    monkeypatch.setattr(BrowserScreen, "SEARCH_DELAY", 0)


@pytest.fixture
def retain_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("RETAIN_HOME", str(tmp_path))
    monkeypatch.setattr(store_home, "bundled_decks_dir", lambda: None)
    (tmp_path / "decks").mkdir()
    for name, text in DECKS.items():
        (tmp_path / "decks" / name).write_text(text, encoding="utf-8")
    (tmp_path / "config.toml").write_text("[study]\nfuzz = false\n", encoding="utf-8")
    add_progress(tmp_path)
    return tmp_path


@pytest.fixture
def open_app(retain_home: Path) -> Iterator[OpenApp]:
    """`open_app()` -> the app over a freshly opened Collection with a fixed clock (UTC)."""
    opened: list[Collection] = []

    def factory(
        review: list[str] | None = None, *, start_in_review: bool = False, read_only: bool = False
    ) -> RetainApp:
        home = open_home()
        collection = Collection.open(home, FIXED_NOW, tz=UTC, read_only=read_only)
        opened.append(collection)
        return make_app(
            collection,
            fixed_clock,
            config=home.config,
            decks_dir=home.paths.decks_dir,
            review=review,
            start_in_review=start_in_review,
        )

    yield factory
    for collection in opened:
        collection.close()
