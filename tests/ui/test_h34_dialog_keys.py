"""The keys the help lists under "Everywhere" do, in every dialog, what the help says.

Textual runs only an app's priority bindings (ctrl+c Quit, ctrl+p Commands) over a modal screen,
and every dialog of retain is one: F1 and `?` (Help, "Everywhere") did nothing in custom study,
import, export, a yes/no question... Now:

- F1 opens the help over any dialog (its text field too); Esc goes back to the dialog, as it was;
- `?` opens it as well, except in a text field with the focus, where it is typed (as `q` is);
- `q` does not quit from a dialog (a question is answered or cancelled first; in a text field it
  is typed), and the help says so under "Everywhere";
- ctrl+c quits and ctrl+p opens the palette from anywhere; the palette over a dialog offers no
  screen to open over the question (Browse, Add card, Settings), but Help;
- a dialog that closes itself (work done, an import written) while the help or the palette is
  open over it takes them along, instead of closing them and staying up itself.

Each case opens the dialog the way a user does (keys from the deck list, the browser, the
statistics), except the two that only other code opens (a choice, work in progress).
"""

from __future__ import annotations

import importlib
import pkgutil
import re
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from textual.binding import Binding
from textual.command import CommandPalette
from textual.content import Content
from textual.keys import key_to_character
from textual.screen import Screen
from textual.widgets import Input, TextArea

import retain.ui
from retain.ui.app import RetainApp, binding_sections
from retain.ui.keymap_check import EVERYWHERE, binding_keys
from retain.ui.screens.busy import BusyScreen
from retain.ui.screens.confirm import ChoiceScreen
from retain.ui.screens.help import HelpScreen, help_content
from retain.ui.widgets.key_bar import Dialog

from .conftest import OpenApp
from .screen import screen_text, until

SIZE = (100, 30)


def choice() -> Screen[Any]:
    return ChoiceScreen("Changed on disk", Content("Keep which?"), [("both", "Keep both"), ("mine", "Mine")])


_release = threading.Event()


def busy() -> Screen[Any]:
    return BusyScreen("Planning", lambda _progress: _release.wait(20))


@pytest.fixture(autouse=True)
def _let_busy_jobs_end() -> Iterator[None]:
    _release.clear()
    yield
    _release.set()


# name: (keys from the deck list, or a dialog pushed by code; the text field to focus, if any)
DIALOGS: dict[str, tuple[list[str] | Callable[[], Screen[Any]], str | None]] = {
    "CustomStudyScreen": (["C"], None),
    "CustomStudyScreen/search": (["C", "s"], "#custom-input"),
    "ImportScreen": (["i"], "#share-path"),
    "ExportScreen": (["x"], None),  # the deck drop-down has the focus
    "ExportScreen/path": (["x"], "#share-path"),
    "NewDeckScreen": (["n"], "#new-deck-name"),
    "NewDeckScreen/description": (["n"], "#new-deck-description"),
    "ScopePickerScreen": (["t", "d"], None),
    "ConfirmScreen": (["b", "down", "r"], None),
    "DeckPickerScreen": (["b", "down", "m"], None),
    "ChoiceScreen": (choice, None),
    "BusyScreen": (busy, None),
}
# a base class only (ImportScreen and ExportScreen are its dialogs); the help is a dialog too,
# with its own meaning for ? and f1 (close)
NOT_A_CASE = {"ShareDialog", "HelpScreen"}
WITH_TEXT = [name for name, (_, field) in DIALOGS.items() if field]
WITHOUT_TEXT = [name for name, (_, field) in DIALOGS.items() if not field]


async def open_dialog(app: RetainApp, pilot: Any, name: str) -> Screen[Any]:
    how, field = DIALOGS[name]
    await pilot.pause()
    if callable(how):
        app.push_screen(how())
    else:
        await pilot.press(*how)
    cls = name.split("/")[0]
    assert await until(pilot, lambda: type(app.screen).__name__ == cls), type(app.screen).__name__
    dialog = app.screen
    if field:
        widget = dialog.query_one(field)
        widget.focus()
        assert await until(pilot, lambda: app.focused is widget)
    await pilot.pause()
    return dialog


def typed(app: RetainApp) -> str:
    focused = app.focused
    if isinstance(focused, Input):
        return focused.value
    assert isinstance(focused, TextArea), focused
    return focused.text


def bottom(app: RetainApp) -> str:
    return screen_text(app).splitlines()[-1]


