"""The browser's table: one page of `BrowseRow`s (the screen pages through the matches).

A DataTable holding 50k rows is slow to fill, so the browser shows one page
(`PAGE_SIZE` rows) at a time; the row key is the unit key. Cells are inert
Rich Text (sanitised, no markup). A leech shows a red "⚠ leech" in the state
column; a suspended card is dimmed and a buried one marked.
"""

from __future__ import annotations

from collections.abc import Container, Sequence
from typing import ClassVar

from rich.text import Text
from textual.binding import Binding, BindingType
from textual.widgets import DataTable
from textual.widgets.data_table import ColumnKey

from retain.store.decks.browse import COLUMNS, BrowseRow
from retain.ui.text import rich_plain
from retain.ui.widgets.screen_keys import ScreenKeysFirst

__all__ = ["PAGE_SIZE", "BrowseTable"]

PAGE_SIZE = 100  # a DataTable measures every cell it is given: 100 rows fill in ~0.1 s
_TITLES = {
    "deck": "Deck",
    "front": "Front",
    "kind": "Kind",
    "state": "State",
    "due": "Due",
    "interval": "Ivl",
    "recall": "Recall",  # current retrievability (not the preset's desired retention)
    "lapses": "Lapses",
}
_WIDTHS = {"deck": 10, "kind": 10, "state": 17, "due": 10, "interval": 5, "recall": 8, "lapses": 8}
_DECK_MAX = 40  # a deck id is shown whole up to this, when the terminal has room
_FRONT_ROOM = 48  # the Deck column grows only while the Front keeps this much
_RIGHT = {"interval", "recall", "lapses"}


def _state_cell(row: BrowseRow) -> Text:
    """The state, or "suspended"/"buried" in its place (the preview has both), then "⚠ leech"."""
    if row.suspended:
        text = Text("suspended", style="yellow")
    elif "buried" in row.flags:
        text = Text("buried", style="dim")
    else:
        text = Text(row.state)
    if row.leech:
        text.append(" ⚠ leech", style="bold red")
    return text


def _front_cell(row: BrowseRow, marked: bool) -> Text:
    front = rich_plain(row.front, "dim" if row.suspended else "")
    if not marked:
        return front
    cell = Text.assemble(("● ", "bold magenta"), front)
    cell.no_wrap, cell.overflow = front.no_wrap, front.overflow  # the mark keeps the cut-off ellipsis
    return cell


class BrowseTable(ScreenKeysFirst, DataTable[Text]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j", "cursor_down", "Down", show=False),
        Binding("k", "cursor_up", "Up", show=False),
    ]
    DEFAULT_CSS = """
    BrowseTable { height: 1fr; }
    """

    # the screen's binding that a row's selection (Enter, a click) runs: the table's own Enter
    # gives way when `[keymap]` takes Enter off it (`"browser.edit" = "e"` still edited on Enter)
    SELECT_BINDING: ClassVar[str] = "browser.edit"

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)
        self._sort: tuple[str, bool] | None = None
        self._keys: list[str] = []  # unit key of each row on the page
        self._longest_deck = 0  # the longest deck id of the library (`fit_deck_ids`)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "select_cursor" and self._key_now is not None:
            keys = (getattr(self.app, "_keymap", None) or {}).get(self.SELECT_BINDING)
            if keys is not None and self._key_now not in (k.strip() for k in keys.split(",")):
                return False
        return super().check_action(action, parameters)

    def on_mount(self) -> None:
        deck, front = self._widths()
        for name in COLUMNS:
            width = deck if name == "deck" else front if name == "front" else _WIDTHS[name]
            self.add_column(self._title(name), key=name, width=width)

    def fit_deck_ids(self, longest: int) -> None:
        """The longest deck id of the library: the Deck column shows ids whole when there is
        room (at 200 columns `chaos-engineering` was cut to `chaos-eng…`)."""
        self._longest_deck = longest
        self.on_resize()

    def _widths(self) -> tuple[int, int]:
        """(Deck, Front) widths: Front takes what the other columns leave, and gives the Deck
        column what it needs while Front keeps `_FRONT_ROOM` cells."""
        width = self.size.width or self.app.size.width
        front = max(12, width - sum(_WIDTHS.values()) - 2 * len(COLUMNS) - 3)
        wanted = min(_DECK_MAX, self._longest_deck) - _WIDTHS["deck"]
        grow = max(0, min(wanted, front - _FRONT_ROOM))
        return _WIDTHS["deck"] + grow, front - grow

    def _title(self, name: str) -> Text:
        title = _TITLES[name]
        if self._sort is not None and self._sort[0] == name:
            title += " ▼" if self._sort[1] else " ▲"
        return Text(title, justify="right" if name in _RIGHT else "left")

    def set_sort(self, column: str | None, descending: bool) -> None:
        self._sort = (column, descending) if column is not None else None
        for name in COLUMNS:
            self.columns[ColumnKey(name)].label = self._title(name)
        self.refresh()

    def on_resize(self) -> None:
        deck, front = self.columns.get(ColumnKey("deck")), self.columns.get(ColumnKey("front"))
        if deck is not None and front is not None:
            deck.width, front.width = self._widths()
            self.refresh()

    def show_page(
        self, rows: Sequence[BrowseRow], keep: str | None = None, marked: Container[str] = ()
    ) -> None:
        """Replace the rows; the cursor goes to `keep` (a unit key) when it is on this page.

        Rows whose key is in `marked` start with a "●" in the Front column.
        """
        self.clear()
        self.add_rows(
            (
                rich_plain(row.deck, "dim" if row.suspended else ""),
                _front_cell(row, row.key in marked),
                rich_plain(row.kind),
                _state_cell(row),
                rich_plain(row.due),
                Text(row.interval, justify="right"),
                Text(row.recall, justify="right"),
                Text(
                    str(row.lapses) if row.lapses else "", justify="right", style="red" if row.leech else ""
                ),
            )
            for row in rows
        )
        self._keys = [row.key for row in rows]
        if keep is not None and keep in self._keys:
            self.move_cursor(row=self._keys.index(keep), animate=False)

    def selected_key(self) -> str | None:
        row = self.cursor_row
        return self._keys[row] if 0 <= row < len(self._keys) else None

    def key_at(self, row: int) -> str | None:
        return self._keys[row] if 0 <= row < len(self._keys) else None
