"""A grid of settings fields (label, input, hint) over one config.toml table.

The same widget shows the global settings (table `()`), a preset
(`("study",)` or `("presets", NAME)`) and a deck's overrides (`("decks", ID)`):
`show(table, data)` fills it from the document; an edit by the user posts
`SettingsGrid.Edited` with the value's place and TOML value (None: remove the
key, so it is inherited). Values put in by `show` post nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.console import RenderableType
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.markup import escape
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Input, Select, Static

from retain.core.sanitize import sanitize_line
from retain.ui.settings_fields import Field, inherited, parse_text, value_text
from retain.ui.text import rich_plain
from retain.ui.widgets.ordered_keys import OrderedInput

__all__ = ["SettingsGrid"]

Table = tuple[str, ...]


class SettingsGrid(Horizontal):
    """Three columns (labels, fields, hints): the labels and the hints are one widget each, so a
    form of nine settings is a dozen widgets, not thirty (the screen opens faster)."""

    DEFAULT_CSS = """
    SettingsGrid { height: auto; }
    SettingsGrid > .labels { width: 27; color: $text-muted; }
    SettingsGrid > .fields { width: 22; height: auto; margin-right: 1; }
    SettingsGrid > .fields > * { height: 1; }
    SettingsGrid > .hints { width: 1fr; color: $text-muted; text-wrap: nowrap; text-overflow: ellipsis; }
    SettingsGrid Input { background: $boost; }
    SettingsGrid Input:focus { background: $surface-lighten-1; }
    SettingsGrid .-invalid, SettingsGrid .-invalid:focus { background: $error 30%; }
    """

    class Edited(Message):
        def __init__(self, keys: tuple[str, ...], value: Any) -> None:
            super().__init__()
            self.keys = keys
            self.value = value

    def __init__(
        self, fields: Sequence[Field], table: Table, *, choices: Sequence[str] = (), id: str
    ) -> None:
        super().__init__(id=id)
        self.fields = list(fields)
        self.table = table
        self._choices = list(choices)  # for a choice field without its own (the theme)
        self._shown_options: dict[str, list[tuple[RenderableType, Any]]] = {}

    def _options(self, field: Field) -> list[tuple[RenderableType, Any]]:
        if field.kind == "bool":
            return [("on", True), ("off", False)]
        return [(c, c) for c in (field.choices or self._choices)]

    def compose(self) -> ComposeResult:
        yield Static(Content("\n").join(Content(f.label) for f in self.fields), classes="labels")
        with Vertical(classes="fields"):
            for field in self.fields:
                widget: Widget
                if field.kind in ("choice", "bool"):
                    options = self._options(field)
                    self._shown_options[field.key] = options
                    widget = Select(options, id=f"field-{field.key}", compact=True)
                else:
                    widget = OrderedInput(id=f"field-{field.key}", compact=True, select_on_focus=False)
                widget.tooltip = field.hint or None
                yield widget
        yield Static(Content("\n").join(Content(f.hint) for f in self.fields), classes="hints")

    def on_mount(self) -> None:
        for widget in self.query(Input):
            widget.cursor_blink = False

    def show(self, table: Table, data: dict[str, Any]) -> None:
        """Fill every field from `data` (the document as plain values) for `table`."""
        self.table = table
        values: Any = data
        for key in table:
            values = values.get(key) if isinstance(values, dict) else None
        values = values if isinstance(values, dict) else {}
        with self.prevent(Input.Changed, Select.Changed):
            for field in self.fields:
                value = values.get(field.key)
                widget = self.query_one(f"#field-{field.key}")
                blank = self._blank_text(field, data)
                if isinstance(widget, Select):
                    options = self._options(field)
                    if value is not None and value not in [v for _, v in options]:
                        options.append((rich_plain(f"{value} (unknown)"), value))
                    if options != self._shown_options.get(field.key):  # rebuilding the menu costs
                        widget.set_options(options)
                        self._shown_options[field.key] = options
                    prompt = escape(blank)  # a str prompt is read as markup
                    if widget.prompt != prompt:
                        widget.prompt = prompt
                    widget.value = Select.NULL if value is None else value
                elif isinstance(widget, Input):
                    widget.placeholder = blank
                    widget.value = value_text(field.kind, value)
                    widget.cursor_position = len(widget.value)

    def _blank_text(self, field: Field, data: dict[str, Any]) -> str:
        """What an empty field means: the inherited value and where it comes from."""
        value, source = inherited(data, self.table, field.key)
        shown = value_text(field.kind, value) or "none"
        return sanitize_line(f"{shown} ({source})")

    def mark(self, problem: str) -> None:
        """Mark the field the loader's message names (`study.new_per_day`), unmark the others."""
        for field in self.fields:
            name = ".".join((*self.table, field.key))
            self.query_one(f"#field-{field.key}").set_class(f"`{name}`" in problem, "-invalid")

    @on(Input.Changed)
    def _typed(self, event: Input.Changed) -> None:
        event.stop()
        field = self._field(event.input.id)
        if field is not None:
            self.post_message(self.Edited((*self.table, field.key), parse_text(field.kind, event.value)))

    @on(Select.Changed)
    def _chosen(self, event: Select.Changed) -> None:
        event.stop()
        field = self._field(event.select.id)
        if field is not None:
            value = None if event.value is Select.NULL else event.value
            self.post_message(self.Edited((*self.table, field.key), value))

    def _field(self, widget_id: str | None) -> Field | None:
        key = (widget_id or "").removeprefix("field-")
        return next((f for f in self.fields if f.key == key), None)