def test_every_dialog_is_a_case_here() -> None:
    """A dialog added later is pressed here too, or this names it."""
    for module in pkgutil.walk_packages(retain.ui.__path__, "retain.ui."):
        importlib.import_module(module.name)
    found: set[str] = set()
    pending = list(Dialog.__subclasses__())
    while pending:
        cls = pending.pop()
        pending += cls.__subclasses__()
        if cls.__module__.startswith("retain."):
            found.add(cls.__name__)
    cases = {name.split("/")[0] for name in DIALOGS}
    assert found - NOT_A_CASE == cases


@pytest.mark.parametrize("name", list(DIALOGS))
async def test_f1_opens_the_help_over_every_dialog(open_app: OpenApp, name: str) -> None:
    app = open_app()
    async with app.run_test(size=SIZE) as pilot:
        dialog = await open_dialog(app, pilot, name)
        focused = app.focused
        await pilot.press("f1")
        assert await until(pilot, lambda: isinstance(app.screen, HelpScreen)), (name, app.screen_stack)
        assert app.screen_stack[-2] is dialog
        assert "Help: every key" in screen_text(app)
        await pilot.press("escape")
        assert await until(pilot, lambda: app.screen is dialog), app.screen_stack
        assert await until(pilot, lambda: app.focused is focused), (focused, app.focused)
        assert app.return_code is None


@pytest.mark.parametrize("name", WITHOUT_TEXT)
async def test_question_mark_opens_the_help_where_no_text_field_has_the_focus(
    open_app: OpenApp, name: str
) -> None:
    app = open_app()
    async with app.run_test(size=SIZE) as pilot:
        dialog = await open_dialog(app, pilot, name)
        await pilot.press("question_mark")
        assert await until(pilot, lambda: isinstance(app.screen, HelpScreen)), (name, app.screen_stack)
        assert app.screen_stack[-2] is dialog
        await pilot.press("question_mark")  # ? closes the help again
        assert await until(pilot, lambda: app.screen is dialog), app.screen_stack


@pytest.mark.parametrize("name", WITH_TEXT)
async def test_in_a_text_field_question_mark_and_q_are_typed_and_f1_still_helps(
    open_app: OpenApp, name: str
) -> None:
    app = open_app()
    async with app.run_test(size=SIZE) as pilot:
        dialog = await open_dialog(app, pilot, name)
        await pilot.press("question_mark", "q")  # (a prefilled field's text is selected: replaced)
        assert await until(pilot, lambda: typed(app).endswith("?q")), (name, typed(app))
        assert app.screen is dialog and app.return_code is None
        await pilot.press("f1")
        assert await until(pilot, lambda: isinstance(app.screen, HelpScreen)), (name, app.screen_stack)
        await pilot.press("escape")
        assert await until(pilot, lambda: app.screen is dialog)
        await pilot.press("x")  # the field has the focus again: typing goes on where it was
        assert await until(pilot, lambda: typed(app).endswith("?qx")), (name, typed(app))


@pytest.mark.parametrize("name", WITHOUT_TEXT)
async def test_q_does_not_quit_from_a_dialog(open_app: OpenApp, name: str) -> None:
    """A question is answered or cancelled first (the help says so under "Everywhere")."""
    app = open_app()
    async with app.run_test(size=SIZE) as pilot:
        dialog = await open_dialog(app, pilot, name)
        await pilot.press("q")
        await pilot.pause(0.2)
        assert app.return_code is None and app.screen is dialog


@pytest.mark.parametrize("name", ["ImportScreen", "ConfirmScreen"])
async def test_ctrl_c_quits_from_a_dialog_even_from_its_text_field(open_app: OpenApp, name: str) -> None:
    app = open_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_dialog(app, pilot, name)
        await pilot.press("ctrl+c")
        assert await until(pilot, lambda: app.return_code is not None)


SCREENS_FROM_THE_PALETTE = {
    "Browse cards",
    "Add card",
    "New deck",
    "Settings",
    "Study all due",
    "Export deck",
}


@pytest.mark.parametrize("name", list(DIALOGS))
async def test_ctrl_p_over_a_dialog_offers_help_but_no_screen_over_the_question(
    open_app: OpenApp, name: str
) -> None:
    app = open_app()
    async with app.run_test(size=SIZE) as pilot:
        dialog = await open_dialog(app, pilot, name)
        titles = {c.title for c in app.get_system_commands(dialog)}
        assert "Help" in titles and "Quit" in titles
        assert titles & SCREENS_FROM_THE_PALETTE == set(), (name, titles)
        await pilot.press("ctrl+p")
        assert await until(pilot, lambda: isinstance(app.screen, CommandPalette)), app.screen_stack
        await pilot.press("escape")
        assert await until(pilot, lambda: app.screen is dialog), app.screen_stack


