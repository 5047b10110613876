"""Pilot tests for the card browser: search, sort, pages, preview, actions, leeches, live reload."""

from __future__ import annotations

import os
from datetime import UTC
from pathlib import Path
from typing import Any

import pytest
from authoring_data import FIXED_NOW, KAFKA, SIZE, OpenApp
from textual.app import App
from textual.widgets import Input, OptionList, Static

from retain.core.state import CardState
from retain.store.collection import Collection
from retain.store.home import open_home
from retain.ui.screens.browser import BrowserScreen
from retain.ui.screens.confirm import ConfirmScreen
from retain.ui.screens.deck_picker import DeckPickerScreen
from retain.ui.widgets.browse_table import PAGE_SIZE, BrowseTable
from retain.ui.widgets.key_bar import KeyBar


def screen_text(app: App[Any]) -> str:
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


def key_bar(app: App[Any]) -> str:
    return str(app.screen.query_one(KeyBar).render())


def keys(app: App[Any]) -> list[str]:
    screen = app.screen
    assert isinstance(screen, BrowserScreen)
    return [u.key for u in screen.matches]


async def search(pilot, text: str) -> None:  # type: ignore[no-untyped-def]
    await pilot.press("slash")
    field = pilot.app.screen.query_one(Input)
    field.value = text
    await pilot.press("enter")
    await pilot.pause()


async def open_browser(pilot) -> None:  # type: ignore[no-untyped-def]
    await pilot.press("b")
    await pilot.pause()
    assert isinstance(pilot.app.screen, BrowserScreen)
    await search(pilot, "")


ALL = [
    "kafka/partitions",
    "kafka/isr",
    "kafka/acks",
    "redis/persistence:c1",
    "redis/persistence:c2",
    "spanish/hello",
    "spanish/hello:reverse",
]


async def test_browser_lists_every_card_and_searches(open_app: OpenApp) -> None:
    app = open_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_browser(pilot)
        assert keys(app) == ALL
        assert "7 of 7 cards" in screen_text(app)
        await search(pilot, "deck:redis")
        assert keys(app) == ["redis/persistence:c1", "redis/persistence:c2"]
        await search(pilot, "is:leech")
        assert keys(app) == ["kafka/isr"]
        assert "⚠ leech" in screen_text(app)  # in the table and the preview
        await search(pilot, '"in-sync replica" OR kind:reversed')
        assert keys(app) == ["kafka/isr", "kafka/acks", "spanish/hello", "spanish/hello:reverse"]
        await search(pilot, "-is:new tag:producer")
        assert keys(app) == []
        assert "No card matches." in screen_text(app)
        await search(pilot, "is:bogus")
        assert "is:bogus is unknown" in screen_text(app)
        assert keys(app) == []  # the last good result stays


async def test_home_b_opens_the_browser_on_the_selected_deck(open_app: OpenApp) -> None:
    app = open_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("down", "down", "b")  # Redis
        await pilot.pause()
        assert app.screen.query_one(Input).value == "deck:redis"
        assert keys(app) == ["redis/persistence:c1", "redis/persistence:c2"]
        await pilot.press("escape")
        assert not isinstance(app.screen, BrowserScreen)


async def test_sorting_by_key_and_by_header_click(open_app: OpenApp) -> None:
    app = open_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_browser(pilot)
        screen = app.screen
        assert isinstance(screen, BrowserScreen)
        for _ in range(5):  # deck, front, kind, state, due
            await pilot.press("o")
        assert screen.sort == ("due", False)
        assert keys(app)[:3] == ["kafka/isr", "redis/persistence:c2", "kafka/partitions"]
        await pilot.press("i")
        assert screen.sort == ("due", True) and keys(app)[0] == "kafka/partitions"
        assert "Due ▼" in screen_text(app)
        table = screen.query_one(BrowseTable)
        x = sum(c.get_render_width(table) for c in table.ordered_columns[:-1]) + 2
        await pilot.click(BrowseTable, offset=(x, 0))  # the Lapses header
        await pilot.pause()
        assert screen.sort == ("lapses", False) and keys(app)[-1] == "kafka/isr"


