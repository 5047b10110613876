"""The home screen's deck list: groups and decks with New / Learn / Due counts, as in Anki."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.widgets import DataTable

from retain.ui.deck_rows import DeckRow
from retain.ui.text import rich_plain

__all__ = ["DeckTable"]


def _count(value: int, style: str) -> Text:
    return Text(str(value), style=style if value else "dim", justify="right")


class DeckTable(DataTable[Text]):
    """One row per group and per deck; the row key is the `DeckRow.key`."""

    DEFAULT_CSS = """
    DeckTable { height: auto; max-height: 1fr; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=False, show_cursor=True)
        self._rows: dict[str, DeckRow] = {}

    def on_mount(self) -> None:
        self.add_column("Deck", key="deck")
        for label, key in (("New", "new"), ("Learn", "learning"), ("Due", "review"), ("Cards", "cards")):
            self.add_column(Text(label, justify="right"), key=key, width=6)

    def show_rows(self, rows: Sequence[DeckRow]) -> None:
        selected = self.selected_row()
        self.clear()
        self._rows = {row.key: row for row in rows}
        for row in rows:
            name = rich_plain(("  " * row.depth) + row.label, "bold" if row.is_group else "")
            self.add_row(
                name,
                _count(row.new, "bold blue"),
                _count(row.learning, "bold red"),
                _count(row.review, "bold green"),
                Text(str(row.cards), style="dim", justify="right"),
                key=row.key,
            )
        if selected is not None and selected.key in self._rows:
            self.move_cursor(row=self.get_row_index(selected.key))

    def selected_row(self) -> DeckRow | None:
        if not self._rows or self.cursor_row < 0 or self.cursor_row >= self.row_count:
            return None
        key = self.ordered_rows[self.cursor_row].key.value
        return self._rows.get(key or "")
