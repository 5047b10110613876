"""Pilot tests for the card editor, new decks, `e` while studying, and edits that meet outside edits."""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Any

from authoring_data import HOSTILE, KAFKA, SIZE, OpenApp
from textual.app import App
from textual.widgets import Input, Select, TextArea

from retain.core.deckfile import parse_deck
from retain.ui.screens.browser import BrowserScreen
from retain.ui.screens.confirm import ChoiceScreen, ConfirmScreen
from retain.ui.screens.editor import EditorScreen
from retain.ui.screens.home import HomeScreen
from retain.ui.screens.new_deck import NewDeckScreen
from retain.ui.screens.study import StudyScreen


def screen_text(app: App[Any]) -> str:
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


def changed_lines(before: str, after: str) -> list[str]:
    diff = difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0)
    return [line for line in diff if line[:1] in "+-" and not line.startswith(("+++", "---"))]


def top(app: App[Any]) -> object:
    """The screen on top, read afresh (not narrowed by an earlier isinstance assert)."""
    return app.screen


def area(app: App[Any], name: str) -> TextArea:
    return app.screen.query_one(f"#form-{name}", TextArea)


async def edit_card(pilot, row: int) -> EditorScreen:  # type: ignore[no-untyped-def]
    """Open the browser from home and the editor on the table's `row`."""
    await pilot.press("b")
    await pilot.pause()
    pilot.app.screen.query_one(Input).value = ""
    await pilot.press("enter")  # the search box has the focus
    await pilot.press(*(["down"] * row), "e")
    await pilot.pause()
    assert isinstance(pilot.app.screen, EditorScreen)
    return pilot.app.screen


async def test_edit_in_the_app_changes_only_that_card(retain_home: Path, open_app: OpenApp) -> None:
    path = retain_home / "decks" / "kafka.toml"
    app = open_app()
    async with app.run_test(size=SIZE) as pilot:
        await edit_card(pilot, 1)  # kafka/isr
        back = area(app, "back")
        back.focus()
        back.select_all()
        back.replace("A replica that keeps up.", *back.selection)
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, BrowserScreen)
        assert "A replica that keeps up." in screen_text(app)  # the preview of the edited card
        assert app.collection.states["kafka/isr"].lapses == 8  # progress kept
    assert changed_lines(KAFKA, path.read_text("utf-8")) == [
        '-back = "A follower that has caught up with the leader."',
        '+back = "A replica that keeps up."',
    ]


async def test_new_cloze_card_previews_each_deletion_and_saves(retain_home: Path, open_app: OpenApp) -> None:
    app = open_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("down", "down", "c")  # Redis selected: a new card for Redis
        await pilot.pause()
        editor = app.screen
        assert isinstance(editor, EditorScreen) and editor.is_new
        editor.query_one("#form-kind", Select).value = "cloze"
        await pilot.pause()
        area(app, "text").focus()
        area(app, "text").insert("Redis is {{c1::single-threaded}} and speaks {{c2::RESP::protocol}}")
        await pilot.pause()
        text = screen_text(app)
        assert "cloze c1" in text and "cloze c2" in text
        assert "Redis is [...] and speaks RESP" in text
        assert "Redis is single-threaded and speaks [protocol]" in text
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
    deck = parse_deck((retain_home / "decks" / "redis.toml").read_text("utf-8")).deck
    assert deck is not None and deck.cards[-1].kind == "cloze"
    assert deck.cards[-1].id.startswith("redis-single-threaded-speaks-resp-")


async def test_errors_show_inline_and_block_the_save(retain_home: Path, open_app: OpenApp) -> None:
    app = open_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("c")
        await pilot.pause()
        await pilot.press(*"Only")
        area(app, "front").insert(" a front")
        await pilot.pause()
        assert "has an empty back" in screen_text(app)  # a warning: may be saved
        area(app, "front").clear()
        await pilot.pause()
        assert "✗ the card needs a non-empty front" in screen_text(app)
        assert "Fix the errors to see the preview." in screen_text(app)
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, EditorScreen)
        area(app, "front").insert("What is Kafka?")
        await pilot.pause()
        area(app, "back").focus()
        area(app, "back").insert("What is Kafka? A log")
        await pilot.pause()
        assert "the answer appears in the question" not in screen_text(app)
        await pilot.press("escape")  # unsaved: asks first
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")
        assert isinstance(app.screen, EditorScreen)
        await pilot.press("escape", "y")
        assert isinstance(app.screen, HomeScreen)
    assert (retain_home / "decks" / "kafka.toml").read_text("utf-8") == KAFKA


async def test_outside_edit_of_the_same_card_asks_and_keeps_both(
    retain_home: Path, open_app: OpenApp
) -> None:
    path = retain_home / "decks" / "kafka.toml"
    app = open_app()
    async with app.run_test(size=SIZE) as pilot:
        await edit_card(pilot, 1)  # kafka/isr
        theirs = KAFKA.replace("A follower that has caught up", "A follower (edited in vim) caught up")
        path.write_text(theirs, "utf-8")
        assert app.live_reload is not None and app.live_reload.check(settled=False)
        await pilot.pause()
        assert "The deck file changed on disk" in screen_text(app)
        back = area(app, "back")
        back.focus()
        back.select_all()
        await pilot.press(*"Mine.")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, ChoiceScreen)
        assert "this card was changed on disk" in screen_text(app)
        await pilot.press("enter")  # "Keep both" is the default
        await pilot.pause()
        assert isinstance(app.screen, BrowserScreen)
    text = path.read_text("utf-8")
    assert text.startswith(theirs.rstrip("\n"))  # their file, untouched, with mine appended
    deck = parse_deck(text).deck
    assert deck is not None
    assert [c.back for c in deck.cards if "(ISR)" in c.front] == [
        "A follower (edited in vim) caught up with the leader.",
        "Mine.",
    ]


