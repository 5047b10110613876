"""Unbury in the TUI (h38, attacker 66): a card buried by mistake came back today only by undoing
every rating made after it. The browser's `b` buries or unburies the marked cards (or the cursor's
card), as its `s` suspends; the deck list's `U` (and the palette's "Unbury selected deck") brings
back every buried card of the selected deck or group; the counts follow at once, and ctrl+z takes
either back in one step."""

from __future__ import annotations

from datetime import UTC, timedelta
from pathlib import Path
from typing import Any

import pytest
from textual.app import App
from textual.pilot import Pilot
from textual.widgets import Input

from retain.core.state import REVIEW, CardState, Event
from retain.store.collection import Collection
from retain.store.home import open_home
from retain.ui.app import RetainApp, binding_sections
from retain.ui.screens.browser import BrowserScreen
from retain.ui.screens.confirm import ConfirmScreen
from retain.ui.screens.home import HomeScreen
from retain.ui.widgets.deck_table import DeckTable
from retain.ui.widgets.key_bar import KeyBar

from .conftest import FIXED_NOW, OpenApp

SIZE = (120, 40)
TOMORROW = "2025-03-11"  # the study day after FIXED_NOW's (12:00 UTC, rollover 4 am)


@pytest.fixture(autouse=True)
def _search_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(BrowserScreen, "SEARCH_DELAY", 0)


def _due() -> CardState:
    at = FIXED_NOW - timedelta(days=3)
    return CardState(
        state=REVIEW,
        stability=3.0,
        difficulty=5.0,
        due=FIXED_NOW - timedelta(hours=1),
        last_review=at,
        reps=2,
    )


@pytest.fixture
def buried_home(retain_home: Path) -> Path:
    """kafka/partitions: a review due now, buried (as `b` in a session buries); kafka/isr: new,
    buried; redis/persistence:c1: new, buried (another deck)."""
    col = Collection.open(open_home(), FIXED_NOW, tz=UTC)
    try:
        col.record(Event(col.new_event_id(FIXED_NOW), "review", "kafka/partitions", FIXED_NOW - timedelta(days=3),
                         _due(), None, 3, 1000))  # fmt: skip
        at = FIXED_NOW - timedelta(hours=1)
        for key in ("kafka/partitions", "kafka/isr", "redis/persistence:c1"):
            after = (col.states.get(key) or CardState()).with_flags(buried_until=TOMORROW)
            col.record(Event(col.new_event_id(at), "bury", key, at, after, col.states.get(key)))
    finally:
        col.close(FIXED_NOW)
    return retain_home


def _messages(app: App[Any]) -> list[str]:
    return [str(n.message) for n in app._notifications]


def _key_bar(app: App[Any]) -> str:
    return str(app.screen.query_one(KeyBar).render())


async def _browse(pilot: Pilot[None], query: str) -> BrowserScreen:
    await pilot.press("b")
    await pilot.pause()
    screen = pilot.app.screen
    assert isinstance(screen, BrowserScreen)
    screen.query_one(Input).value = query
    await pilot.press("enter")  # searches, and the table gets the focus
    await pilot.pause()
    return screen


def _buried(app: RetainApp, key: str) -> bool:
    state = app.collection.states.get(key)
    return state is not None and state.buried_until == TOMORROW


async def test_b_in_the_browser_buries_and_unburies_the_cursors_card(
    retain_home: Path, open_app: OpenApp
) -> None:
    app = open_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await _browse(pilot, "deck:kafka")
        assert screen.matches[0].key == "kafka/partitions"
        assert "b Bury" not in _key_bar(app)  # (help and palette: the footer is full at 100 columns)
        await pilot.press("b")
        assert _buried(app, "kafka/partitions")
        assert _messages(app)[-1] == "Buried kafka/partitions until tomorrow 04:00 (ctrl+z to undo)"
        await pilot.press("b")
        assert not _buried(app, "kafka/partitions")
        assert _messages(app)[-1] == "Unburied kafka/partitions (ctrl+z to undo)"
        await pilot.press("ctrl+z")  # the unbury taken back: buried again
        await pilot.pause()
        assert _buried(app, "kafka/partitions")
        assert _messages(app)[-1] == "Undid unbury of kafka/partitions"
    with Collection.open(open_home(), FIXED_NOW, tz=UTC, read_only=True) as reopened:
        kinds = [e.kind for e in reopened.history(FIXED_NOW) if e.key == "kafka/partitions"]
        assert kinds[-3:] == ["bury", "unbury", "undo"]
        assert reopened.states["kafka/partitions"].buried_until == TOMORROW


