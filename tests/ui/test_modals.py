"""The small questions (ConfirmScreen, ChoiceScreen, DeckPickerScreen), each in a tiny host app."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from textual.app import App
from textual.content import Content
from textual.screen import Screen

from retain.core.model import Deck
from retain.ui.screens.confirm import ChoiceScreen, ConfirmScreen
from retain.ui.screens.deck_picker import DeckPickerScreen


class Host(App[None]):
    """Pushes one modal on mount and keeps what it was dismissed with."""

    def __init__(self, make: Callable[[], Screen[Any]]) -> None:
        super().__init__()
        self._make = make
        self.answers: list[object] = []

    def on_mount(self) -> None:
        self.push_screen(self._make(), self.answers.append)


def confirm() -> ConfirmScreen:
    return ConfirmScreen("Delete card?", Content("Delete kafka/isr?"), yes="Delete")


@pytest.mark.parametrize(
    ("keys", "answer"),
    [(["y"], True), (["n"], False), (["escape"], False), (["enter"], False), (["left", "enter"], True)],
)
async def test_confirm_answers(keys: list[str], answer: bool) -> None:
    app = Host(confirm)
    async with app.run_test(size=(70, 16)) as pilot:
        await pilot.press(*keys)
    assert app.answers == [answer]  # Enter on the focused No declines: deleting needs a deliberate key


@pytest.mark.parametrize(
    ("keys", "answer"), [(["enter"], "both"), (["right", "enter"], "mine"), (["escape"], None)]
)
async def test_choice_answers(keys: list[str], answer: str | None) -> None:
    def choice() -> ChoiceScreen:
        return ChoiceScreen("Changed on disk", Content("?"), [("both", "Keep both"), ("mine", "Use mine")])

    app = Host(choice)
    async with app.run_test(size=(70, 16)) as pilot:
        await pilot.press(*keys)
    assert app.answers == [answer]


async def test_deck_picker_lists_decks_by_group_then_name() -> None:
    decks = [Deck("z", "Zeta"), Deck("b", "Beta", group="G"), Deck("a", "Alpha", group="G"), Deck("m", "Mu")]
    app = Host(lambda: DeckPickerScreen("Move to", decks))
    async with app.run_test(size=(70, 20)) as pilot:
        await pilot.press("down", "enter")
    assert app.answers == ["z"]  # ungrouped first (Mu, Zeta), then G: Alpha, Beta


async def test_deck_picker_escape_cancels() -> None:
    app = Host(lambda: DeckPickerScreen("Move to", [Deck("a", "Alpha")]))
    async with app.run_test(size=(70, 20)) as pilot:
        await pilot.press("escape")
    assert app.answers == [None]
