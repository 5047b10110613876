"""Under a dialog the key bar at the bottom shows the dialog's keys, never the keys of the screen below.

With custom study (`C`) open, the bar still read "⏎ Study selected  a Study all due  b Browse":
in the dialog `a` starts Study ahead and `b` does nothing; under the browser's reset question it
still offered "d Delete". Every modal screen of the app is a `Dialog` with a bar of its own; a bar
under a modal screen without one (Textual's command palette) shows no keys. Each case reads the
bottom row as the terminal shows it (the dialog drawn over the screen below), at 80x24 and 60x20,
and checks that the dialog's box still fits above the bar.
"""

from __future__ import annotations

import importlib
import pkgutil
import threading
from collections.abc import Callable
from typing import Any, ClassVar

import pytest
from textual._context import visible_screen_stack
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.screen import ModalScreen, Screen
from textual.widget import Widget

import retain.ui
from retain.ui.screens.busy import BusyScreen
from retain.ui.screens.confirm import ChoiceScreen, ConfirmScreen
from retain.ui.widgets.key_bar import KeyBar

from .conftest import OpenApp
from .screen import until

SIZES = [(80, 24), (60, 20)]
HOME_KEYS = ("Study selected", "Study all due", "Browse", "Custom study")
BROWSER_KEYS = ("Delete", "Reset", "Mark", "Suspend", "Back")


def shown(app: App[Any]) -> list[str]:
    """The rows the terminal shows: the top screen over the screens it lets through (a dialog's
    screen is see-through around its box)."""
    visible_screen_stack.set(app._background_screens)
    return [strip.text for strip in app.screen._compositor.render_strips()]


def bottom(app: App[Any]) -> str:
    return shown(app)[-1]


# (keys from the deck list, the dialog, its box, words its bar shows, the keys of the screen below)
CASES = [
    (["C"], "CustomStudyScreen", "#custom-box", ["esc Cancel"], HOME_KEYS),
    (["i"], "ImportScreen", "#share-dialog", ["esc Cancel"], HOME_KEYS),
    (["x"], "ExportScreen", "#share-dialog", ["esc Cancel"], HOME_KEYS),
    (["n"], "NewDeckScreen", "#new-deck-box", ["Create deck", "esc Cancel"], HOME_KEYS),
    (["question_mark"], "HelpScreen", "#help-box", ["esc Close help"], HOME_KEYS),
    (["t", "d"], "ScopePickerScreen", "#scope-box", ["esc Cancel"], ("Period", "Save SVG", "Back")),
    (["b", "down", "r"], "ConfirmScreen", "#confirm-box", ["y Yes", "n No"], BROWSER_KEYS),
    (["b", "down", "d"], "ConfirmScreen", "#confirm-box", ["y Yes", "n No"], BROWSER_KEYS),
    (["b", "down", "m"], "DeckPickerScreen", "#picker-box", ["esc Cancel"], BROWSER_KEYS),
]
# the dialogs taller than a 60x20 terminal, which scroll there (as before the bar)
SCROLL_AT_60X20 = {"ExportScreen", "NewDeckScreen", "HelpScreen"}


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize(
    ("keys", "dialog", "box", "words", "below"), CASES, ids=[" ".join(c[0]) for c in CASES]
)
async def test_a_dialogs_key_bar_shows_its_own_keys(
    open_app: OpenApp,
    size: tuple[int, int],
    keys: list[str],
    dialog: str,
    box: str,
    words: list[str],
    below: tuple[str, ...],
) -> None:
    app = open_app()
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        await pilot.press(*keys)
        assert await until(pilot, lambda: type(app.screen).__name__ == dialog), type(app.screen).__name__
        assert await until(pilot, lambda: all(w in bottom(app) for w in words)), bottom(app)
        row = bottom(app)
        for word in below:
            assert word not in row, f"the bar under {dialog} offers the screen below's {word!r}: {row!r}"
        box_widget: Widget = app.screen.query_one(box)
        assert box_widget.region.bottom <= size[1] - 1, "the dialog's box runs under the key bar"
        tall = dialog == "HelpScreen" or (size == (60, 20) and dialog in SCROLL_AT_60X20)
        if not tall:
            assert box_widget.max_scroll_y == 0, f"{dialog} no longer fits at {size}"
        await pilot.press("escape")
        assert await until(pilot, lambda: not isinstance(app.screen, ModalScreen))
        # closed: the screen's own keys are back (so the words above were the ones to look for)
        assert await until(pilot, lambda: any(w in bottom(app) for w in below)), bottom(app)


