"""Pick a deck (for "move to another deck"): a list of deck names; Enter picks, Esc cancels."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from retain.core.model import Deck
from retain.ui.text import line
from retain.ui.widgets.key_bar import Dialog

__all__ = ["DeckPickerScreen", "deck_label"]


def deck_label(deck: Deck) -> Content:
    """`Name  (id · group)` as inert Content."""
    detail = f"{deck.id} · {deck.group}" if deck.group else deck.id
    return Content.assemble(line(deck.name or deck.id), ("  ", ""), line(f"({detail})", "$text-muted"))


class DeckPickerScreen(Dialog[str | None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="deck_picker.cancel"),
    ]
    DEFAULT_CSS = """
    DeckPickerScreen { align: center middle; }
    DeckPickerScreen > #picker-box {
        width: 64; max-width: 100%; height: auto; max-height: 80%; overflow-y: auto; padding: 0 1;
        border: round $accent; background: $surface;
    }
    DeckPickerScreen #picker-title { margin: 1 0; text-style: bold; }
    DeckPickerScreen OptionList { height: auto; max-height: 20; }
    """

    def __init__(self, title: str, decks: Sequence[Deck]) -> None:
        super().__init__()
        self._title = title
        self._decks = sorted(decks, key=lambda d: ((d.group or "").casefold(), (d.name or d.id).casefold()))

    def compose(self) -> ComposeResult:
        with Vertical(id="picker-box"):
            yield Static(Content(self._title), id="picker-title")
            yield OptionList(*(Option(deck_label(d), id=d.id) for d in self._decks), id="picker-decks")

    @on(OptionList.OptionSelected, "#picker-decks")
    def _picked(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)
