"""The home screen's deck list: groups and decks with New / Learn / Due counts, as in Anki.

Drawn line by line (Textual's line API) rather than with a `DataTable`: the
list is the first thing a launch paints, and a DataTable took ~60 ms to render
its first 30 rows, a fifth of a bare Textual app's whole start-up. Each line
here is a few pre-styled segments. The header stays put while the rows scroll;
a click moves the cursor, and a click on the highlighted row selects it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from retain.core.deckrows import DeckRow
from retain.core.sanitize import sanitize_line
from retain.ui.widgets.screen_keys import ScreenKeysFirst

__all__ = ["DeckTable"]

_MIN_NAME = 8  # a deck name is never cut shorter than this
_COUNT_WIDTH = 6  # each count column: right-aligned in 6 cells, one cell of padding either side
_HEADINGS = ("New", "Learn", "Due", "Cards")
_COUNT_CLASSES = ("deck-table--new", "deck-table--learning", "deck-table--review", "deck-table--cards")


class DeckTable(ScreenKeysFirst, ScrollView, can_focus=True):
    """One row per group and per deck; `selected_row()` is the highlighted one."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up,k", "cursor_up", "Up", show=False),
        Binding("down,j", "cursor_down", "Down", show=False),
        Binding("pageup", "page_up", "Page up", show=False),
        Binding("pagedown", "page_down", "Page down", show=False),
        Binding("home", "first", "First", show=False),
        Binding("end", "last", "Last", show=False),
    ]
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "deck-table--header",
        "deck-table--cursor",
        "deck-table--group",
        "deck-table--zero",
        *_COUNT_CLASSES,
    }
    DEFAULT_CSS = """
    DeckTable {
        height: auto;
        overflow-x: hidden;
        background: $surface;
        color: $foreground;
        & > .deck-table--header { text-style: bold; background: $panel; color: $foreground; }
        & > .deck-table--cursor {
            background: $block-cursor-blurred-background;
            color: $block-cursor-blurred-foreground;
            text-style: $block-cursor-blurred-text-style;
        }
        &:focus {
            background-tint: $foreground 5%;
            & > .deck-table--cursor {
                background: $block-cursor-background;
                color: $block-cursor-foreground;
                text-style: $block-cursor-text-style;
            }
        }
        & > .deck-table--group { text-style: bold; }
        & > .deck-table--zero { text-style: dim; }
        & > .deck-table--new { color: ansi_blue; text-style: bold; }
        & > .deck-table--learning { color: ansi_red; text-style: bold; }
        & > .deck-table--review { color: ansi_green; text-style: bold; }
        & > .deck-table--cards { text-style: dim; }
    }
    """

    cursor_row: reactive[int] = reactive(0, always_update=True)

    class Selected(Message):
        """A row was chosen with the mouse (a click on the highlighted row)."""

        def __init__(self, table: DeckTable, row: DeckRow) -> None:
            super().__init__()
            self.table = table
            self.row = row

        @property
        def control(self) -> DeckTable:
            return self.table

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._rows: list[DeckRow] = []
        self._names: list[str] = []  # sanitised, indented labels
        self._name_width = 4
        self._digits = [1] * len(_HEADINGS)  # the widest count of each column, in digits
        self._base: Style | None = None  # `rich_style` (it walks every ancestor): once per style change

    def notify_style_update(self) -> None:
        self._base = None
        super().notify_style_update()

    # ---- data -------------------------------------------------------------------

    @property
    def row_count(self) -> int:
        return len(self._rows)

    def show_rows(self, rows: Sequence[DeckRow]) -> None:
        """Replace the rows; the highlighted deck or group stays highlighted when it is still listed."""
        selected = self.selected_row()
        self._rows = list(rows)
        self._names = [sanitize_line(("  " * r.depth) + r.label) for r in self._rows]
        self._name_width = max([4, *(cell_len(n) for n in self._names)])
        counts = [(r.new, r.learning, r.review, r.cards) for r in self._rows]
        self._digits = [max([1, *(len(str(c[i])) for c in counts)]) for i in range(len(_HEADINGS))]
        keys = [r.key for r in self._rows]
        cursor = keys.index(selected.key) if selected is not None and selected.key in keys else 0
        self.virtual_size = Size(self._natural_width(), len(self._rows) + 1)
        self.refresh(layout=True)
        self.cursor_row = min(cursor, max(0, len(self._rows) - 1))

    def selected_row(self) -> DeckRow | None:
        if not 0 <= self.cursor_row < len(self._rows):
            return None
        return self._rows[self.cursor_row]

    def _natural_width(self) -> int:
        return 1 + self._name_width + 1 + len(_HEADINGS) * (_COUNT_WIDTH + 2)

    def get_content_width(self, container: Size, viewport: Size) -> int:
        return self._natural_width() + self.styles.scrollbar_size_vertical  # room for the scrollbar

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return len(self._rows) + 1

    # ---- cursor -----------------------------------------------------------------

    def watch_cursor_row(self, row: int) -> None:
        visible = max(1, self.scrollable_content_region.height - 1)  # rows below the header
        top = round(self.scroll_offset.y)
        if row < top:
            self.scroll_to(y=row, animate=False)
        elif row >= top + visible:
            self.scroll_to(y=row - visible + 1, animate=False)
        self.refresh()

    def _move(self, to: int) -> None:
        if self._rows:
            self.cursor_row = max(0, min(len(self._rows) - 1, to))

    def action_cursor_up(self) -> None:
        self._move(self.cursor_row - 1)

    def action_cursor_down(self) -> None:
        self._move(self.cursor_row + 1)

    def action_page_up(self) -> None:
        self._move(self.cursor_row - max(1, self.scrollable_content_region.height - 2))

    def action_page_down(self) -> None:
        self._move(self.cursor_row + max(1, self.scrollable_content_region.height - 2))

    def action_first(self) -> None:
        self._move(0)

    def action_last(self) -> None:
        self._move(len(self._rows) - 1)

    def on_click(self, event: events.Click) -> None:
        if event.y < 1:
            return
        index = event.y - 1 + round(self.scroll_offset.y)
        if not 0 <= index < len(self._rows):
            return
        if index == self.cursor_row:
            self.post_message(self.Selected(self, self._rows[index]))
        else:
            self.cursor_row = index

    # ---- drawing ------------------------------------------------------------------

    def _style(self, name: str) -> Style:
        return self.get_component_rich_style(name, partial=True)

    def _columns(self, width: int) -> tuple[int, list[int], int]:
        """(name width, the widths of the count columns shown, the space after each count) for
        `width` cells: on a narrow terminal the Cards column goes first, then the count columns
        narrow to their heading or their widest number, one space apart (at 40 columns 8-cell
        columns for one-digit counts had cut the names to `Apache …`), and only then are the
        names cut with an ellipsis; New / Learn / Due always stay."""
        shown = len(_HEADINGS)
        if 2 + self._name_width + shown * (_COUNT_WIDTH + 2) > width:
            shown -= 1  # Cards: the least needed to choose what to study
        widths, after = [_COUNT_WIDTH] * shown, 1
        if 2 + self._name_width + shown * (_COUNT_WIDTH + 2) > width:
            widths = [max(len(h), d) for h, d in zip(_HEADINGS[:shown], self._digits, strict=False)]
            after = 0
        room = width - 2 - sum(w + 1 + after for w in widths)
        return max(_MIN_NAME, min(self._name_width, room)), widths, after

    @staticmethod
    def _cut(name: str, width: int) -> str:
        if cell_len(name) <= width:
            return set_cell_size(name, width)
        return set_cell_size(name, width - 1) + "…"

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        name_width, widths, after = self._columns(width)
        tail = " " * after
        base = self._base
        if base is None:
            base = self._base = self.rich_style
        if y == 0:
            header = base + self._style("deck-table--header")
            cells = [" " + set_cell_size("Deck", name_width) + " "]
            cells += [" " + h.rjust(w) + tail for h, w in zip(_HEADINGS, widths, strict=False)]
            return Strip([Segment("".join(cells), header)]).adjust_cell_length(width, header)
        index = y - 1 + round(self.scroll_offset.y)
        if index >= len(self._rows):
            return Strip.blank(width, base)
        row = self._rows[index]
        line = base + self._style("deck-table--cursor") if index == self.cursor_row else base
        name_style = line + self._style("deck-table--group") if row.is_group else line
        segments = [Segment(" " + self._cut(self._names[index], name_width) + " ", name_style)]
        values = (row.new, row.learning, row.review, row.cards)
        for value, cls, w in zip(values, _COUNT_CLASSES, widths, strict=False):
            style = self._style(cls if value or cls == "deck-table--cards" else "deck-table--zero")
            style = style + line if index == self.cursor_row else line + style  # the cursor's colours win
            segments.append(Segment(" " + str(value).rjust(w) + tail, style))
        return Strip(segments).adjust_cell_length(width, line)
