"""A second retain opened read-only while the first studies: its deck list counts what the first
recorded, all of it (reviews today, new, learning), as `retain due` run at that moment does."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from retain.store.collection import Collection
from retain.store.home import open_home
from retain.ui.screens.home import HomeScreen

from .conftest import FIXED_NOW, OpenApp


def due_now(now: datetime) -> dict[str, tuple[int, int, int]]:
    """(new, learning, review) per deck as `retain due` counts them: a fresh reader."""
    col = Collection.open(open_home(), FIXED_NOW, tz=UTC, read_only=True)
    try:
        return {d: (c.new, c.learning, c.review) for d, c in col.due_counts(now).items()}
    finally:
        col.close()


async def test_reader_counts_follow_the_writers_ratings(retain_home: Path, open_app: OpenApp) -> None:
    writer = Collection.open(open_home(), FIXED_NOW, tz=UTC)
    try:
        app = open_app()
        async with app.run_test(size=(100, 30)) as pilot:
            assert app.collection.read_only
            home = app.screen
            assert isinstance(home, HomeScreen)
            before = {r.deck_ids[0]: (r.new, r.learning, r.review) for r in home.data.rows if not r.is_group}
            session = writer.start_session(["kafka"], FIXED_NOW)
            for rating in (3, 3):  # two new cards into their learning steps
                session.reveal()
                session.rate(rating, FIXED_NOW)
            truth = due_now(FIXED_NOW)
            assert truth["kafka"] != before["kafka"]
            home._refresh_counts()  # what the 20-second timer does
            await pilot.pause()
            shown = {r.deck_ids[0]: (r.new, r.learning, r.review) for r in home.data.rows if not r.is_group}
            assert shown["kafka"] == truth["kafka"]
            assert home.progress is not None and home.progress[0] == 2
    finally:
        writer.close(FIXED_NOW + timedelta(minutes=1))


async def test_reader_follows_an_undo_and_its_browser_shows_the_rated_card(
    retain_home: Path, open_app: OpenApp
) -> None:
    from retain.ui.screens.browser import BrowserScreen

    writer = Collection.open(open_home(), FIXED_NOW, tz=UTC)
    try:
        app = open_app()
        async with app.run_test(size=(100, 30)) as pilot:
            home = app.screen
            assert isinstance(home, HomeScreen)
            session = writer.start_session(["kafka"], FIXED_NOW)
            first = session.current
            assert first is not None
            session.reveal()
            session.rate(3, FIXED_NOW)
            await pilot.press("b")  # the browser reads the states as they are now
            await pilot.pause()
            assert isinstance(app.screen, BrowserScreen)
            assert first.key in app.collection.states
            assert app.collection.states[first.key] == writer.states[first.key]
            await pilot.press("escape")
            await pilot.pause()
            before = {r.deck_ids[0]: (r.new, r.learning) for r in home.data.rows if not r.is_group}
            assert session.undo(FIXED_NOW) is not None  # the writer takes the rating back
            assert first.key not in writer.states
            home._refresh_counts()
            await pilot.pause()
            shown = {r.deck_ids[0]: (r.new, r.learning, r.review) for r in home.data.rows if not r.is_group}
            assert shown["kafka"] == due_now(FIXED_NOW)["kafka"]
            assert shown["kafka"][:2] != before["kafka"]  # the card is new again, out of learning
    finally:
        writer.close(FIXED_NOW + timedelta(minutes=1))
