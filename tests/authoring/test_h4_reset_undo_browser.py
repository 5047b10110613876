"""The browser's reset (`r`, Anki's Forget) is undone by ctrl+z as a suspend of many is: one card
or every marked card in one step, from the deck list (`u`) too, and after a restart."""

from __future__ import annotations

from datetime import UTC, timedelta
from pathlib import Path
from typing import Any

import pytest
from authoring_data import FIXED_NOW, SIZE, OpenApp
from textual.app import App
from textual.widgets import Input

from retain.core.state import LEARNING, RELEARNING, REVIEW, CardState, Event
from retain.store.collection import Collection
from retain.store.home import open_home
from retain.ui.screens.browser import BrowserScreen
from retain.ui.screens.confirm import ConfirmScreen
from retain.ui.screens.home import HomeScreen
from retain.ui.widgets.browse_table import BrowseTable

BIG = 50
BIG_KEYS = [f"big/c{i:03d}" for i in range(BIG)]


def screen_text(app: App[Any]) -> str:
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


def toasts(app: App[Any]) -> list[str]:
    return [str(n.message) for n in app._notifications]


async def search(pilot, text: str) -> None:  # type: ignore[no-untyped-def]
    await pilot.press("slash")
    pilot.app.screen.query_one(Input).value = text
    await pilot.press("enter")
    await pilot.pause()


async def open_browser(pilot, query: str = "") -> None:  # type: ignore[no-untyped-def]
    await pilot.press("b")
    await pilot.pause()
    assert isinstance(pilot.app.screen, BrowserScreen)
    await search(pilot, query)


def _state(i: int) -> CardState:
    kind = (LEARNING, REVIEW, RELEARNING)[i % 3]
    last = FIXED_NOW - timedelta(days=1)
    return CardState(
        kind,
        None if kind == REVIEW else 1,
        1.5 + i,
        3.25 + i % 5,
        last + timedelta(days=1 + i % 3, minutes=i),
        last,
        2 + i,
        i % 4,
    )


@pytest.fixture
def big(retain_home: Path) -> dict[str, CardState]:
    """A deck of 50 cards, each reviewed yesterday (every field of its state differs from new)."""
    body = "\n".join(f'[[cards]]\nid = "c{i:03d}"\nfront = "Question {i}"\nback = "A"\n' for i in range(BIG))
    (retain_home / "decks" / "big.toml").write_text(
        f'format = 1\n[deck]\nid = "big"\nname = "Big"\n\n{body}', "utf-8"
    )
    with Collection.open(open_home(), FIXED_NOW, tz=UTC) as col:
        for i, key in enumerate(BIG_KEYS):
            after = _state(i)
            at = after.last_review or FIXED_NOW
            col.record(Event(col.new_event_id(at), "review", key, at, after, None, 3, 1000))
        return {k: col.states[k] for k in BIG_KEYS}


async def test_a_reset_of_one_card_is_undone_by_ctrl_z_with_its_exact_state(open_app: OpenApp) -> None:
    """ctrl+z said "Nothing to undo" after a reset, and the question said it never could."""
    app = open_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_browser(pilot)
        col = app.collection
        before = col.states["kafka/partitions"]
        await pilot.press("r")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        text = screen_text(app)
        assert "cannot" not in text and "undoes the reset." in text and "ctrl+z" in text, text
        await pilot.press("y")
        await pilot.pause()
        assert "kafka/partitions" not in col.states
        assert "Progress of kafka/partitions reset: it is new again (ctrl+z to undo)" in toasts(app)
        await pilot.press("ctrl+z")
        await pilot.pause()
        assert col.states["kafka/partitions"] == before
        assert "Undid reset of kafka/partitions" in toasts(app)
        assert "Nothing to undo" not in toasts(app)


async def test_a_reset_of_50_marked_cards_is_undone_by_one_ctrl_z(
    big: dict[str, CardState], open_app: OpenApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(BrowserScreen, "BUSY_FROM_CARDS", 0)  # behind the loading indicator
    app = open_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_browser(pilot, "deck:big")
        col = app.collection
        await pilot.press("asterisk", "r")
        await pilot.pause()
        text = screen_text(app)
        assert (
            "Forget the progress of 50 cards?" in text and "undoes the reset." in text and "ctrl+z" in text
        ), text
        await pilot.press("y")
        await pilot.pause(0.2)
        assert not any(k in col.states for k in BIG_KEYS)
        assert "Progress of 50 cards reset: they are new again (ctrl+z to undo)" in toasts(app)
        await pilot.press("ctrl+z")
        await pilot.pause(0.2)
        assert {k: col.states.get(k) for k in BIG_KEYS} == big  # all 50, one step
        assert "Undid reset of 50 cards" in toasts(app)
        assert not app.screen.query_one(BrowseTable).loading


async def _reset_all_big(pilot, app: Any) -> None:  # type: ignore[no-untyped-def]
    """In the browser on `deck:big`: every card marked and reset (`*`, `r`, `y`)."""
    await open_browser(pilot, "deck:big")
    await pilot.press("asterisk", "r", "y")
    await pilot.pause(0.2)
    assert not any(k in app.collection.states for k in BIG_KEYS)


async def test_u_on_the_deck_list_undoes_a_reset_of_many(
    big: dict[str, CardState], open_app: OpenApp
) -> None:
    app = open_app()
    async with app.run_test(size=SIZE) as pilot:
        await _reset_all_big(pilot, app)
        col = app.collection
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        await pilot.press("u")
        await pilot.pause(0.2)
        assert {k: col.states.get(k) for k in BIG_KEYS} == big
        assert "Undid reset of 50 cards" in toasts(app)


async def test_a_reset_of_many_is_undone_after_a_restart(
    big: dict[str, CardState], open_app: OpenApp
) -> None:
    app = open_app()
    async with app.run_test(size=SIZE) as pilot:
        await _reset_all_big(pilot, app)
    app.collection.close()
    app = open_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_browser(pilot, "deck:big")
        await pilot.press("ctrl+z")
        await pilot.pause(0.2)
        assert {k: app.collection.states.get(k) for k in BIG_KEYS} == big
        assert "Undid reset of 50 cards" in toasts(app)