async def test_pages_keep_the_table_small(retain_home: Path, open_app: OpenApp) -> None:
    cards = "\n".join(f'[[cards]]\nid = "c{i:03d}"\nfront = "Question {i}"\nback = "A"\n' for i in range(450))
    (retain_home / "decks" / "big.toml").write_text(
        f'format = 1\n[deck]\nid = "big"\nname = "Big"\n\n{cards}', "utf-8"
    )
    app = open_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_browser(pilot)
        table = app.screen.query_one(BrowseTable)
        assert table.row_count == PAGE_SIZE
        assert f"457 of 457 cards · rows 1–{PAGE_SIZE}" in screen_text(app)
        last = (457 - 1) // PAGE_SIZE
        await pilot.press(*["right_square_bracket"] * last)
        assert table.row_count == 457 - last * PAGE_SIZE
        assert f"rows {last * PAGE_SIZE + 1}–457" in screen_text(app)
        await pilot.press("right_square_bracket")  # no page after the last
        assert table.row_count == 457 - last * PAGE_SIZE
        await pilot.press("left_square_bracket")
        assert table.row_count == PAGE_SIZE


async def test_first_and_last_page_keys(retain_home: Path, open_app: OpenApp) -> None:
    """`}` and `{` go to the last and first page (it took a `]` per page: ~500 at 50k cards); the
    status line says so, the help lists them, and in the search box they are typed."""
    from retain.ui.app import binding_sections
    from retain.ui.screens.help import help_content

    cards = "\n".join(f'[[cards]]\nid = "c{i:03d}"\nfront = "Question {i}"\nback = "A"\n' for i in range(450))
    (retain_home / "decks" / "big.toml").write_text(
        f'format = 1\n[deck]\nid = "big"\nname = "Big"\n\n{cards}', "utf-8"
    )
    app = open_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_browser(pilot)
        table = app.screen.query_one(BrowseTable)
        assert "( [ ] pages, { } first/last )" in screen_text(app)
        last = (457 - 1) // PAGE_SIZE
        await pilot.press("right_curly_bracket")
        assert table.row_count == 457 - last * PAGE_SIZE
        assert f"rows {last * PAGE_SIZE + 1}–457" in screen_text(app)
        await pilot.press("left_curly_bracket")
        assert table.row_count == PAGE_SIZE and f"rows 1–{PAGE_SIZE}" in screen_text(app)
        await pilot.press("slash", "right_curly_bracket")
        assert app.screen.query_one(Input).value == "}"
    listed = help_content(binding_sections(), {}).plain.splitlines()
    assert any(r.split() == ["{", "First", "page", "browser.first_page"] for r in listed), listed
    assert any(r.split() == ["}", "Last", "page", "browser.last_page"] for r in listed), listed


async def test_slash_is_typed_in_the_search_box_and_the_key_bar_says_so(open_app: OpenApp) -> None:
    """The key bar offered "/ Search" while the box had focus, where `/` is typed (a card's key,
    kafka/isr, holds one): it is left out there, and `/` still moves to the box from the table."""
    app = open_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_browser(pilot)  # (Enter: the table has focus)
        assert "/ Search" in key_bar(app)
        await pilot.press("slash")
        field = app.screen.query_one(Input)
        assert field.has_focus and field.value == ""  # moved, not typed
        assert "/ Search" not in key_bar(app)
        await pilot.press(*"kafka/isr")
        assert field.value == "kafka/isr"
        assert keys(app) == ["kafka/isr"]


async def test_the_whole_query_language_shows_under_the_search_box(open_app: OpenApp) -> None:
    """The placeholder listed is:due|new|learning|suspended|leech, and was cut at 80 columns:
    is:review, is:buried and prop:r<0.9 were nowhere. While the box has focus the line under it
    has them all; in the table it is gone."""
    app = open_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("b")
        await pilot.pause()

        def hint_shown() -> bool:
            return app.screen.query_one("#browser-hint", Static).display

        assert hint_shown()
        text = " ".join(screen_text(app).split())
        for term in ("is:due|new|learning|review|suspended|buried|leech", "prop:r<0.9", "kind:", "OR"):
            assert term in text, text
        await pilot.press("enter")
        assert not hint_shown()
        await pilot.press("slash")
        assert hint_shown()
        await pilot.press(*"is:bogus")
        assert not hint_shown() and "is:bogus is unknown" in screen_text(app)  # the error, in its place


