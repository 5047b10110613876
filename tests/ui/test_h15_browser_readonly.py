"""A read-only retain's browser says why a key that changes cards does nothing (h15).

The keys that suspend, reset, delete, move, edit, add or study were hidden and did nothing
there, without a word, where the deck list says "Read-only: ... Close it to study here."."""

from __future__ import annotations

from datetime import UTC, timedelta
from pathlib import Path

import pytest

from retain.store.collection import Collection
from retain.store.home import open_home

from .conftest import FIXED_NOW, OpenApp


@pytest.mark.parametrize(("key", "doing"), [("s", "edit"), ("r", "edit"), ("m", "edit"), ("S", "study")])
async def test_a_key_that_writes_says_read_only(
    retain_home: Path, open_app: OpenApp, key: str, doing: str
) -> None:
    from retain.ui.screens.browser import BrowserScreen

    writer = Collection.open(open_home(), FIXED_NOW, tz=UTC)  # the other retain, holding the lock
    try:
        app = open_app()
        async with app.run_test(size=(100, 30)) as pilot:
            assert app.collection.read_only
            await pilot.press("b")
            for _ in range(50):
                if isinstance(app.screen, BrowserScreen):
                    break
                await pilot.pause(0.02)
            screen = app.screen
            assert isinstance(screen, BrowserScreen)
            before = dict(app.collection.states)
            await pilot.press("down", key)  # (from the search box to the table, as a learner does)
            await pilot.pause()
            said = [n.message for n in app._notifications]
            assert said == [f"Read-only: another retain is running. Close it to {doing} here."], said
            assert app.screen is screen and app.collection.states == before
    finally:
        writer.close(FIXED_NOW + timedelta(minutes=1))
