"""Study header: what is left in the session (new, learning, due) and a progress bar, in one line.

Drawn by one widget (no child widgets), so updating it on every card needs a
repaint but never a new layout.
"""

from __future__ import annotations

from textual.content import Content
from textual.geometry import Size
from textual.widget import Widget

from retain.ui.text import line

__all__ = ["ProgressHeader", "header_content"]


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


class ProgressHeader(Widget):
    DEFAULT_CSS = """
    ProgressHeader { height: 1; width: 1fr; }
    """

    def __init__(self, mode: str = "") -> None:
        super().__init__()
        self._values = (0, 0, 0, 0)
        self.mode = mode  # a custom study's name ("Cram · Kafka · schedule untouched"), on its own line
        if mode:
            # As many rows as the mode line takes, and the counts' row under it: with a fixed two,
            # a mode line wrapped at 40 columns pushed the counts out of the header.
            self.styles.height = "auto"

    def _mode_rows(self, width: int) -> list[Content]:
        """The mode line wrapped to `width` cells, on at most `MODE_ROWS` rows (the last cut with …)."""
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