async def test_preview_shows_the_card_as_in_review(open_app: OpenApp) -> None:
    app = open_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_browser(pilot)
        await pilot.press("down", "down", "down")  # redis c1
        text = screen_text(app)
        assert "Redis keeps data [where?] and persists it with RDB snapshots" in text  # the front
        assert "Redis keeps data in memory and persists" in text  # the back
        assert "AOF = append-only file." in text
        assert "redis/persistence:c1 · new" in text


async def test_card_detail_shows_the_cards_review_history(open_app: OpenApp) -> None:
    from datetime import timedelta

    from retain.core.state import Event

    app = open_app()
    col = app.collection
    good = CardState(2, None, 4.0, 5.0, FIXED_NOW, FIXED_NOW - timedelta(days=2), 1)
    for n, (days, rating) in enumerate([(3, 3), (1, 1)], 1):
        at = FIXED_NOW - timedelta(days=days)
        col.record(Event(f"t-{n}", "review", "kafka/isr", at, good, None, rating, 7000))
    async with app.run_test(size=SIZE) as pilot:
        await open_browser(pilot)

        def preview_text() -> str:
            from rich.console import Console
            from textual.widgets import Static

            body = app.screen.query_one("#preview-body", Static)
            console = Console(width=100, record=True, color_system=None)
            console.print(body.content)
            return console.export_text()

        assert "History: 1 review\n" in preview_text()  # kafka/partitions: the fixture reviewed it once
        await pilot.press("down")  # kafka/isr
        await pilot.pause()
        text = preview_text()
        assert "History: 3 reviews" in text  # one from the fixture, two recorded here
        newest = next(ln for ln in text.splitlines() if ln.startswith("2025-03-09 12:00"))
        assert newest.split() == ["2025-03-09", "12:00", "New", "Again", "S", "4.0", "d", "7", "s"]
        assert text.index("2025-03-09 12:00") < text.index("2025-03-07 12:00")


async def test_suspend_reset_and_their_journal_events(retain_home: Path, open_app: OpenApp) -> None:
    app = open_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_browser(pilot)
        col = app.collection
        await pilot.press("s")  # kafka/partitions
        assert col.states["kafka/partitions"].suspended
        assert "suspended" in screen_text(app)
        await pilot.press("s")
        assert not col.states.get("kafka/partitions", CardState()).suspended
        await pilot.press("r")
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")
        assert "kafka/partitions" in col.states
        await pilot.press("r", "y")
        assert "kafka/partitions" not in col.states
    with Collection.open(open_home(), FIXED_NOW, tz=UTC, read_only=True) as reopened:
        kinds = [e.kind for e in reopened.history(FIXED_NOW) if e.key == "kafka/partitions"]
        assert kinds == ["review", "suspend", "unsuspend", "reset"]
        assert "kafka/partitions" not in reopened.states


async def test_delete_asks_then_removes_only_that_card(retain_home: Path, open_app: OpenApp) -> None:
    path = retain_home / "decks" / "kafka.toml"
    app = open_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_browser(pilot)
        await pilot.press("down", "d")  # kafka/isr
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("escape")
        assert path.read_text("utf-8") == KAFKA
        await pilot.press("d", "y")
        await pilot.pause()
        assert "kafka/isr" not in keys(app)
        assert 'id = "isr"' not in path.read_text("utf-8")
        assert path.read_text("utf-8").startswith(KAFKA.split('[[cards]]\nid = "isr"')[0])
        history = [e.key for e in app.collection.history(FIXED_NOW)]
        assert "kafka/isr" in history  # the review history stays in the journal


async def test_move_to_another_deck_keeps_progress(retain_home: Path, open_app: OpenApp) -> None:
    app = open_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_browser(pilot)
        before = app.collection.states["kafka/partitions"]
        await pilot.press("m")
        assert isinstance(app.screen, DeckPickerScreen)
        await pilot.press("down", "enter")  # Redis, Spanish words (kafka itself is not offered)
        await pilot.pause()
        assert app.collection.states["redis/partitions"] == before
        assert "kafka/partitions" not in app.collection.states
        assert app.screen.query_one(BrowseTable).selected_key() == "redis/partitions"
    assert 'id = "partitions"' in (retain_home / "decks" / "redis.toml").read_text("utf-8")
    assert 'id = "partitions"' not in (retain_home / "decks" / "kafka.toml").read_text("utf-8")


