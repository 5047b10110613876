"""The settings screen's group limits: one row per group, its `[groups."NAME"]` new and review caps.

On the Decks tab, under a deck's own overrides (as Anki shows a parent deck's
limits over its subdecks): each group of the library (the groups its decks'
files name, as the deck list names them, and a group only enclosing others,
`Lang` of `Lang::Spanish`, just before them; each with the decks its limit
holds, those of the groups under it too), then each group table of config.toml
that names no group of the library now, marked so and kept as it is unless
edited. A row edits the table the file already has for its group, in whatever
case and spacing the file spells it (the loader matches it so: never a second
table for one group), else a new `[groups."<the group's name>"]`. An edit by
the user posts `GroupLimits.Edited(("groups", table, key), value)`; an empty
field is None (remove the key; `ConfigDocument` drops the table with its last
key). Values put in by `show` post nothing.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Input, Static

from retain.core.grouptree import enclosing
from retain.core.model import group_key, group_label
from retain.store.config import table_name  # the loader's spelling of a group table in its messages
from retain.ui.settings_fields import parse_text, value_text
from retain.ui.text import line
from retain.ui.widgets.ordered_keys import OrderedInput

__all__ = ["GROUP_KEYS", "GroupLimits", "GroupRow", "group_rows"]

GROUP_KEYS = ("new_per_day", "reviews_per_day")
_HEADS = {"new_per_day": "New/day", "reviews_per_day": "Reviews/day"}
_TITLE = "Group limits (a day, all decks of the group together; empty: no limit)"


@dataclass(frozen=True, slots=True)
class GroupRow:
    key: str  # the group's name as compared (`core.model.group_key`)
    label: str  # as the deck list shows it (or as the file spells a group not in the library)
    table: str  # the `[groups]` key this row edits
    decks: int  # decks of the library in the group and the groups under it; 0: not in the library


def group_rows(
    library: Sequence[tuple[str, int]], tables: Any, previous: Sequence[GroupRow] = ()
) -> list[GroupRow]:
    """The rows for the library's (group name, deck count) pairs and the document's `[groups]`
    value. A row shown before stays (its table cleared in this session can be typed back, to its
    place), with the table name it had when the file no longer has one for its group."""
    in_file: dict[str, str] = {}
    if isinstance(tables, dict):
        for name in tables:
            if isinstance(name, str):
                in_file.setdefault(group_key(name), name)  # (two tables for one: the loader says so)
    before = {row.key: row for row in previous}
    rows: list[GroupRow] = []
    seen: set[str] = set()
    first: dict[str, tuple[str, int]] = {}  # group key -> (label, decks): the first pair of it
    for label, decks in library:
        first.setdefault(group_key(label), (label, decks))
    held: dict[str, int] = {}  # group key -> the decks its limit holds: its own, its subgroups'
    for label, decks in first.values():
        for key in enclosing(group_key(label)):
            held[key] = held.get(key, 0) + decks
    for label, _decks in first.values():
        # a group only above others (`Lang` of `Lang::Spanish`) has its line too, before them
        shown = group_label(label)  # (its key is this casefolded: the same parts, colons kept)
        parts = zip(enclosing(shown.casefold()), enclosing(shown), strict=True)
        for key, part in reversed(list(parts)):
            if key in seen or key != group_key(part):  # (`Lang ` of `Lang :: X`: no group name)
                continue
            seen.add(key)
            old = before.get(key)
            rows.append(GroupRow(key, part, in_file.get(key, old.table if old else part), held[key]))
    extra: list[GroupRow] = []
    for key, name in in_file.items():
        if key not in seen:
            seen.add(key)
            extra.append(GroupRow(key, group_label(name) or name, name, 0))
    for row in previous:
        if row.key not in seen:
            seen.add(row.key)
            extra.append(dataclasses.replace(row, decks=0))
    return rows + sorted(extra, key=lambda r: (r.key, r.table))


def _hint(row: GroupRow) -> str:
    said = f"{row.decks} deck{'s' if row.decks != 1 else ''}" if row.decks else "not in the library"
    if row.table != row.label or not row.decks:
        said += f"; file: [groups.{table_name(row.table)}]"
    return said


class GroupLimits(Vertical):
    """A title, a header, then a line per group: its name, two fields (new, reviews) and a hint."""

    DEFAULT_CSS = """
    GroupLimits { height: auto; margin-top: 1; }
    GroupLimits > .title { color: $text-muted; text-style: bold; text-wrap: nowrap; text-overflow: ellipsis; }
    GroupLimits > .none { color: $text-muted; }
    GroupLimits > Horizontal { height: 1; }
    GroupLimits .label { width: 27; padding-right: 1; color: $text-muted; text-wrap: nowrap;
        text-overflow: ellipsis; }
    GroupLimits .field { width: 12; margin-right: 1; }
    GroupLimits .head > .field { color: $text-muted; }
    GroupLimits .hint { width: 1fr; color: $text-muted; text-wrap: nowrap; text-overflow: ellipsis; }
    GroupLimits Input { background: $boost; }
    GroupLimits Input:focus { background: $surface-lighten-1; }
    GroupLimits .-invalid, GroupLimits .-invalid:focus { background: $error 30%; }
    """

    class Edited(Message):
        def __init__(self, keys: tuple[str, ...], value: Any) -> None:
            super().__init__()
            self.keys = keys
            self.value = value

    def __init__(self, library: Sequence[tuple[str, int]], *, id: str) -> None:
        super().__init__(id=id)
        self._library = list(library)  # (group name as the deck list shows it, its decks)
        self.rows: list[GroupRow] = group_rows(self._library, None)
        self._texts: dict[str, str] = {}  # input id -> the text it holds (shown, or typed)
        self._problem = ""
        self._stale = False  # rows changed: the children are rebuilt at the next refresh

    def compose(self) -> ComposeResult:
        self._stale = False
        yield Static(_TITLE, classes="title")
        if not self.rows:
            yield Static('No groups: a deck joins one with group = "NAME" in its file.', classes="none")
            return
        with Horizontal(classes="head"):
            yield Static("", classes="label")
            yield Static(_HEADS["new_per_day"], classes="field")
            yield Static(_HEADS["reviews_per_day"], classes="field")
        for index, row in enumerate(self.rows):  # a row each: Tab goes new, reviews, next group
            with Horizontal(classes="row"):
                yield Static(line(row.label or '""'), classes="label")
                for key in GROUP_KEYS:
                    widget = OrderedInput(
                        value=self._texts.get(_input_id(key, index), ""),
                        placeholder="none",
                        id=_input_id(key, index),
                        compact=True,
                        select_on_focus=False,
                        classes="field -invalid" if self._names(row, key) else "field",
                    )
                    widget.cursor_blink = False
                    # (Content, not a str: a str tooltip is read as markup, and the name is untrusted)
                    widget.tooltip = line(f"{_HEADS[key]} for group {row.label}: 0-9999; empty: no limit")
                    yield widget
                yield Static(line(_hint(row)), classes="hint")

    def show(self, data: dict[str, Any]) -> None:
        """Fill every row from `data` (the document as plain values); new rows are built."""
        tables = data.get("groups")
        rows = group_rows(self._library, tables, self.rows)
        texts: dict[str, str] = {}
        for index, row in enumerate(rows):
            values = tables.get(row.table) if isinstance(tables, dict) else None
            for key in GROUP_KEYS:
                value = values.get(key) if isinstance(values, dict) else None
                texts[_input_id(key, index)] = value_text("int", value)
        self._texts = texts
        if rows != self.rows or self._stale:
            self.rows, self._stale = rows, True
            self.refresh(recompose=True)  # (the new inputs' first Changed is their text: no edit)
            return
        with self.prevent(Input.Changed):
            for input_id, text in texts.items():
                widget = self.query_one(f"#{input_id}", Input)
                if widget.value != text:
                    widget.value = text
                    widget.cursor_position = len(text)

    def mark(self, problem: str) -> None:
        """Mark the fields the loader's message names (`groups.Interview.new_per_day`)."""
        self._problem = problem
        if self._stale:
            return  # (the rebuild marks them)
        for index, row in enumerate(self.rows):
            for key in GROUP_KEYS:
                for widget in self.query(f"#{_input_id(key, index)}"):
                    widget.set_class(self._names(row, key), "-invalid")

    def _names(self, row: GroupRow, key: str) -> bool:
        name = f"groups.{table_name(row.table)}"
        return f"`{name}.{key}`" in self._problem or f"[{name}]" in self._problem

    @on(Input.Changed)
    def _typed(self, event: Input.Changed) -> None:
        event.stop()
        input_id = event.input.id or ""
        if self._stale:
            return  # an input of the rows before a rebuild (its index may name another row now)
        if self._texts.get(input_id) == event.value:
            return  # what `show` or a rebuild put there, not an edit
        self._texts[input_id] = event.value
        key, _, index = input_id.removeprefix("group-").rpartition("-")
        if key in GROUP_KEYS and index.isdigit() and int(index) < len(self.rows):
            table = self.rows[int(index)].table
            self.post_message(self.Edited(("groups", table, key), parse_text("int", event.value)))


def _input_id(key: str, index: int) -> str:
    return f"group-{key}-{index}"
