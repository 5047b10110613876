"""Keys that reach the app in one burst land where they would have landed typed slowly, focus
changes included: a key typed after a Tab (or an Enter that moves on) goes to the field the
Tab moved to. Textual ran the Tab (an app-level binding) after the keys queued behind it, which
the field it left had taken already (Textualize/textual#6605): on the settings screen `1 5
shift+tab backspace 6` saved learn-ahead 16 and left the rollover hour as it was."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from textual import events
from textual.app import App, ComposeResult
from textual.pilot import Pilot
from textual.widgets import Checkbox, Input, TextArea

from retain.ui.app import RetainApp
from retain.ui.screens.editor import EditorScreen
from retain.ui.screens.new_deck import NewDeckScreen
from retain.ui.screens.settings import SettingsScreen
from retain.ui.screens.share_import import ImportScreen
from retain.ui.screens.study import StudyScreen
from retain.ui.widgets.ordered_keys import OrderedInput, OrderedTextArea, SettledInput

from .conftest import OpenApp

_CHARACTERS = {"space": " ", "tab": "\t", "enter": "\r"}


def _key(key: str) -> events.Key:
    return events.Key(key, key if len(key) == 1 else _CHARACTERS.get(key))


async def _settle(pilot: Pilot[None], rounds: int = 6) -> None:
    for _ in range(rounds):
        await pilot.pause()


async def burst(pilot: Pilot[None], *keys: str) -> None:
    """The keys as one read of the terminal brings them: all in the app's queue before the first
    is handled (`pilot.press` waits for each key to be handled before it sends the next)."""
    for key in keys:
        pilot.app.post_message(_key(key))
    await _settle(pilot)


def _value(app: App[Any], selector: str) -> str:
    widget = app.screen.query_one(selector)
    assert isinstance(widget, Input | TextArea), widget
    return widget.value if isinstance(widget, Input) else widget.text


# ---- the settings screen -----------------------------------------------------------------


@pytest.fixture
def config_path(retain_home: Path) -> Path:
    path = retain_home / "config.toml"
    path.write_text("# mine\nrollover_hour = 4   # keep\n\n[study]\nfuzz = false\n", encoding="utf-8")
    return path


async def _open_settings(pilot: Pilot[None]) -> SettingsScreen:
    await _settle(pilot, 3)
    await pilot.press("comma")
    await _settle(pilot, 3)
    screen = pilot.app.screen
    assert isinstance(screen, SettingsScreen)
    return screen


HOUR, AHEAD = "#general-grid #field-rollover_hour", "#general-grid #field-learn_ahead_minutes"


async def test_a_value_typed_after_shift_tab_goes_to_the_field_before(
    config_path: Path, open_app: OpenApp
) -> None:
    """The attacker's burst: learn-ahead 15, back to the rollover hour, 4 mended to 6; saved."""
    app = open_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await _open_settings(pilot)
        await pilot.press("tab")  # to "Learn ahead (minutes)"
        assert app.focused is app.screen.query_one(AHEAD)
        await burst(pilot, "1", "5", "shift+tab", "backspace", "6")
        assert (_value(app, AHEAD), _value(app, HOUR)) == ("15", "6")
        await pilot.press("ctrl+s")
        await _settle(pilot)
    text = config_path.read_text("utf-8")
    assert re.search(r"^rollover_hour = 6\b", text, re.M), text
    assert re.search(r"^learn_ahead_minutes = 15$", text, re.M), text
    assert "# keep" in text


async def test_a_value_typed_after_tab_goes_to_the_next_field(config_path: Path, open_app: OpenApp) -> None:
    """`backspace 5 tab 3 0` on the General tab: the hour 5, learn-ahead 30 (was `530` in the hour)."""
    app = open_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await _open_settings(pilot)
        await burst(pilot, "backspace", "5", "tab", "3", "0")
        assert (_value(app, HOUR), _value(app, AHEAD)) == ("5", "30")
        assert app.focused is app.screen.query_one(AHEAD)


async def test_tabs_there_and_back_in_one_burst(config_path: Path, open_app: OpenApp) -> None:
    """Several moves in one burst, each key after a move in the field it moved to."""
    app = open_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await _open_settings(pilot)
        await burst(pilot, "tab", "2", "shift+tab", "backspace", "1", "tab", "0", "shift+tab", "0")
        assert (_value(app, HOUR), _value(app, AHEAD)) == ("10", "20")


