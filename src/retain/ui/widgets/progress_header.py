"""Study header: what is left in the session (new, learning, due) and a progress bar, in one line.

Drawn by one widget (no child widgets), so updating it on every card needs a
repaint but never a new layout.
"""

from __future__ import annotations

from textual.content import Content
from textual.geometry import Size
from textual.widget import Widget

from retain.ui.text import line

__all__ = ["ProgressHeader", "header_content", "one_row"]


def header_content(
    new: int, learning: int, review: int, done: int, width: int, *, mono: bool = False
) -> Content:
    """`New 3  Learning 1  Due 12  ━━━━━━━━━━━━  20%` fitted to `width` cells, the part still to
    do in a dim colour; `mono` (no colours): drawn `━━━━━━━━────`, since in greys the two parts
    were one line and 0% looked done."""
    counts = Content.assemble(
        ("New ", "$text-muted"),
        (str(new), "bold $primary"),
        ("  Learning ", "$text-muted"),
        (str(learning), "bold $error"),
        ("  Due ", "$text-muted"),
        (str(review), "bold $success"),
    )
    total = done + new + learning + review
    fraction = done / total if total else 0.0
    percent = f"{fraction:4.0%}"
    bar_width = width - counts.cell_length - len(percent) - 4
    if bar_width < 5:
        return counts
    filled = round(bar_width * fraction)
    return Content.assemble(
        counts,
        "  ",
        ("━" * filled, "$primary"),
        (("─" if mono else "━") * (bar_width - filled), "$text-disabled"),
        "  ",
        (percent, "$text-muted"),
    )


MODE_ROWS = 2  # a custom study's mode line wraps onto at most this many rows (a long query is cut)
_PART = " · "  # between the mode line's parts: "Cram · Apache Kafka Internals · schedule untouched"


def one_row(mode: str, width: int, style: str = "") -> Content:
    """The mode line on one row of `width` cells: whole when it fits, else what it studies (a
    cram's deck name, between its first and last parts; a search's query, after its first)
    shortened with "…", so "Cram · Apache Ka… · schedule untouched" still says what the session
    does; the whole line cut when that is not enough."""
    width = max(1, width)
    whole = line(mode, style)
    if whole.cell_length <= width:
        return whole
    parts = mode.split(_PART)
    if len(parts) > 1:
        tail = [parts[-1]] if len(parts) > 2 else []
        middle = line(_PART.join(parts[1 : len(parts) - len(tail)]), style)
        keep = middle.cell_length - (whole.cell_length - width) - 1  # (the "…" takes a cell)
        if keep >= 3:
            short = middle.truncate(keep).append(Content.styled("…", style))
            shortened = Content.styled(_PART, style).join(
                [line(parts[0], style), short, *(line(t, style) for t in tail)]
            )
            if shortened.cell_length <= width:
                return shortened
    return whole.truncate(width - 1).append(Content.styled("…", style)) if width > 1 else whole.truncate(1)


class ProgressHeader(Widget):
    DEFAULT_CSS = """
    ProgressHeader { height: 1; width: 1fr; }
    """

    def __init__(self, mode: str = "") -> None:
        super().__init__()
        self._values = (0, 0, 0, 0)
        self.mode = mode  # a custom study's name ("Cram · Kafka · schedule untouched"), on its own line
        self._one_row = False  # the mode line kept to one row (a short terminal: `one_row`)
        if mode:
            # As many rows as the mode line takes, and the counts' row under it: with a fixed two,
            # a mode line wrapped at 40 columns pushed the counts out of the header.
            self.styles.height = "auto"

    @property
    def mode_on_one_row(self) -> bool:
        """Whether the mode line is kept to one row (`one_row`), not wrapped onto `MODE_ROWS`."""
        return self._one_row

    @mode_on_one_row.setter
    def mode_on_one_row(self, value: bool) -> None:
        if value != self._one_row:
            self._one_row = value
            if self.mode:
                self.refresh(layout=True)

    def rows(self, width: int, *, on_one_row: bool = False) -> int:
        """The rows the header takes at `width` cells (its padding included), its mode line
        wrapped or (`on_one_row`) kept to one row."""
        if not self.mode:
            return 1
        inner = width - self.styles.padding.width
        return 2 if on_one_row else len(self._wrapped(inner)) + 1

    def _mode_rows(self, width: int) -> list[Content]:
        """The mode line wrapped to `width` cells, on at most `MODE_ROWS` rows (the last cut with
        …), or on one row (its longest part shortened) when `mode_on_one_row`."""
        if self._one_row:
            return [one_row(self.mode, width, "bold $accent")]
        return self._wrapped(width)

    def _wrapped(self, width: int) -> list[Content]:
        width = max(1, width)
        rows = line(self.mode, "bold $accent").wrap(width)
        if len(rows) > MODE_ROWS:
            last = rows[MODE_ROWS - 1]
            rows = [*rows[: MODE_ROWS - 1], last.truncate(width - 1).append("…") if width > 1 else last]
        return rows

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return len(self._mode_rows(width)) + 1 if self.mode else 1

    def show(self, new: int, learning: int, review: int, done: int) -> None:
        """Remaining counts and how many cards this session has already answered."""
        if (new, learning, review, done) != self._values:
            self._values = (new, learning, review, done)
            self.refresh()

    def render(self) -> Content:
        counts = header_content(*self._values, width=self.size.width, mono=self.app.no_color)
        if not self.mode:
            return counts
        return Content("\n").join([*self._mode_rows(self.content_size.width), counts])