async def test_help_from_the_palette_over_a_dialog(open_app: OpenApp) -> None:
    app = open_app()
    async with app.run_test(size=SIZE) as pilot:
        dialog = await open_dialog(app, pilot, "ConfirmScreen")
        await pilot.press("ctrl+p")
        assert await until(pilot, lambda: isinstance(app.screen, CommandPalette))
        await pilot.press(*"Help")
        await pilot.pause(0.3)
        await pilot.press("enter")
        assert await until(pilot, lambda: isinstance(app.screen, HelpScreen)), app.screen_stack
        assert app.screen_stack[-2] is dialog


@pytest.mark.parametrize(
    ("name", "words"),
    [("ConfirmScreen", ["y Yes", "? Help"]), ("ImportScreen", ["esc Cancel", "f1 Help"])],
)
async def test_the_dialogs_key_bar_offers_the_help_key_that_works_there(
    open_app: OpenApp, name: str, words: list[str]
) -> None:
    """In a text field `?` is typed: the bar offers F1 there."""
    app = open_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_dialog(app, pilot, name)
        assert await until(pilot, lambda: all(w in bottom(app) for w in words)), bottom(app)
        row = bottom(app)
        assert row.index(words[0]) < row.index(words[1]), "Help comes after the dialog's own keys"


@pytest.mark.parametrize("over", ["f1", "ctrl+p"])
async def test_a_dialog_closing_itself_takes_what_is_open_over_it_along(open_app: OpenApp, over: str) -> None:
    """Work in progress ends (an import is written) while the help or the palette is open over it:
    the result is delivered once, and the screen below is back, not the finished dialog."""
    app = open_app()
    results: list[object] = []
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        below = app.screen
        app.push_screen(
            BusyScreen("Planning", lambda _progress: _release.wait(20) and "planned"), results.append
        )
        assert await until(pilot, lambda: isinstance(app.screen, BusyScreen))
        await pilot.pause()
        await pilot.press(over)
        assert await until(pilot, lambda: not isinstance(app.screen, BusyScreen)), app.screen_stack
        _release.set()
        assert await until(pilot, lambda: results == ["planned"]), results
        assert await until(pilot, lambda: app.screen is below), app.screen_stack
        await pilot.press("escape")  # nothing left over it to cancel
        await pilot.pause(0.2)
        assert results == ["planned"] and app.screen is below


def _everywhere_text(keymap: dict[str, str]) -> list[str]:
    text = help_content(binding_sections(), keymap).plain
    section = text.split(f"\n{EVERYWHERE}\n", 1)[-1] if not text.startswith(EVERYWHERE) else text
    return section.split("\n\n", 1)[0].splitlines()


def test_the_help_says_where_each_everywhere_key_works() -> None:
    rows = _everywhere_text({})
    notes = [row.strip() for row in rows if not re.search(r" [a-z_]+\.[a-z_]+$", row)][1:]
    assert notes == ["Quit with q works outside dialogs only.", "In a text field q and ? are typed."]


def test_the_help_note_follows_the_keymap() -> None:
    rows = _everywhere_text({"app.quit": "ctrl+q", "app.help": "h,f1"})
    notes = [row.strip() for row in rows if not re.search(r" [a-z_]+\.[a-z_]+$", row)][1:]
    assert notes == ["Quit with ctrl+q works outside dialogs only.", "In a text field h is typed."]


def test_each_everywhere_key_works_in_each_dialog_or_the_help_says_it_does_not() -> None:
    """From the bindings themselves: a key listed under "Everywhere" runs in a dialog when it is a
    priority key, or when the dialog has it (every dialog has the app's Help); any other is named
    in the section's note as working outside dialogs only."""
    for module in pkgutil.walk_packages(retain.ui.__path__, "retain.ui."):
        importlib.import_module(module.name)
    everywhere = next(items for title, items in binding_sections() if title == EVERYWHERE)
    note = " ".join(_everywhere_text({}))
    dialogs: list[type[Dialog[Any]]] = []
    pending = list(Dialog.__subclasses__())
    while pending:
        cls = pending.pop()
        pending += cls.__subclasses__()
        dialogs.append(cls)
    assert dialogs
    for binding in (b for b in everywhere if isinstance(b, Binding)):
        for key in binding_keys(binding, {}):
            for cls in dialogs:
                own = cls._merged_bindings.key_to_bindings.get(key, []) if cls._merged_bindings else []
                works = binding.priority or any(b.id == binding.id for b in own)
                overridden = any(b.id != binding.id for b in own)  # the dialog's own meaning (help's ?)
                if not works and not overridden:
                    shown = key_to_character(key) or key
                    assert f"with {shown} works outside dialogs only" in note, (cls.__name__, key, note)