async def test_a_key_after_a_screen_binding_that_moves_the_focus_goes_where_it_moved(
    config_path: Path, open_app: OpenApp
) -> None:
    """ctrl+n shows the Presets tab and focuses its first field (through `call_later`): the
    keys after it are for that tab, not for the General field that had the focus."""
    app = open_app()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await _open_settings(pilot)
        await burst(pilot, "ctrl+n", "ctrl+n", "ctrl+b", "9")
        assert _value(app, HOUR) == "4"
        focused = app.focused
        assert focused is not None and screen.query_one("#tab-presets") in focused.ancestors


# ---- other screens with several fields -----------------------------------------------------


async def test_the_new_deck_form_takes_a_burst_field_by_field(open_app: OpenApp) -> None:
    """Name, Tab, id (the name's id is selected: typing replaces it), Tab, group, Tab, description."""
    app = open_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await _settle(pilot, 3)
        await pilot.press("n")
        await _settle(pilot, 3)
        assert isinstance(app.screen, NewDeckScreen)
        await burst(pilot, *"Kafka", "tab", *"kfk", "tab", *"Ops", "tab", *"Hi")
        assert _value(app, "#new-deck-name") == "Kafka"
        assert _value(app, "#new-deck-id") == "kfk"
        assert _value(app, "#new-deck-group") == "Ops"
        assert _value(app, "#new-deck-description") == "Hi"


async def test_keys_after_an_enter_that_closes_the_new_deck_form_go_to_the_deck_list(
    open_app: OpenApp,
) -> None:
    """Enter creates the deck and closes the form: the keys after it move the deck list's cursor
    (the j j went into the closing form's name)."""
    from retain.ui.widgets.deck_table import DeckTable

    app = open_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await _settle(pilot, 3)
        await pilot.press("n")
        await _settle(pilot, 3)
        assert isinstance(app.screen, NewDeckScreen)
        await burst(pilot, *"Zed", "enter", "j", "j")  # (j: down in the deck list)
        table = app.screen.query_one(DeckTable)
        assert app.focused is table
        assert table.cursor_row == 2


async def _editor(app: RetainApp, pilot: Pilot[None]) -> EditorScreen:
    await _settle(pilot, 3)
    await pilot.press("down", "c")  # add a card to the second deck
    await _settle(pilot, 3)
    screen = app.screen
    assert isinstance(screen, EditorScreen)
    return screen


async def test_the_card_editor_takes_a_burst_area_by_area(open_app: OpenApp) -> None:
    """Front, Tab, back, shift+Tab, the front mended: the card editor's text areas."""
    app = open_app()
    async with app.run_test(size=(100, 40)) as pilot:
        await _editor(app, pilot)
        assert app.focused is app.screen.query_one("#form-front")
        await burst(pilot, *"Q1", "tab", *"A1", "shift+tab", "backspace", "2")
        assert (_value(app, "#form-front"), _value(app, "#form-back")) == ("Q2", "A1")


async def test_a_key_after_enter_on_a_typed_answer_is_the_rating(open_app: OpenApp) -> None:
    """`Raft`, Enter, `3` typed fast: the Enter checks the answer and shows the back, then 3 rates
    it Good, as typed slowly. The 3 went into the answer box (`Raft3`) and nothing was rated."""
    app = open_app(["consul"], start_in_review=True)  # its first card asks for "Raft"
    async with app.run_test(size=(100, 30)) as pilot:
        screen = app.screen
        assert isinstance(screen, StudyScreen)
        await burst(pilot, *"Raft", "enter", "3")
        await _settle(pilot)
        assert screen.session.summary().studied == 1
        assert _value(app, "#answer") == ""  # (the next card's box)


async def test_a_key_after_enter_in_the_browsers_search_goes_to_the_results(open_app: OpenApp) -> None:
    """Enter in the search box searches and puts the focus on the results: the space after it
    marks the first result, as typed slowly (it went into the search box)."""
    from retain.ui.screens.browser import BrowserScreen

    app = open_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await _settle(pilot, 3)
        await pilot.press("b")
        await _settle(pilot, 3)
        screen = app.screen
        assert isinstance(screen, BrowserScreen)
        await burst(pilot, *"raft", "enter", "space")
        assert _value(app, "#browser-search") == "raft"
        assert len(screen.marked) == 1


