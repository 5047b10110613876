"""Hunt 11: the card browser at scale and its bulk actions (search cost, moves, undo, narrow terminals)."""

from __future__ import annotations

import errno
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from authoring_data import SIZE, OpenApp
from hypothesis import given, settings
from hypothesis import strategies as st
from textual.app import App
from textual.widgets import Input, OptionList, TextArea

from retain.core.search import MAX_TERMS, QueryError, compile_query
from retain.core.state import CardState, Event
from retain.store.state.journal_writer import JournalWriter
from retain.ui.screens.browser import BrowserScreen
from retain.ui.screens.confirm import ConfirmScreen
from retain.ui.screens.editor import EditorScreen
from retain.ui.widgets.browse_table import BrowseTable


def screen_text(app: App[Any]) -> str:
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


def top(app: App[Any]) -> object:
    """The screen on top, read afresh (not narrowed by an earlier isinstance assert)."""
    return app.screen


def big_deck(home: Path, cards: int = 450) -> None:
    body = "\n".join(
        f'[[cards]]\nid = "c{i:03d}"\nfront = "Question {i}"\nback = "A"\n' for i in range(cards)
    )
    (home / "decks" / "big.toml").write_text(
        f'format = 1\n[deck]\nid = "big"\nname = "Big"\n\n{body}', "utf-8"
    )


async def search(pilot, text: str) -> None:  # type: ignore[no-untyped-def]
    await pilot.press("slash")
    pilot.app.screen.query_one(Input).value = text
    await pilot.press("enter")
    await pilot.pause()


async def test_a_card_edited_out_of_the_search_leaves_the_cursor_where_it_was(
    retain_home: Path, open_app: OpenApp
) -> None:
    big_deck(retain_home)
    app = open_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("b")
        await pilot.pause()
        await search(pilot, "question")
        screen = app.screen
        assert isinstance(screen, BrowserScreen)
        await pilot.press("right_square_bracket", "right_square_bracket", *["down"] * 5)
        table = screen.query_one(BrowseTable)
        assert table.selected_key() == "big/c205"
        await pilot.press("e")
        await pilot.pause()
        editor = app.screen
        assert isinstance(editor, EditorScreen)
        front = editor.query_one("#form-front", TextArea)
        front.focus()
        front.select_all()
        front.replace("Renamed", *front.selection)
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert top(app) is screen
        assert "big/c205" not in [u.key for u in screen.matches]
        assert screen.page == 2, screen.page
        assert table.selected_key() == "big/c206"
        await pilot.press("d", "y")  # deleted: the next card takes its place, on the same page
        await pilot.pause()
        assert screen.page == 2 and table.selected_key() == "big/c207"
        await pilot.press("right_curly_bracket")  # the last page, its last row
        table.move_cursor(row=table.row_count - 1)
        await pilot.pause()
        assert table.selected_key() == "big/c449"
        await pilot.press("d", "y")  # the very last card: the one before it takes its place
        await pilot.pause()
        assert table.selected_key() == "big/c448" and screen.page == 4