async def test_marked_cards_are_unburied_together_and_undone_in_one_step(
    buried_home: Path, open_app: OpenApp
) -> None:
    app = open_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await _browse(pilot, "is:buried")
        assert [u.key for u in screen.matches] == ["kafka/partitions", "kafka/isr", "redis/persistence:c1"]
        await pilot.press("space", "space")  # kafka/partitions and kafka/isr
        await pilot.press("b")
        assert isinstance(app.screen, ConfirmScreen)  # several cards at once: it asks
        await pilot.press("y")
        await pilot.pause()
        assert not _buried(app, "kafka/partitions") and not _buried(app, "kafka/isr")
        assert _buried(app, "redis/persistence:c1")  # not marked: left buried
        assert _messages(app)[-1] == "Unburied 2 cards (ctrl+z to undo)"
        await pilot.press("ctrl+z")
        await pilot.pause()
        assert _buried(app, "kafka/partitions") and _buried(app, "kafka/isr")
        assert _messages(app)[-1] == "Undid unbury of 2 cards"


async def test_the_deck_lists_U_unburies_the_selected_deck_and_the_counts_follow(
    buried_home: Path, open_app: OpenApp
) -> None:
    app = open_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.pause()
        home = app.screen
        assert isinstance(home, HomeScreen)
        table = home.query_one(DeckTable)
        table.cursor_row = next(i for i, r in enumerate(table._rows) if r.deck_ids == ("kafka",))
        before = next(r for r in home.data.rows if r.deck_ids == ("kafka",))
        await pilot.press("U")
        await pilot.pause()
        after = next(r for r in home.data.rows if r.deck_ids == ("kafka",))
        assert (after.new, after.review) == (before.new + 1, before.review + 1)  # isr, partitions
        assert _messages(app)[-1] == "Unburied 2 cards in Apache Kafka: back in today's study (u to undo)"
        assert _buried(app, "redis/persistence:c1")  # another deck's: left buried
        await pilot.press("U")
        assert _messages(app)[-1] == "No buried cards in Apache Kafka"
        await pilot.press("u")
        await pilot.pause()
        again = next(r for r in home.data.rows if r.deck_ids == ("kafka",))
        assert (again.new, again.review) == (before.new, before.review)
        assert _buried(app, "kafka/partitions") and _buried(app, "kafka/isr")


async def test_a_groups_unbury_takes_every_deck_of_it(buried_home: Path, open_app: OpenApp) -> None:
    app = open_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.pause()
        table = app.screen.query_one(DeckTable)
        table.cursor_row = next(i for i, r in enumerate(table._rows) if r.is_group)
        await pilot.press("U")
        await pilot.pause()
        assert not any(_buried(app, k) for k in ("kafka/partitions", "kafka/isr", "redis/persistence:c1"))


async def test_the_palette_offers_unbury_and_bury(buried_home: Path, open_app: OpenApp) -> None:
    app = open_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert "Unbury selected deck" in titles
        await _browse(pilot, "")
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert "Bury or unbury cards" in titles


async def test_the_keys_are_in_the_help_and_the_keymap_moves_them(
    retain_home: Path, open_app: OpenApp
) -> None:
    ids = {getattr(b, "id", None) for _title, bindings in binding_sections() for b in bindings}
    assert {"browser.bury", "home.unbury"} <= ids
    (retain_home / "config.toml").write_text(
        '[study]\nfuzz = false\n\n[keymap]\n"browser.bury" = "B"\n', encoding="utf-8"
    )
    app = open_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await _browse(pilot, "deck:kafka")
        await pilot.press("B")
        assert _buried(app, "kafka/partitions")


async def test_read_only_says_why_it_cannot_unbury(buried_home: Path, open_app: OpenApp) -> None:
    writer = Collection.open(open_home(), FIXED_NOW, tz=UTC)  # another retain holds the lock
    try:
        app = open_app()
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            await pilot.pause()
            assert app.collection.read_only
            await pilot.press("U")
            assert "Read-only" in _messages(app)[-1]
            assert _buried(app, "kafka/isr")
    finally:
        writer.close(FIXED_NOW)
