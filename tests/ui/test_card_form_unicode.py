"""The card editor saves exactly what the user typed: untouched characters are never replaced by their display forms."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Input, Select, TextArea

from retain.core.deckfile import parse_deck
from retain.core.sanitize import sanitize
from retain.ui.screens.browser import BrowserScreen
from retain.ui.screens.editor import EditorScreen

from .conftest import OpenApp
from .screen import screen_text

FAMILY = "\U0001f468\u200d\U0001f469\u200d\U0001f467"
SCOTLAND = "\U0001f3f4\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f"
SHALOM = "\u05e9\u05dc\u05d5\u05dd\u200f"
FRONT = f"Family {FAMILY}, flag {SCOTLAND}, Hebrew {SHALOM}!"

UNICODE_DECK = f'''format = 1

[deck]
id = "uni"
name = "Unicode"

[[cards]]
id = "fam"
front = "{FRONT}"   # written as is, no escapes
back = "b"
'''

HOSTILE_DECK = r"""format = 1

[deck]
id = "bad"
name = "Bad"

[[cards]]
id = "evil"
front = "clip \u001b]52;c;aGVsbG8=\u0007 title \u001b]0;pwned\u0007 csi \u009b31m bidi \u202egnp.exe"
back = "b"
"""


async def open_editor(pilot, deck_id: str) -> TextArea:  # type: ignore[no-untyped-def]
    """Open the browser on `deck_id` and the editor on its first card; the front's text area."""
    await pilot.press("b")
    await pilot.pause()
    pilot.app.screen.query_one(Input).value = f"deck:{deck_id}"
    await pilot.press("enter")  # the search box has the focus
    await pilot.press("e")
    await pilot.pause()
    assert isinstance(pilot.app.screen, EditorScreen)
    return pilot.app.screen.query_one("#form-front", TextArea)


async def append_and_save(pilot, front: TextArea, typed: str) -> None:  # type: ignore[no-untyped-def]
    front.focus()
    front.move_cursor(front.document.end)
    await pilot.press(*("space" if ch == " " else ch for ch in typed))
    await pilot.press("ctrl+s")
    await pilot.pause()
    assert isinstance(pilot.app.screen, BrowserScreen)


async def test_appending_to_a_front_keeps_emoji_flags_and_marks(retain_home: Path, open_app: OpenApp) -> None:
    path = retain_home / "decks" / "uni.toml"
    path.write_text(UNICODE_DECK, "utf-8")
    app = open_app()
    async with app.run_test(size=(100, 30)) as pilot:
        front = await open_editor(pilot, "uni")
        assert front.text == sanitize(FRONT)  # shown as every other screen shows it
        await append_and_save(pilot, front, " more")
    assert path.read_bytes() == UNICODE_DECK.replace(FRONT, FRONT + " more").encode("utf-8")


async def test_hostile_front_never_reaches_the_screen_and_is_saved_as_it_was(
    retain_home: Path, open_app: OpenApp
) -> None:
    path = retain_home / "decks" / "bad.toml"
    path.write_text(HOSTILE_DECK, "utf-8")
    deck = parse_deck(HOSTILE_DECK).deck
    assert deck is not None
    original = deck.cards[0].front
    assert "\x1b]52;c;" in original
    app = open_app()
    async with app.run_test(size=(100, 30)) as pilot:
        front = await open_editor(pilot, "bad")
        text = screen_text(app)
        assert "␛]52;c;aGVsbG8=␇" in text and "␛]0;pwned␇" in text
        assert not {"\x1b", "\x07", "\x9b", "\u202e"} & set(text)
        assert not {"\x1b", "\x07", "\x9b", "\u202e"} & set(front.text)
        await append_and_save(pilot, front, " ok")
        assert not {"\x1b", "\x07", "\x9b", "\u202e"} & set(screen_text(app))
    saved = parse_deck(path.read_text("utf-8")).deck
    assert saved is not None
    assert saved.cards[0].front == original + " ok"


TYPED_DECK = f'''format = 1

[deck]
id = "typ"
name = "Typed"

[[cards]]
id = "greet"
kind = "typed"
front = "Hello?"
back = "{SHALOM}"
accept = ["x{FAMILY}", "y"]
tags = ["{SHALOM}"]
'''


async def test_editing_accept_and_tags_keeps_their_other_characters(
    retain_home: Path, open_app: OpenApp
) -> None:
    path = retain_home / "decks" / "typ.toml"
    path.write_text(TYPED_DECK, "utf-8")
    app = open_app()
    async with app.run_test(size=(100, 40)) as pilot:
        await open_editor(pilot, "typ")
        accept = app.screen.query_one("#form-accept", TextArea)
        accept.focus()
        accept.move_cursor(accept.document.end)
        await pilot.press("enter", "z")
        tags = app.screen.query_one("#form-tags", Input)
        tags.focus()
        await pilot.pause()
        await pilot.press("end", "comma", "n", "e", "w")  # focus selects the value: "end" keeps it
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, BrowserScreen)
    deck = parse_deck(path.read_text("utf-8")).deck
    assert deck is not None
    card = deck.cards[0]
    assert (card.back, card.accept, card.tags) == (SHALOM, (f"x{FAMILY}", "y", "z"), (SHALOM, "new"))


async def test_switching_to_cloze_copies_the_front_as_it_is(retain_home: Path, open_app: OpenApp) -> None:
    path = retain_home / "decks" / "uni.toml"
    path.write_text(UNICODE_DECK, "utf-8")
    app = open_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await open_editor(pilot, "uni")
        app.screen.query_one("#form-kind", Select).value = "cloze"
        await pilot.pause()
        text = app.screen.query_one("#form-text", TextArea)
        assert text.text == sanitize(FRONT)
        text.move_cursor(text.document.end)
        text.insert(" {{c1::x}}")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, BrowserScreen)
    deck = parse_deck(path.read_text("utf-8")).deck
    assert deck is not None and deck.cards[0].text == FRONT + " {{c1::x}}"