def full_disk(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every journal write fails as on a full disk."""

    def failing(self: JournalWriter, events: object) -> object:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(JournalWriter, "_write", failing)


async def test_a_full_disk_when_suspending_or_moving_one_card_is_one_line(
    retain_home: Path, open_app: OpenApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`s` on one card with a full disk raised CollectionError out of the app (a traceback); so
    did `m` when the move's progress could not be recorded."""
    app = open_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.press("b")
        await pilot.pause()
        await search(pilot, "")
        before = dict(app.collection.states)
        full_disk(monkeypatch)
        await pilot.press("s")
        await pilot.pause()
        assert isinstance(app.screen, BrowserScreen)
        said = [str(n.message) for n in app._notifications]
        assert any("no space left on device" in s.lower() for s in said), said
        assert app.collection.states == before
        await pilot.press("m", "enter")  # kafka/partitions to the first deck offered
        await pilot.pause()
        assert isinstance(app.screen, BrowserScreen)
        said = [str(n.message) for n in app._notifications]
        assert sum("no space left on device" in s.lower() for s in said) == 2, said


_WORDS = st.sampled_from(["a", "-b", '"c d"', "deck:x", "(e OR f)", "OR", '"OR"', "-OR"])


@settings(max_examples=60, deadline=None)
@given(words=st.integers(20, 60).flatmap(lambda n: st.lists(_WORDS, min_size=n, max_size=n)))
def test_a_search_of_too_many_terms_is_refused_in_one_line(words: list[str]) -> None:
    """A pasted 10,000-character query ("a a a …", 5,000 terms) froze the browser for 52 s at 50k
    cards: every term is a pass over every card. More than MAX_TERMS terms (an `OR` between
    alternatives is no term; a quoted "OR" or `-OR` is one) is an error that says so."""
    text = " ".join(words)
    terms = sum(2 if w == "(e OR f)" else 0 if w == "OR" else 1 for w in words)
    try:
        compile_query(text)
    except QueryError as exc:
        if terms > MAX_TERMS:
            assert str(exc) == f"a search holds at most {MAX_TERMS} terms; this one has {terms:,}"
        else:
            assert "OR needs a term on each side" in str(exc)  # (the only other error here)
    else:
        assert terms <= MAX_TERMS


def test_a_ten_thousand_character_query_is_refused_at_once() -> None:
    with pytest.raises(QueryError, match="at most 32 terms; this one has 5,000"):
        compile_query("a " * 5000)
    assert compile_query("x" * 10_000).groups  # one long word is one term


def count_deck_writes(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The deck files written (atomically), by name, in order."""
    from retain.store.decks import deckedit

    names: list[str] = []
    real = deckedit._write

    def counting(path: Path, data: bytes) -> None:
        names.append(path.name)
        real(path, data)

    monkeypatch.setattr(deckedit, "_write", counting)
    return names


async def test_many_marked_cards_move_and_delete_with_each_file_written_once(
    retain_home: Path, open_app: OpenApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Moving 1,000 marked cards took 219 s with the screen frozen (each card rewrote both deck
    files and reloaded the library); deleting them was as slow. Now each file is written once,
    behind the loading indicator, and every card keeps its progress."""
    monkeypatch.setattr(BrowserScreen, "BUSY_FROM_CARDS", 0)  # behind the loading indicator
    big_deck(retain_home, 120)
    app = open_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.press("b")
        await pilot.pause()
        await search(pilot, "deck:big")
        screen = app.screen
        assert isinstance(screen, BrowserScreen)
        col = app.collection
        now = datetime(2025, 3, 1, tzinfo=UTC)
        col.record_many(
            [
                Event(col.new_event_id(now), "suspend", f"big/c{i:03d}", now, CardState(suspended=True), None)
                for i in range(0, 120, 3)
            ]
        )
        before = {k: v for k, v in col.states.items() if k.startswith("big/")}
        writes = count_deck_writes(monkeypatch)
        await pilot.press("asterisk", "m")
        assert "Move 120 cards to" in screen_text(app)
        picker = app.screen.query_one(OptionList)
        picker.highlighted = next(
            i for i in range(picker.option_count) if picker.get_option_at_index(i).id == "spanish"
        )
        await pilot.press("enter")
        await pilot.pause(0.3)
        assert not screen.query_one(BrowseTable).loading
        assert sorted(writes) == ["big.toml", "spanish.toml"]
        assert {k.replace("big/", "spanish/"): v for k, v in before.items()} == {
            k: v for k, v in col.states.items() if k.startswith("spanish/c")
        }
        assert not [k for k in col.states if k.startswith("big/")]
        said = [str(n.message) for n in app._notifications]
        assert "Moved 120 cards to spanish" in said, said
        writes.clear()
        await search(pilot, "deck:spanish question")
        await pilot.press("asterisk", "d")
        assert "Delete 120 cards from their deck files?" in screen_text(app)
        await pilot.press("y")
        await pilot.pause(0.3)
        assert writes == ["spanish.toml"]
        assert screen.matches == [] and not screen.marked
        assert "Question" not in (retain_home / "decks" / "spanish.toml").read_text("utf-8")


async def test_the_reset_question_says_ctrl_z_takes_it_back(open_app: OpenApp) -> None:
    """After a reset of 1,000 marked cards ctrl+z said "Nothing to undo" (a reset was not undoable):
    the question did not say so. A reset is undoable now (h4), and the question says that."""
    app = open_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("b")
        await pilot.pause()
        await search(pilot, "")
        await pilot.press("r")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        text = screen_text(app)
        assert "Its review history stays in the journal, and ctrl+z" in text
        assert "undoes the reset." in text


async def test_a_narrow_status_line_still_counts_the_marked_cards(
    retain_home: Path, open_app: OpenApp
) -> None:
    """At 60 columns the status line was cut after the page keys' hint: the count of marked cards
    (what a bulk action is about to change) and the sort were never seen. Narrow, the hints go."""
    big_deck(retain_home)
    app = open_app()
    async with app.run_test(size=(60, 15)) as pilot:
        await pilot.press("b")
        await pilot.pause()
        await search(pilot, "")
        await pilot.press("asterisk", "o")
        status = screen_text(app).splitlines()[0]
        assert status.strip() == "Browse  457 of 457 cards · by deck ▲ · 457 marked", status
        await pilot.resize_terminal(120, 30)
        await pilot.pause()
        status = screen_text(app).splitlines()[0]
        assert (
            "rows 1–100 ( [ ] pages, { } first/last ) · by deck ▲ · 457 marked (Space, * for all)" in status
        )
