"""Create a deck in the TUI: id, name, group and description; the file goes to the user's deck folder."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.suggester import SuggestFromList
from textual.widgets import Button, Input, Label, Static, TextArea

from retain.core.ids import is_valid_id, slugify
from retain.core.model import Deck
from retain.core.sanitize import sanitize_line
from retain.store.decks.deckedit import DeckEditError
from retain.ui.key_names import key_label
from retain.ui.text import line
from retain.ui.widgets.key_bar import Dialog
from retain.ui.widgets.ordered_keys import OrderedInput, OrderedTextArea

__all__ = ["NewDeckScreen"]


class _GroupSuggester(SuggestFromList):
    """Existing group names, once the user starts typing one."""

    async def get_suggestion(self, value: str) -> str | None:
        return await super().get_suggestion(value) if value.strip() else None


Create = Callable[[Deck], object]  # creates the deck file; raises DeckEditError


class NewDeckScreen(Dialog[str | None]):
    """Dismisses with the new deck's id, or None when cancelled."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "create", "Create deck", id="new_deck.create"),
        Binding("escape", "cancel", "Cancel", id="new_deck.cancel"),
    ]
    DEFAULT_CSS = """
    NewDeckScreen { align: center middle; }
    NewDeckScreen > #new-deck-box {
        width: 70; max-width: 100%; height: auto; max-height: 100%; overflow-y: auto; padding: 0 2;
        border: round $accent; background: $surface;
    }
    NewDeckScreen #new-deck-title { margin: 1 0; text-style: bold; }
    NewDeckScreen Label { width: 1fr; margin-top: 1; color: $text-muted; }  /* wrapped, not cut */
    NewDeckScreen Input, NewDeckScreen TextArea { background: $boost; }
    NewDeckScreen Input:focus, NewDeckScreen TextArea:focus { background: $surface-lighten-1; }
    NewDeckScreen #new-deck-description { height: 4; }
    NewDeckScreen #new-deck-error { color: $error; height: auto; margin-top: 1; }
    NewDeckScreen #new-deck-buttons { height: auto; margin-top: 1; }  /* 80x24: all above the key bar */
    NewDeckScreen #new-deck-buttons Button { margin-right: 1; }
    """

    # Focused in `on_mount`, not by Textual, which scrolls the focused field to the middle of
    # the box: on a 20-row terminal the title and the Name label went out of sight above it.
    AUTO_FOCUS = ""

    def __init__(self, create: Create, taken_ids: set[str], groups: Sequence[str] = ()) -> None:
        super().__init__()
        self._create = create
        self._taken = taken_ids
        # suggested as typed, so only names with no control or invisible format character: the
        # Input draws a suggestion as it is (a shared deck's `\x1b]52;…` group wrote the clipboard)
        self._groups = sorted({g for g in groups if sanitize_line(g) == g}, key=str.casefold)
        self._id_edited = False
        self._auto_ids = {""}  # ids filled in from the name (a later change event may carry an older one)

    def compose(self) -> ComposeResult:
        with Vertical(id="new-deck-box"):
            yield Static(Content("New deck"), id="new-deck-title")
            yield Label("Name")
            yield OrderedInput(placeholder="e.g. Apache Kafka", id="new-deck-name", compact=True)
            yield Label("Id (lowercase letters, digits and -; never changes)")
            yield OrderedInput(placeholder="e.g. kafka", id="new-deck-id", compact=True)
            yield Label("Group (optional: decks of one group show together)")
            suggester = _GroupSuggester(self._groups, case_sensitive=False) if self._groups else None
            yield OrderedInput(
                placeholder="e.g. Distributed Systems", id="new-deck-group", suggester=suggester, compact=True
            )
            yield Label("Description (optional, Markdown)")
            yield OrderedTextArea(id="new-deck-description", compact=True)
            yield Static(id="new-deck-error")
            with Horizontal(id="new-deck-buttons"):
                create = key_label(self.app, "new_deck.create", "ctrl+s")
                cancel = key_label(self.app, "new_deck.cancel", "esc")
                yield Button(f"Create ({create})", id="new-deck-create", variant="primary", compact=True)
                yield Button(f"Cancel ({cancel})", id="new-deck-cancel", compact=True)

    def on_mount(self) -> None:
        for widget in self.query(Input):
            widget.cursor_blink = False
        self.query_one(TextArea).cursor_blink = False
        self.query_one("#new-deck-name", Input).focus(scroll_visible=False)  # near the top: in sight

    def _value(self, widget_id: str) -> str:
        return self.query_one(f"#{widget_id}", Input).value.strip()

    @on(Input.Changed, "#new-deck-name")
    def _name_changed(self, event: Input.Changed) -> None:
        if not self._id_edited:
            slug = slugify(event.value, max_words=6) if event.value.strip() else ""
            self._auto_ids.add(slug)
            self.query_one("#new-deck-id", Input).value = slug
        self._validate()

    @on(Input.Changed, "#new-deck-id")
    def _id_changed(self, event: Input.Changed) -> None:
        self._id_edited = event.value not in self._auto_ids
        self._validate()

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_create()

    def _problem(self) -> str:
        deck_id, name = self._value("new-deck-id"), self._value("new-deck-name")
        if not name:
            return "The deck needs a name."
        if not is_valid_id(deck_id):
            return "The id may use lowercase letters, digits and '-' (start with a letter or digit, max 64)."
        if deck_id in self._taken:
            return f"A deck with id {deck_id!r} already exists."
        return ""

    def _validate(self) -> str:
        problem = self._problem()
        self.query_one("#new-deck-error", Static).update(line(problem))
        return problem

    def action_create(self) -> None:
        if self._validate():
            self.app.bell()
            self._show_error()
            return
        deck = Deck(
            id=self._value("new-deck-id"),
            name=self._value("new-deck-name"),
            group=self._value("new-deck-group"),
            description=self.query_one(TextArea).text.strip(),
        )
        try:
            self._create(deck)
        except DeckEditError as exc:
            self.query_one("#new-deck-error", Static).update(line(str(exc)))
            self._show_error()
            return
        self.dismiss(deck.id)

    def _show_error(self) -> None:
        """On a small terminal the box scrolls: bring the error into sight once laid out (it was
        drawn below the box's bottom edge, and Create only rang the bell)."""
        error = self.query_one("#new-deck-error", Static)
        self.call_after_refresh(error.scroll_visible, animate=False, top=True)

    @on(Button.Pressed, "#new-deck-create")
    def _create_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_create()

    @on(Button.Pressed, "#new-deck-cancel")
    def _cancel_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_cancel()

    def action_cancel(self) -> None:
        self.dismiss(None)
