"""The editor's answer-check fields (issue 17): a typed card's `match` and the keys its mode uses,
checked as you type with `retain check`'s own messages and saved through the deck-edit path."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC
from pathlib import Path
from typing import Any

from authoring_data import FIXED_NOW, KAFKA, PROGRESS, SIZE, OpenApp
from test_ui_editor import edit_card
from textual.app import App
from textual.widgets import Input, Select, TextArea

from retain.cli import main
from retain.core.deckfile import parse_deck
from retain.core.state import Event
from retain.store.collection import Collection
from retain.store.home import open_home
from retain.ui.screens.editor import EditorScreen
from retain.ui.screens.home import HomeScreen


def screen_text(app: App[Any]) -> str:
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


def area(app: App[Any], name: str) -> TextArea:
    return app.screen.query_one(f"#form-{name}", TextArea)


def field(app: App[Any], name: str) -> Input:
    return app.screen.query_one(f"#form-{name}", Input)


def flat(app: App[Any]) -> str:
    """The screen's words on one line (a message may wrap in the problems panel)."""
    return " ".join(screen_text(app).replace("▏", " ").split())


def visible(app: App[Any], name: str) -> bool:
    return bool(app.screen.query_one(f"#field-{name}").display)


async def _new_typed_card(pilot: Any, front: str, back: str) -> None:
    app = pilot.app
    await pilot.press("c")  # a new card in the selected deck (Apache Kafka)
    await pilot.pause()
    app.screen.query_one("#form-kind", Select).value = "typed"
    await pilot.pause()
    area(app, "front").focus()
    area(app, "front").insert(front)
    area(app, "back").insert(back)
    await pilot.pause()


async def test_command_mode_with_an_alias_is_saved_and_checks_clean(
    retain_home: Path, open_app: OpenApp, capsys: Any
) -> None:
    path = retain_home / "decks" / "kafka.toml"
    app = open_app()
    async with app.run_test(size=SIZE) as pilot:
        await _new_typed_card(pilot, "Follow the logs of pod `web`", "kubectl logs -f web")
        assert not visible(app, "aliases")  # text mode: no answer-check fields
        app.screen.query_one("#form-match", Select).value = "command"
        await pilot.pause()
        assert visible(app, "aliases") and not visible(app, "pattern")
        assert "Flag aliases" in screen_text(app)
        field(app, "aliases").value = "-f = --follow"
        await pilot.pause()
        assert "✗" not in screen_text(app)
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
    text = path.read_text("utf-8")
    assert text.startswith(KAFKA)  # the hand-written part, comments and all, is as it was
    assert 'match = "command"' in text and 'aliases = { "-f" = "--follow" }' in text
    deck = parse_deck(text).deck
    assert deck is not None
    card = deck.cards[-1]
    assert (card.kind, card.match, card.aliases) == ("typed", "command", (("-f", "--follow"),))
    capsys.readouterr()
    assert main(["check", str(path)]) == 0
    assert "error" not in capsys.readouterr().out.lower()


async def test_a_bad_regex_shows_the_checks_message_and_blocks_the_save(
    retain_home: Path, open_app: OpenApp
) -> None:
    path = retain_home / "decks" / "kafka.toml"
    app = open_app()
    async with app.run_test(size=SIZE) as pilot:
        await _new_typed_card(pilot, "Create the topic `orders`", "kafka-topics.sh --create --topic orders")
        app.screen.query_one("#form-match", Select).value = "regex"
        await pilot.pause()
        assert visible(app, "pattern")
        field(app, "pattern").value = "kafka-topics(\\.sh --create"  # an unclosed group
        await pilot.pause()
        assert "✗ regex the card: the pattern does not compile: missing ):" in flat(
            app
        )  # `retain check`'s words
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, EditorScreen)  # not saved
        assert path.read_text("utf-8") == KAFKA
        field(app, "pattern").value = r"kafka-topics(\.sh)? --create --topic orders"
        await pilot.pause()
        assert "✗" not in screen_text(app)
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
    deck = parse_deck(path.read_text("utf-8")).deck
    assert deck is not None and deck.cards[-1].pattern == r"kafka-topics(\.sh)? --create --topic orders"


async def test_number_fields_use_the_checks_words_for_a_bad_range(
    retain_home: Path, open_app: OpenApp
) -> None:
    app = open_app()
    async with app.run_test(size=SIZE) as pilot:
        await _new_typed_card(pilot, "How many partitions?", "about 30")
        app.screen.query_one("#form-match", Select).value = "number"
        await pilot.pause()
        field(app, "accept_range").value = "50, 20"
        await pilot.pause()
        assert "✗ the card: accept_range must be two numbers, low then high, like [20, 50]" in flat(app)
        field(app, "accept_range").value = "[20, 50]"
        field(app, "tolerance").value = "lots"
        await pilot.pause()
        assert "✗ the card: tolerance must be a number of 0 or more, like 0.5" in flat(app)
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, EditorScreen)
        field(app, "tolerance").value = "2"
        await pilot.pause()
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
    deck = parse_deck((retain_home / "decks" / "kafka.toml").read_text("utf-8")).deck
    assert deck is not None
    assert (deck.cards[-1].accept_range, deck.cards[-1].tolerance) == ((20.0, 50.0), 2.0)


async def test_editing_a_typed_card_keeps_its_keys_and_progress(retain_home: Path, open_app: OpenApp) -> None:
    path = retain_home / "decks" / "kafka.toml"
    typed = KAFKA + (
        "\n[[cards]]\n"
        'id = "logs"\nkind = "typed"\nfront = "Follow the logs"\nback = "kubectl logs -f web"\n'
        'match = "command"   # argv compare\naliases = { "-f" = "--follow" }\n'
    )
    path.write_text(typed, "utf-8")
    state = replace(PROGRESS["kafka/partitions"], lapses=3)
    with Collection.open(open_home({"RETAIN_HOME": str(retain_home)}), FIXED_NOW, tz=UTC) as col:
        at = state.last_review or FIXED_NOW
        col.record(Event(col.new_event_id(at), "review", "kafka/logs", at, state, None, 3, 1000))
    app = open_app()
    async with app.run_test(size=SIZE) as pilot:
        editor = await edit_card(pilot, 3)  # kafka/logs, after the three Kafka cards
        assert editor.query_one("#form-match", Select).value == "command"
        assert field(app, "aliases").value == "-f = --follow"
        field(app, "aliases").value = "-f = --follow, -c = --container"
        await pilot.pause()
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.collection.states["kafka/logs"].lapses == 3  # progress kept
    after = path.read_text("utf-8")
    assert 'match = "command"   # argv compare' in after  # the comment is kept
    head, _, table = after.rpartition("\naliases = ")
    assert head + "\n" == typed[: typed.index("aliases = ")]  # only the aliases line changed
    deck = parse_deck(after).deck
    assert deck is not None and deck.cards[-1].aliases == (("-f", "--follow"), ("-c", "--container"))
    assert table.count("\n") == 1