async def test_the_import_dialogs_path_box_hands_a_key_after_tab_to_the_next_field(open_app: OpenApp) -> None:
    """The path boxes of the import and export dialogs are Textual's Input (their completion reads
    its keys): a space after a Tab ticks the history box, not the path."""
    app = open_app()
    async with app.run_test(size=(100, 40)) as pilot:
        await _settle(pilot, 3)
        await pilot.press("i")
        await _settle(pilot, 3)
        screen = app.screen
        assert isinstance(screen, ImportScreen)
        box = screen.query_one("#share-history-flag", Checkbox)
        was = box.value
        await burst(pilot, *"nope", "tab", "space")
        assert _value(app, "#share-path") == "nope"
        assert box.value is not was


# ---- the widgets alone ------------------------------------------------------------------------


class Form(App[None]):
    """Three fields of each kind, and a field a submit moves on from."""

    def compose(self) -> ComposeResult:
        yield OrderedInput(id="a")
        yield OrderedTextArea(id="b")
        yield OrderedInput(id="c")
        yield SettledInput(id="settled")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "a":
            self.query_one("#c").focus()  # (through call_later: after the keys queued behind)


async def test_an_enter_that_moves_the_focus_hands_the_next_keys_on() -> None:
    app = Form()
    async with app.run_test() as pilot:
        app.query_one("#a").focus()
        await _settle(pilot, 2)
        await burst(pilot, *"x", "enter", *"yz", "shift+tab", "w")
        assert (_value(app, "#a"), _value(app, "#b"), _value(app, "#c")) == ("x", "w", "yz")


async def test_keys_arriving_while_a_field_still_holds_earlier_ones_wait_behind_them() -> None:
    """A second burst sent before the first was handled: nothing of it overtakes the first."""
    app = Form()
    async with app.run_test() as pilot:
        app.query_one("#a").focus()
        await pilot.pause()
        for key in ["1", "tab", "2", "tab", "3"]:
            app.post_message(_key(key))
        await pilot.pause(0)  # (the first few handled, not all)
        for key in ["4", "shift+tab", "5"]:
            app.post_message(_key(key))
        await _settle(pilot)
        assert (_value(app, "#a"), _value(app, "#b"), _value(app, "#c")) == ("1", "25", "34")


async def test_a_paste_after_a_tab_goes_to_the_next_field() -> None:
    app = Form()
    async with app.run_test() as pilot:
        app.query_one("#a").focus()
        await pilot.pause()
        for event in [_key("1"), _key("tab"), events.Paste("pasted"), _key("tab"), _key("2")]:
            app.post_message(event)
        await _settle(pilot)
        assert (_value(app, "#a"), _value(app, "#b"), _value(app, "#c")) == ("1", "pasted", "2")


async def test_a_settled_input_runs_its_bound_keys_before_the_next_key() -> None:
    """The path boxes' Input sends backspace up to the app as Textual does (its completer reads
    the keys first), and the next key waits for it: `5x`, backspace, backspace, `7` is `7`."""
    app = Form()
    async with app.run_test() as pilot:
        app.query_one("#settled").focus()
        await pilot.pause()
        await burst(pilot, "5", "x", "backspace", "backspace", "7", "shift+tab", "8")
        assert (_value(app, "#settled"), _value(app, "#c")) == ("7", "8")


async def test_tab_taking_a_completion_in_the_path_box_keeps_the_next_keys_there(
    open_app: OpenApp, tmp_path: Path
) -> None:
    """With the completion list up, Tab takes the highlighted name (it moves no focus): the keys
    after it are typed on in the box, as typed slowly."""
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "alpha.apkg").write_bytes(b"")
    app = open_app()
    async with app.run_test(size=(100, 40)) as pilot:
        await _settle(pilot, 3)
        await pilot.press("i")
        await _settle(pilot, 3)
        assert isinstance(app.screen, ImportScreen)
        await burst(pilot, *f"{folder}/al")
        assert app.screen.query_one("#share-complete").display
        await burst(pilot, "tab", "x", "backspace")
        assert _value(app, "#share-path") == f"{folder}/alpha.apkg"
        assert app.focused is app.screen.query_one("#share-path")


def test_every_text_field_retain_composes_keeps_the_focus_order() -> None:
    """The class: every text field of the app is one that hands keys on in order."""
    import retain.ui

    plain = re.compile(r"(?<![\w.])(Input|TextArea)\(")
    found = [
        f"{path.name}:{n}"
        for path in Path(retain.ui.__file__).parent.rglob("*.py")
        for n, text in enumerate(path.read_text("utf-8").splitlines(), 1)
        if plain.search(text)
    ]
    assert found == [], found