async def test_live_reload_of_a_deck_edited_on_disk(retain_home: Path, open_app: OpenApp) -> None:
    app = open_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await open_browser(pilot)
        path = retain_home / "decks" / "kafka.toml"
        path.write_text(KAFKA.replace("What is an in-sync replica (ISR)?", "Define ISR."), "utf-8")
        assert app.live_reload is not None
        assert app.live_reload.check() == []  # not settled yet
        assert app.live_reload.check() == [path.resolve()]
        await pilot.pause()
        assert "Define ISR." in screen_text(app)
        assert any("kafka.toml changed on disk" in str(n.message) for n in app._notifications)
        assert app.collection.states["kafka/isr"].lapses == 8  # progress kept: same id
        assert app.live_reload.check() == []


async def test_read_only_browses_but_does_not_edit(retain_home: Path, open_app: OpenApp) -> None:
    writer = Collection.open(open_home(), FIXED_NOW, tz=UTC)  # another retain holds the lock
    try:
        app = open_app()
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            assert app.collection.read_only
            await pilot.press("c")  # add a card: refused with a message
            assert any("Read-only" in str(n.message) for n in app._notifications)
            await open_browser(pilot)
            assert keys(app) == ALL
            app._notifications.clear()
            # each says why, as the deck list does (they did nothing, unsaid)
            await pilot.press("s", "d", "e", "m")
            assert isinstance(app.screen, BrowserScreen)
            assert [str(n.message) for n in app._notifications] == [
                "Read-only: another retain is running. Close it to edit here."
            ] * 4
            assert not app.collection.states["kafka/partitions"].suspended
    finally:
        writer.close(FIXED_NOW)
    assert (retain_home / "decks" / "kafka.toml").read_text("utf-8") == KAFKA


async def test_marked_rows_suspend_together_and_star_marks_all(retain_home: Path, open_app: OpenApp) -> None:
    app = open_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_browser(pilot)
        screen = app.screen
        assert isinstance(screen, BrowserScreen)
        await pilot.press("space", "down", "space")  # kafka/partitions and kafka/acks
        assert list(screen.marked) == ["kafka/partitions", "kafka/acks"]
        assert "2 marked" in screen_text(app) and "● " in screen_text(app)
        await pilot.press("s")
        assert isinstance(app.screen, ConfirmScreen)  # several cards at once: it asks
        assert "Suspend the 2 marked cards?" in screen_text(app)
        await pilot.press("y")
        col = app.collection
        assert col.states["kafka/partitions"].suspended and col.states["kafka/acks"].suspended
        assert col.states.get("spanish/hello") is None  # not marked, untouched
        await pilot.press("s", "y")  # all marked are suspended: unsuspend them
        assert not col.states.get("kafka/partitions", CardState()).suspended
        await pilot.press("asterisk")
        assert sorted(screen.marked) == sorted(ALL)
        await pilot.press("asterisk")
        assert not screen.marked and "marked" not in screen_text(app)


async def test_marked_cards_are_deleted_and_moved_together(retain_home: Path, open_app: OpenApp) -> None:
    kafka, spanish = retain_home / "decks" / "kafka.toml", retain_home / "decks" / "spanish.toml"
    app = open_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_browser(pilot)
        screen = app.screen
        assert isinstance(screen, BrowserScreen)
        await pilot.press("down", "space", "space")  # kafka/isr and kafka/acks
        await pilot.press("d")
        assert isinstance(app.screen, ConfirmScreen)
        assert "2 cards" in screen_text(app)
        await pilot.press("y")
        await pilot.pause()
        assert "kafka/isr" not in keys(app) and "kafka/acks" not in keys(app)
        text = kafka.read_text("utf-8")
        assert 'id = "isr"' not in text and 'id = "acks"' not in text and 'id = "partitions"' in text
        assert not screen.marked
        before = app.collection.states["kafka/partitions"]
        await search(pilot, "")
        await pilot.press("space")  # kafka/partitions; the cursor goes on to redis/persistence:c1
        await pilot.press("down", "space")  # redis/persistence:c2: the whole cloze card moves
        await pilot.press("m")
        picker = app.screen
        assert isinstance(picker, DeckPickerScreen)
        assert "Move 2 cards to" in screen_text(app)
        options = picker.query_one(OptionList)
        options.highlighted = next(
            i for i in range(options.option_count) if options.get_option_at_index(i).id == "spanish"
        )
        await pilot.press("enter")
        await pilot.pause()
        assert app.collection.states["spanish/partitions"] == before
        assert {"spanish/persistence:c1", "spanish/persistence:c2"} <= set(keys(app))
    moved = spanish.read_text("utf-8")
    assert 'id = "partitions"' in moved and 'id = "persistence"' in moved
    assert 'id = "persistence"' not in (retain_home / "decks" / "redis.toml").read_text("utf-8")