async def test_outside_edit_elsewhere_in_the_file_is_merged(retain_home: Path, open_app: OpenApp) -> None:
    path = retain_home / "decks" / "kafka.toml"
    app = open_app()
    async with app.run_test(size=SIZE) as pilot:
        await edit_card(pilot, 0)  # kafka/partitions
        theirs = KAFKA.replace('back = "`acks=all`"', 'back = "`acks=all` (vim)"')
        path.write_text(theirs, "utf-8")  # not seen by the watcher yet: the save finds out
        area(app, "extra").focus()
        await pilot.press("end", *" Mine.")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, BrowserScreen)
    assert changed_lines(theirs, path.read_text("utf-8")) == [
        '-extra = "Ordering holds only *within* one partition."',
        '+extra = "Ordering holds only *within* one partition. Mine."',
    ]


async def test_e_while_studying_edits_and_returns_to_the_card(retain_home: Path, open_app: OpenApp) -> None:
    app = open_app(["kafka"], start_in_review=True)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        study = app.screen
        assert isinstance(study, StudyScreen) and study.session.current is not None
        key = study.session.current.key
        await pilot.press("space", "e")
        await pilot.pause()
        assert isinstance(app.screen, EditorScreen)
        area(app, "back").focus()
        await pilot.press("end", *" EDITED")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert top(app) is study
        assert study.session.current.key == key and study.session.phase == "back"
        assert study.session.current.back.endswith("EDITED")
        assert "EDITED" in screen_text(app)
        await pilot.press("3")  # rating still works
        assert key in app.collection.states


async def test_new_deck_from_home(retain_home: Path, open_app: OpenApp) -> None:
    app = open_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n")
        assert isinstance(app.screen, NewDeckScreen)
        await pilot.press(*"Apache Kafka")
        await pilot.pause()
        assert app.screen.query_one("#new-deck-id", Input).value == "apache-kafka"
        app.screen.query_one("#new-deck-id", Input).value = "kafka"
        await pilot.press("ctrl+s")
        assert "already exists" in screen_text(app)
        app.screen.query_one("#new-deck-id", Input).value = "kafka-streams"
        app.screen.query_one("#new-deck-group", Input).value = "Streaming"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        assert "Apache Kafka" in screen_text(app) and "Streaming" in screen_text(app)
    deck = parse_deck((retain_home / "decks" / "kafka-streams.toml").read_text("utf-8")).deck
    assert deck is not None and (deck.name, deck.group) == ("Apache Kafka", "Streaming")


async def test_hostile_card_is_inert_in_browser_and_editor(retain_home: Path, open_app: OpenApp) -> None:
    path = retain_home / "decks" / "hostile.toml"
    path.write_text(HOSTILE, "utf-8")
    original = parse_deck(HOSTILE).deck
    assert original is not None and "\x1b]52;c;" in original.cards[0].front
    app = open_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("b")
        await pilot.pause()
        app.screen.query_one(Input).value = "deck:hostile"
        await pilot.press("enter")  # the search box has the focus
        text = screen_text(app)
        assert "␛]52;c;aGVsbG8=␇" in text and "[@click=app.quit]click me[/]" in text
        assert "\x1b" not in text and "\u202e" not in text
        await pilot.press("e")
        await pilot.pause()
        assert isinstance(app.screen, EditorScreen)
        text = screen_text(app)
        assert "␛]52;c;aGVsbG8=␇" in area(app, "front").text and "\x1b" not in text
        assert "[@click=app.screenshot()]shot[/]" in text
        await pilot.press("escape")  # nothing changed: closes without asking
        assert isinstance(app.screen, BrowserScreen)
        await pilot.press("e")
        await pilot.pause()
        area(app, "extra").insert("Harmless.")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.is_running and isinstance(app.screen, BrowserScreen)
    saved = parse_deck(path.read_text("utf-8")).deck
    assert saved is not None
    card = saved.cards[0]
    assert (card.front, card.back, card.tags) == (
        original.cards[0].front,
        original.cards[0].back,
        ("x\x1b[31m",),
    )
    assert card.extra == "Harmless."


async def test_an_empty_new_card_is_not_an_error_yet(open_app: OpenApp) -> None:
    app = open_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("down", "c")  # add a card to Kafka
        await pilot.pause()
        assert isinstance(app.screen, EditorScreen)
        text = screen_text(app)
        assert "✗" not in text and "`" not in text
        assert "Ctrl+S" in text


async def test_problems_show_without_backticks(open_app: OpenApp) -> None:
    app = open_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("down", "c")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, EditorScreen)
        await pilot.press(*"x", "backspace")
        await pilot.pause()
        text = screen_text(app)
        assert "✗" in text and "`" not in text


async def test_save_and_add_another_keeps_the_editor_open(retain_home: Path, open_app: OpenApp) -> None:
    app = open_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("down", "c")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, EditorScreen)
        for front, back in (("What is a broker?", "A server"), ("What is a topic?", "A log")):
            area(app, "front").load_text(front)
            area(app, "back").load_text(back)
            await pilot.press("ctrl+n")
            await pilot.pause()
            assert app.screen is screen  # still open, on an empty card
            assert area(app, "front").text == "" and area(app, "front").has_focus
        await pilot.press("escape")  # nothing typed since: closes without asking
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
    deck = parse_deck((retain_home / "decks" / "kafka.toml").read_text("utf-8")).deck
    assert deck is not None
    assert [c.front for c in deck.cards[-2:]] == ["What is a broker?", "What is a topic?"]
