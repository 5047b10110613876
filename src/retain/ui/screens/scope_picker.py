"""Pick what the statistics cover: every deck, a group, or one deck (Enter picks, Esc cancels)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from retain.ui.text import line
from retain.ui.widgets.key_bar import Dialog

if TYPE_CHECKING:
    from retain.ui.screens.stats import Scope

__all__ = ["ScopePickerScreen"]


class ScopePickerScreen(Dialog["Scope | None"]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="scope_picker.cancel"),
    ]
    DEFAULT_CSS = """
    ScopePickerScreen { align: center middle; }
    ScopePickerScreen > #scope-box {
        width: 64; max-width: 100%; height: auto; max-height: 80%; overflow-y: auto; padding: 0 1;
        border: round $accent; background: $surface;
    }
    ScopePickerScreen #scope-title { margin: 1 0; text-style: bold; }
    ScopePickerScreen OptionList { height: auto; max-height: 20; }
    """

    def __init__(self, scopes: Sequence[Scope], current: Scope) -> None:
        super().__init__()
        self._scopes = list(scopes)
        self._current = current

    def compose(self) -> ComposeResult:
        with Vertical(id="scope-box"):
            yield Static(Content("Statistics for"), id="scope-title")
            options = []
            for i, scope in enumerate(self._scopes):
                depth = "  " if scope.deck_ids is not None and len(scope.deck_ids) == 1 else ""
                options.append(Option(Content.assemble(depth, line(scope.label)), id=str(i)))
            yield OptionList(*options, id="scope-list")

    def on_mount(self) -> None:
        if self._current in self._scopes:
            self.query_one(OptionList).highlighted = self._scopes.index(self._current)

    @on(OptionList.OptionSelected, "#scope-list")
    def _picked(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(self._scopes[int(event.option.id or 0)])

    def action_cancel(self) -> None:
        self.dismiss(None)