async def test_typing_after_opening_searches_and_runs_no_command(open_app: OpenApp) -> None:
    app = open_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("b")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, BrowserScreen)
        assert screen.query_one(Input).has_focus
        events = len(app.collection.history())
        await pilot.press(*"is:due", "enter")
        assert isinstance(app.screen, BrowserScreen)  # no delete question
        assert screen.query_one(Input).value == "is:due"
        assert screen.sort is None  # `i` did not invert the sort
        assert len(app.collection.history()) == events  # `s` suspended nothing
        await pilot.press("escape")
        assert not isinstance(app.screen, BrowserScreen)


async def test_one_card_suspends_at_once_and_ctrl_z_undoes_it(open_app: OpenApp) -> None:
    app = open_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_browser(pilot)
        await pilot.press("s")
        assert app.collection.states["kafka/partitions"].suspended
        await pilot.press("ctrl+z")
        await pilot.pause()
        state = app.collection.states.get("kafka/partitions")
        assert state is None or not state.suspended
        assert any("Undid suspend of kafka/partitions" in str(n.message) for n in app._notifications)


async def test_delete_names_the_unmarked_siblings_that_go_too(open_app: OpenApp) -> None:
    app = open_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_browser(pilot)
        await pilot.press("down", "space", "down", "space")  # kafka/isr and redis/persistence:c1
        screen = app.screen
        assert isinstance(screen, BrowserScreen)
        assert list(screen.marked) == ["kafka/isr", "redis/persistence:c1"]
        await pilot.press("d")
        assert isinstance(app.screen, ConfirmScreen)
        text = screen_text(app)
        assert "3 cards incl. reverses and clozes" in text
        assert "redis/persistence:c2 is not marked but goes too" in text
        assert "review unit" not in text


async def test_reset_of_several_cards_speaks_of_cards(open_app: OpenApp) -> None:
    app = open_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_browser(pilot)
        await pilot.press("space", "space", "r")
        text = screen_text(app)
        assert "Forget the progress of 2 cards? They become new cards." in text
        assert "Their review history stays" in text and "review unit" not in text


async def test_a_big_library_shows_a_loading_indicator_before_the_first_page(
    open_app: OpenApp, monkeypatch: Any
) -> None:
    """Laying out the first page takes seconds at 20k cards: the table says it is loading first."""
    from textual.widgets import LoadingIndicator

    monkeypatch.setattr(BrowserScreen, "LOADING_FROM_CARDS", 0)  # this library counts as big
    monkeypatch.setattr(BrowserScreen, "FIRST_PAGE_DELAY", 0.01)  # (a Textual timer cannot take 0)
    seen: list[tuple[bool, int]] = []  # (indicator on screen, rows) when the first page is filled
    first_page = BrowserScreen._first_page

    def spy(screen: BrowserScreen) -> None:
        table = screen.query_one(BrowseTable)
        cover = table._cover_widget  # what Textual paints over a widget whose `loading` is set
        seen.append((isinstance(cover, LoadingIndicator) and cover.is_attached, table.row_count))
        first_page(screen)

    monkeypatch.setattr(BrowserScreen, "_first_page", spy)
    app = open_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("b")
        for _ in range(100):
            await pilot.pause(0.01)
            if seen:
                break
        await pilot.pause()
        assert seen == [(True, 0)]  # painted with the indicator and no rows, then filled
        screen = app.screen
        assert isinstance(screen, BrowserScreen)
        assert not screen.query_one(BrowseTable).loading and keys(app) == ALL
        assert isinstance(screen.focused, Input)


