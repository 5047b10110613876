"""Card Markdown drawn whole where Rich's own elements lost or changed text (used by `ui.text`).

- **Tables** never cut a cell with "…" (Rich's columns did, and the card view
  scrolls only down: a cut cell's end could not be read at all). Columns share
  the width as a browser shares it: each gets its longest word, and the rest of
  the width goes in proportion to what more each would take, so no word is
  broken while the table fits. A table whose longest words do not fit side by
  side is drawn a row at a time instead, as `header: cell` lines (a word wider
  than the whole card is folded, never cut).
- **Ordered list items** show their number with a `.`: `1969. Apollo 11`, and
  `1) x` as `1. x` (Rich drew `1969 Apollo 11`). That is the text
  `core.answer.shown` compares a typed answer with, and `retain check` quotes.
- **Links** (`inert_links`) keep the URL as written (the parser's link
  normalisation is off, `core.answer.shown.card_parser`), sanitised like all
  card text: a character entity in a URL or in text (`&#x202E;`) is read only
  by the parser, after `sanitize` saw the card. A link whose text is its URL
  (`<https://x>`) shows it once, styled as a URL, not `https://x (https://x)`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from markdown_it.token import Token
from rich import box
from rich.console import Console, ConsoleOptions, Group, RenderResult
from rich.markdown import ListItem, TableElement
from rich.measure import Measurement
from rich.segment import Segment
from rich.table import Table
from rich.text import Text

from retain.core.sanitize import sanitize, sanitize_line

__all__ = ["LINK_URL", "CardTable", "NumberedItem", "inert_links", "share_width"]

# A table's frame takes 2 cells a column: its edges, the rules between columns and the padding
# on their right (`box.SIMPLE`, edges shown, no padding at the edges, padding collapsed).
FRAME_PER_COLUMN = 2
# The tag of a link's marks when its text is its URL: Rich styles the text `markdown.link_url`.
LINK_URL = "link_url"
_LINK_TEXT = frozenset({"text", "code_inline"})


def share_width(low: Sequence[int], high: Sequence[int], room: int) -> list[int]:
    """Column widths in `room` cells (`sum(low) <= room`): each column its `high` when all fit, else
    its `low` and a share of the rest in proportion to `high - low`."""
    if sum(high) <= room:
        return list(high)
    want = [h - lo for lo, h in zip(low, high, strict=True)]
    spare, total = room - sum(low), sum(want)
    widths = [lo + spare * w // total for lo, w in zip(low, want, strict=True)]
    left = room - sum(widths)
    for i in sorted(range(len(widths)), key=lambda i: -want[i]):  # the rounding, to those wanting most
        if left <= 0:
            break
        if widths[i] < high[i]:
            widths[i] += 1
            left -= 1
    return widths


def _records(header: list[Text], rows: list[list[Text]]) -> Group:
    """The table a row at a time: a `header: cell` line for each cell (a line with no text left
    out), a blank line between rows; a table of no rows shows its headers, a line each."""
    records = [] if rows else [[head for head in header if head.plain.strip()]]
    for row in rows:
        lines = []
        for n, cell in enumerate(row):
            head = header[n] if n < len(header) and header[n].plain.strip() else None
            if head is None and not cell.plain.strip():
                continue
            line = Text(overflow="fold")
            if head is not None:
                line.append_text(head)
                line.append(": " if cell.plain.strip() else ":")
            line.append_text(cell)
            lines.append(line)
        records.append(lines)
    out: list[Text] = []
    for lines in records:
        if lines and out:
            out.append(Text())
        out.extend(lines)
    return Group(*out)


class CardTable(TableElement):
    """A Markdown table with no cell cut (see the module docstring)."""

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        header: list[Text] = []
        if self.header is not None and self.header.row is not None:
            for column in self.header.row.cells:
                heading = column.content.copy()
                heading.stylize("markdown.table.header")
                header.append(heading)
        rows = [[cell.content for cell in row.cells] for row in self.body.rows] if self.body else []
        columns = max([len(header), *(len(row) for row in rows)])
        if not columns:
            return
        room = options.max_width - FRAME_PER_COLUMN * columns
        low, high = [1] * columns, [1] * columns
        for row in (header, *rows):
            for n, cell in enumerate(row):
                size = Measurement.get(console, options, cell)
                low[n], high[n] = max(low[n], size.minimum), max(high[n], size.maximum)
        if sum(low) > room:
            yield _records(header, rows)
            return
        table = Table(
            box=box.SIMPLE,
            pad_edge=False,
            style="markdown.table.border",
            show_edge=True,
            collapse_padding=True,
            show_header=bool(header),
        )
        for n, width in enumerate(share_width(low, high, room)):
            table.add_column(header[n] if n < len(header) else "", width=width, overflow="fold")
        for row in rows:
            table.add_row(*row)
        yield table


class NumberedItem(ListItem):
    """A list item whose number is drawn with its `.` (see the module docstring)."""

    def render_number(
        self, console: Console, options: ConsoleOptions, number: int, last_number: int
    ) -> RenderResult:
        # (Rich passes one past the last item's number.)
        number_width = len(str(max(number, last_number - 1))) + 3
        render_options = options.update(width=options.max_width - number_width)
        lines = console.render_lines(self.elements, render_options, style=self.style)
        number_style = console.get_style("markdown.item.number", default="none")
        new_line = Segment("\n")
        padding = Segment(" " * number_width, number_style)
        numeral = Segment(f"{number}.".rjust(number_width - 1) + " ", number_style)
        for n, line in enumerate(lines):
            yield padding if n else numeral
            yield from line
            yield new_line


def inert_links(tokens: Iterable[Token]) -> None:
    """Sanitise what parsing made of the text (entities), link targets too; a link whose text is
    its URL shows the URL once."""
    for token in tokens:
        if token.content and token.type != "inline":  # (an inline token's own text is not shown)
            token.content = sanitize(token.content)
        if token.type == "link_open":
            token.attrs["href"] = sanitize_line(str(token.attrs.get("href", "")))
        if token.children:
            inert_links(token.children)
            _links_shown_once(token.children)


def _links_shown_once(children: list[Token]) -> None:
    opened: Token | None = None
    text: list[str] | None = None  # the link's text so far; None once it holds more than text
    for token in children:
        if token.type == "link_open":
            opened, text = token, []
        elif token.type == "link_close" and opened is not None:
            if text is not None and "".join(text) == opened.attrs.get("href"):
                opened.type, opened.tag = "link_url_open", LINK_URL
                token.type, token.tag = "link_url_close", LINK_URL
            opened = text = None
        elif text is not None:
            if token.type in _LINK_TEXT:
                text.append(token.content)
            else:
                text = None
