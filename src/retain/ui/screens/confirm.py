"""Small modal questions: `ChoiceScreen` (several buttons) and `ConfirmScreen` (yes / no).

The message is `Content` the caller built safely (card text through
`retain.ui.text`); button labels are our own words. Esc cancels (None / False).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.cells import cell_len
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import Button, Static
from textual.widgets.button import ButtonVariant

from retain.ui.key_names import key_label
from retain.ui.widgets.key_bar import Dialog

__all__ = ["ChoiceScreen", "ConfirmScreen"]

_FRAME = 6  # the box's border and padding, in columns


class ChoiceScreen(Dialog[str | None]):
    """Dismisses with the chosen value, or None on Esc."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="confirm.cancel"),
        Binding("left", "app.focus_previous", "Previous", id="confirm.previous", show=False),
        Binding("right", "app.focus_next", "Next", id="confirm.next", show=False),
    ]
    DEFAULT_CSS = """
    ChoiceScreen { align: center middle; }
    ChoiceScreen > #choice-box {
        width: 64; max-width: 100%; height: auto; max-height: 100%; overflow-y: auto; padding: 1 2;
        border: round $accent; background: $surface;
    }
    ChoiceScreen #choice-title { margin-bottom: 1; text-style: bold; }
    ChoiceScreen #choice-buttons { height: auto; margin-top: 1; }
    ChoiceScreen #choice-buttons Button { margin-right: 1; min-width: 10; }
    """

    def __init__(
        self,
        title: str,
        message: Content,
        choices: Sequence[tuple[str, str]],
        *,
        default: str | None = None,
        danger: Sequence[str] = (),
    ) -> None:
        super().__init__()
        self._title = title
        self._message = message
        self._choices = list(choices)
        self._default = default if default is not None else (self._choices[0][0] if self._choices else "")
        self._danger = set(danger)

    def compose(self) -> ComposeResult:
        with Vertical(id="choice-box"):
            yield Static(Content(self._title), id="choice-title")
            yield Static(self._message, id="choice-message")
            with Horizontal(id="choice-buttons"):
                for value, label in self._choices:
                    variant: ButtonVariant = (
                        "error"
                        if value in self._danger
                        else "primary"
                        if value == self._default
                        else "default"
                    )
                    yield Button(Content(label), id=f"choice-{value}", variant=variant, compact=True)

    def on_mount(self) -> None:
        self._fit(self.app.size.width)
        self.query_one(f"#choice-{self._default}", Button).focus()

    def on_resize(self) -> None:
        self._fit(self.app.size.width)

    def _fit(self, columns: int) -> None:
        """The box as wide as its row of buttons needs (four long labels were cut at 64 columns:
        "Keep editing" was not on screen); where the terminal is narrower, one button a line."""
        row = sum(max(10, cell_len(label) + 2) + 1 for _value, label in self._choices)  # (+ margin)
        self.query_one("#choice-box").styles.width = max(64, row + _FRAME)
        buttons = self.query_one("#choice-buttons")
        buttons.styles.layout = "horizontal" if row + _FRAME <= columns else "vertical"

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss((event.button.id or "").removeprefix("choice-"))

    def action_cancel(self) -> None:
        self.dismiss(None)


class ConfirmScreen(Dialog[bool]):
    """Yes / No. `y` confirms, `n` or Esc (Cancel) declines; the focused button starts on No."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "answer(True)", "Yes", id="confirm.yes"),
        Binding("n", "answer(False)", "No", id="confirm.no"),
        Binding(
            "escape", "answer(False)", "Cancel", id="confirm.cancel"
        ),  # one help line with ChoiceScreen's
        Binding("left", "app.focus_previous", "Previous", id="confirm.yes_no_previous", show=False),
        Binding("right", "app.focus_next", "Next", id="confirm.yes_no_next", show=False),
    ]
    DEFAULT_CSS = """
    ConfirmScreen { align: center middle; }
    ConfirmScreen > #confirm-box {
        width: 60; max-width: 100%; height: auto; max-height: 100%; overflow-y: auto; padding: 1 2;
        border: round $warning; background: $surface;
    }
    ConfirmScreen #confirm-title { margin-bottom: 1; text-style: bold; }
    ConfirmScreen #confirm-buttons { height: auto; margin-top: 1; }
    ConfirmScreen #confirm-buttons Button { margin-right: 1; min-width: 10; }
    """

    def __init__(self, title: str, message: Content, yes: str = "Yes", no: str = "Cancel") -> None:
        super().__init__()
        self._title = title
        self._message = message
        self._yes = yes
        self._no = no

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-box"):
            yield Static(Content(self._title), id="confirm-title")
            yield Static(self._message, id="confirm-message")
            with Horizontal(id="confirm-buttons"):
                yes, no = key_label(self.app, "confirm.yes", "y"), key_label(self.app, "confirm.no", "n")
                yield Button(Content(f"{self._yes} ({yes})"), id="confirm-yes", variant="error", compact=True)
                yield Button(Content(f"{self._no} ({no})"), id="confirm-no", compact=True)

    def on_mount(self) -> None:
        self.query_one("#confirm-no", Button).focus()

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(event.button.id == "confirm-yes")

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)
