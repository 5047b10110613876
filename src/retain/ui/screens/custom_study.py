"""The custom-study chooser (`C` on the home screen): search, study ahead, today's forgotten, cram.

Pick a mode with its letter (or the list and Enter); search and ahead then ask
for their argument in one input line. It returns a `CustomStudy` (or None on
Esc); the app starts the session (`RetainApp.start_custom_study`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from retain.core.custom_study import MAX_AHEAD_DAYS, CustomMode, CustomStudy
from retain.core.search import QueryError, compile_query
from retain.ui.key_names import key_label
from retain.ui.text import line, rich_plain
from retain.ui.widgets.key_bar import Dialog
from retain.ui.widgets.ordered_keys import OrderedInput

__all__ = ["CustomStudyScreen"]

_PROMPTS = {
    "search": ("Search (as in the browser), e.g. tag:kafka is:due", "is:due"),
    "ahead": (f"Study cards due in the next how many days? (1-{MAX_AHEAD_DAYS})", "3"),
}


class CustomStudyScreen(Dialog[CustomStudy | None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="custom_study.cancel"),
        Binding("s", "pick('search')", "Search", id="custom_study.search", show=False),
        Binding("a", "pick('ahead')", "Ahead", id="custom_study.ahead", show=False),
        Binding("f", "pick('forgotten')", "Forgotten", id="custom_study.forgotten", show=False),
        Binding("c", "pick('cram')", "Cram", id="custom_study.cram", show=False),
    ]
    DEFAULT_CSS = """
    CustomStudyScreen { align: center middle; }
    CustomStudyScreen > #custom-box {
        width: 72; max-width: 100%; height: auto; max-height: 90%; overflow-y: auto; padding: 0 1;
        border: round $accent; background: $surface;
    }
    CustomStudyScreen #custom-title { margin: 1 0; text-style: bold; }
    CustomStudyScreen OptionList { height: auto; max-height: 12; }
    CustomStudyScreen #custom-prompt { margin: 1 0 0 0; }
    CustomStudyScreen #custom-error { color: $error; }
    """

    def __init__(self, cram_ids: Sequence[str], cram_label: str, forgotten: int, query: str = "") -> None:
        super().__init__()
        self._cram_ids = tuple(cram_ids)
        self._cram_label = cram_label
        self._forgotten = forgotten
        self._query = query
        self.mode: CustomMode | None = None

    def _key(self, mode: str, default: str) -> str:
        """The key that picks `mode` (the user's keymap may move it), and the space after it."""
        key = key_label(self.app, f"custom_study.{mode}", default)
        return f"{key}  " if len(key) == 1 else f"{key} "

    def _option(self, mode: str, default: str, *text: str | Text) -> Table:
        """An option's key, then its text, wrapped under the text (a long group name wrapped the
        Cram line back under the key at 80 columns)."""
        grid = Table.grid()
        grid.add_column(no_wrap=True)
        grid.add_column(ratio=1)
        grid.add_row(self._key(mode, default), Text.assemble(*text))
        return grid

    def compose(self) -> ComposeResult:
        cram = self._cram_label or "the selected deck"
        with Vertical(id="custom-box"):
            yield Static(Content("Custom study"), id="custom-title")
            yield OptionList(
                Option(
                    self._option("search", "s", "Study a search: the cards a browser search finds"),
                    id="search",
                ),
                Option(self._option("ahead", "a", "Study ahead: cards due in the next N days"), id="ahead"),
                Option(
                    self._option("forgotten", "f", f"Today's forgotten cards ({self._forgotten})"),
                    id="forgotten",
                ),
                Option(
                    self._option("cram", "c", "Cram ", rich_plain(cram), " without touching its schedule"),
                    id="cram",
                    disabled=not self._cram_ids,
                ),
                id="custom-modes",
            )
            yield Static(id="custom-prompt")
            yield OrderedInput(id="custom-input", compact=True)
            yield Static(id="custom-error")

    def on_mount(self) -> None:
        for wid in ("#custom-prompt", "#custom-input", "#custom-error"):
            self.query_one(wid).display = False
        self.query_one(Input).cursor_blink = False
        self.query_one(OptionList).focus()

    @on(OptionList.OptionSelected, "#custom-modes")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id is not None:
            self.action_pick(event.option.id)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        typing = action == "pick" and self.is_mounted and self.query_one(Input).has_focus
        return not typing  # the letters go into the input

    def action_pick(self, mode: str) -> None:
        if mode == "forgotten":
            self.dismiss(CustomStudy("forgotten"))
        elif mode == "cram":
            if self._cram_ids:
                self.dismiss(CustomStudy("cram", deck_ids=self._cram_ids, label=self._cram_label))
        elif mode in _PROMPTS:
            self.mode = "search" if mode == "search" else "ahead"
            prompt, default = _PROMPTS[mode]
            self.query_one("#custom-prompt", Static).update(Content(prompt))
            box = self.query_one(Input)
            box.value = (self._query or default) if mode == "search" else default
            for wid in ("#custom-prompt", "#custom-input"):
                self.query_one(wid).display = True
            self.query_one("#custom-error").display = False  # the other mode's complaint
            box.focus()
            self._show_end()

    @on(Input.Submitted, "#custom-input")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        value = event.value.strip()
        if self.mode == "search":
            try:
                compile_query(value)  # what cannot be read is said here, the search kept to mend
            except QueryError as exc:
                self._error(f"✗ {exc}")
                return
            self.dismiss(CustomStudy("search", query=value))
            return
        try:
            days = int(value)
        except ValueError:
            days = 0
        if not 1 <= days <= MAX_AHEAD_DAYS:
            self._error(f"✗ a number of days from 1 to {MAX_AHEAD_DAYS}, not {value!r}"[:120])
            return
        self.dismiss(CustomStudy("ahead", days=days))

    def _error(self, text: str) -> None:
        """One line under the box; the dialog stays open with what was typed."""
        error = self.query_one("#custom-error", Static)
        error.update(line(text))
        error.display = True
        self._show_end()

    def _show_end(self) -> None:
        """Once laid out, scroll the box to its end (the prompt, the input and the error below the
        list): on a small terminal they were drawn below the box's bottom edge, out of sight."""
        box = self.query_one("#custom-box")
        self.call_after_refresh(box.scroll_end, animate=False)

    def action_cancel(self) -> None:
        self.dismiss(None)