async def test_recall_column_sorts_with_each_decks_preset_weights(
    retain_home: Path, open_app: OpenApp
) -> None:
    # redis uses a preset whose forgetting curve decays at 0.5 (FSRS's default: 0.1542): its learning
    # card, as old and as stable as kafka's review cards (4 days, reviewed 2 days ago), is at 95%, not 94%
    weights = ", ".join(["0.4", "1.2", "3.2", "15.7", "7.1", "0.6", "1.8", "0.01", "1.5", "0.1", "1.0"])
    weights += ", 1.9, 0.1, 0.3, 2.3, 0.2, 2.9, 0.5, 0.7, 0.1, 0.5"
    config = retain_home / "config.toml"
    config.write_text(
        config.read_text()
        + f'\n[presets.forgetful]\nparameters = [{weights}]\n[decks.redis]\npreset = "forgetful"\n'
    )
    app = open_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_browser(pilot)
        screen = app.screen
        assert isinstance(screen, BrowserScreen)
        for _ in range(7):  # deck, front, kind, state, due, interval, recall
            await pilot.press("o")
        assert screen.sort == ("recall", False)
        assert "Recall ▲" in screen_text(app)
        assert keys(app)[:3] == ["kafka/partitions", "kafka/isr", "redis/persistence:c2"]
        await pilot.press("i")
        assert keys(app)[:3] == ["redis/persistence:c2", "kafka/partitions", "kafka/isr"]
        assert keys(app)[3:] == [k for k in ALL if k not in keys(app)[:3]]  # never reviewed: last
        rows = {line.split()[0]: line for line in screen_text(app).splitlines() if "%" in line}
        assert "95%" in rows["redis"] and "94%" in rows["kafka"]
        await search(pilot, "prop:r<0.945")
        assert keys(app) == ["kafka/partitions", "kafka/isr"]


async def test_many_marked_cards_suspend_in_one_batch_and_ctrl_z_takes_it_all_back(
    open_app: OpenApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Suspending 50k marked cards froze the screen for 55 s (one fsync per card, no indicator),
    and ctrl+z then unsuspended one card of them. The question and the toast count the card that
    was suspended already (it said "Suspended 7 cards" for 6)."""
    monkeypatch.setattr(BrowserScreen, "BUSY_FROM_CARDS", 0)  # behind the loading indicator
    app = open_app()
    syncs: list[int] = []
    real = os.fsync

    def counting(fd: int) -> None:
        syncs.append(fd)
        real(fd)

    async with app.run_test(size=SIZE) as pilot:
        await open_browser(pilot)
        col = app.collection
        assert [k for k in ALL if col.states.get(k, CardState()).suspended] == ["kafka/isr"]  # a leech
        await pilot.press("asterisk", "s")
        assert "Suspend the 7 marked cards? (1 is suspended already)" in screen_text(app)
        monkeypatch.setattr(os, "fsync", counting)
        await pilot.press("y")
        await pilot.pause(0.2)
        assert all(col.states[k].suspended for k in ALL)
        assert len(syncs) <= 3  # one batch, not one fsync per card
        said = [str(n.message) for n in app._notifications]
        assert "Suspended 6 cards; 1 was already suspended (ctrl+z to undo)" in said, said
        await pilot.press("ctrl+z")
        await pilot.pause(0.2)
        assert [k for k in ALL if col.states.get(k, CardState()).suspended] == ["kafka/isr"]  # as before
        assert "Undid suspend of 6 cards" in [str(n.message) for n in app._notifications]
        assert not app.screen.query_one(BrowseTable).loading
        await pilot.press("asterisk", "asterisk", "r", "y")  # reset all: one batch too
        await pilot.pause(0.2)
        assert not col.states


async def test_a_suspend_of_many_cards_is_undone_in_one_step_after_a_restart(open_app: OpenApp) -> None:
    """After a restart ctrl+z took the bulk suspend back one card at a time ("Undid suspend of
    kafka/acks", hundreds of presses): the journal did not say its events were one action."""
    app = open_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_browser(pilot)
        await pilot.press("asterisk", "s", "y")
        await pilot.pause(0.2)
        assert all(app.collection.states[k].suspended for k in ALL)
    app.collection.close()
    app = open_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_browser(pilot)
        await pilot.press("ctrl+z")
        await pilot.pause(0.2)
        col = app.collection
        assert [k for k in ALL if col.states.get(k, CardState()).suspended] == ["kafka/isr"]  # as before
        assert "Undid suspend of 6 cards" in [str(n.message) for n in app._notifications]
        await pilot.press("ctrl+z")  # then what came before it: nothing of this device
        await pilot.pause()
        assert [k for k in ALL if col.states.get(k, CardState()).suspended] == ["kafka/isr"]