async def test_keys_typed_in_the_custom_study_dialog_do_what_its_bar_says(open_app: OpenApp) -> None:
    """The attacker's case: the bar under custom study offered `a` Study all due."""
    app = open_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert await until(pilot, lambda: "Study all due" in bottom(app))
        await pilot.press("C")
        assert await until(pilot, lambda: "esc Cancel" in bottom(app)), bottom(app)
        assert "Study all due" not in bottom(app) and "Browse" not in bottom(app)
        await pilot.press("a")  # Study ahead: the dialog asks for a number of days, its bar stays
        assert await until(pilot, lambda: "Study cards due in the next" in "\n".join(shown(app)))
        assert "Study all due" not in bottom(app)


async def test_the_bar_under_the_command_palette_shows_no_keys(open_app: OpenApp) -> None:
    """Textual's command palette is a modal screen without a bar: the deck list's keys go from the
    bottom row while it is open (typed, they search), and come back when it closes."""
    app = open_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert await until(pilot, lambda: "Study all due" in bottom(app))
        await pilot.press("ctrl+p")
        assert await until(pilot, lambda: type(app.screen).__name__ == "CommandPalette")
        assert await until(pilot, lambda: not any(w in bottom(app) for w in HOME_KEYS)), bottom(app)
        await pilot.press("escape")
        assert await until(pilot, lambda: "Study all due" in bottom(app)), bottom(app)


class Below(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [Binding("z", "zap", "Zap")]

    def compose(self) -> ComposeResult:
        yield KeyBar()

    def action_zap(self) -> None:
        pass


class Host(App[None]):
    """A screen with a bar offering `z Zap`, and one dialog pushed over it."""

    def __init__(self, make: Callable[[], Screen[Any]]) -> None:
        super().__init__()
        self._make = make

    def on_mount(self) -> None:
        self.push_screen(Below())
        self.push_screen(self._make())


@pytest.mark.parametrize(
    ("make", "words"),
    [
        (lambda: ConfirmScreen("Delete card?", Content("Delete kafka/isr?"), yes="Delete"), ["y Yes"]),
        (lambda: ChoiceScreen("Changed on disk", Content("?"), [("both", "Keep both")]), ["esc Cancel"]),
    ],
    ids=["confirm", "choice"],
)
async def test_small_questions_show_their_keys(make: Callable[[], Screen[Any]], words: list[str]) -> None:
    app = Host(make)
    async with app.run_test(size=(60, 20)) as pilot:
        assert await until(pilot, lambda: all(w in bottom(app) for w in words)), bottom(app)
        assert "Zap" not in bottom(app)


async def test_work_in_progress_shows_its_keys() -> None:
    release = threading.Event()
    app = Host(lambda: BusyScreen("Planning", lambda _progress: release.wait(10)))
    try:
        async with app.run_test(size=(60, 20)) as pilot:
            assert await until(pilot, lambda: "esc Cancel" in bottom(app)), bottom(app)
            assert "Zap" not in bottom(app)
    finally:
        release.set()


def test_every_modal_screen_of_the_app_is_a_dialog_with_its_own_bar() -> None:
    """A modal screen added later gets the bar by being a `Dialog`, or this names it."""
    from retain.ui.widgets.key_bar import Dialog

    for module in pkgutil.walk_packages(retain.ui.__path__, "retain.ui."):
        importlib.import_module(module.name)
    found: list[type[ModalScreen[Any]]] = []
    pending: list[type[ModalScreen[Any]]] = list(ModalScreen.__subclasses__())
    while pending:
        cls = pending.pop()
        pending += cls.__subclasses__()
        if cls.__module__.startswith("retain.") and cls is not Dialog:
            found.append(cls)
    names = {cls.__name__ for cls in found}
    assert {"CustomStudyScreen", "ConfirmScreen", "ImportScreen", "HelpScreen"} <= names
    assert [cls.__name__ for cls in found if not issubclass(cls, Dialog)] == []
