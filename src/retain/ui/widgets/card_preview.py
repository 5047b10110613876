"""A card as it appears in a review: front, then the back (a cloze's text with the answer in bold) and extra.

Used by the browser (one review unit, with a line of progress facts) and by the
editor (every unit of the card being edited: one preview per cloze number, or
both sides of a reversed card). Card text goes through `retain.ui.text`
(sanitised, inert Markdown), never through markup.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Group, RenderableType
from rich.rule import Rule
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import Static

from retain.core.model import Unit
from retain.ui.text import card_markdown, rich_plain

__all__ = ["CardPreview", "unit_title"]


def unit_title(unit: Unit) -> str:
    if unit.kind == "cloze":
        return f"cloze {unit.variant}"
    if unit.kind == "reversed":
        return "reversed: back → front" if unit.variant == "reverse" else "reversed: front → back"
    return unit.kind


class CardPreview(VerticalScroll, can_focus=False):
    DEFAULT_CSS = """
    CardPreview { height: 1fr; padding: 0 1; }
    CardPreview > #preview-info { height: auto; color: $text-muted; }
    CardPreview > #preview-body { height: auto; }
    """

    def compose(self) -> ComposeResult:
        yield Static(id="preview-info")
        yield Static(id="preview-body")

    def _dark(self) -> bool:
        return self.app.current_theme.dark

    def _unit(self, unit: Unit, title: str) -> list[RenderableType]:
        dark = self._dark()
        parts: list[RenderableType] = []
        if title:
            parts.append(rich_plain(title, "bold"))
        parts.append(card_markdown(unit.front, dark=dark))
        parts.append(Rule(style="dim"))
        parts.append(card_markdown(unit.back, dark=dark))
        if unit.extra:
            parts.append(Text(""))
            parts.append(card_markdown(unit.extra, dark=dark))
        return parts

    def show_units(
        self,
        units: Sequence[Unit],
        info: Content | None = None,
        *,
        titles: bool = True,
        log: Sequence[str] = (),
    ) -> None:
        """Each unit's front, a rule, its back and extra; `info` (already safe Content) on top;
        `log` (the review history's lines, header first) below."""
        info_widget = self.query_one("#preview-info", Static)
        info_widget.update(info or "")
        info_widget.display = info is not None
        parts: list[RenderableType] = []
        for i, unit in enumerate(units):
            if i:
                parts.append(Text(""))
            parts += self._unit(unit, unit_title(unit) if titles else "")
        if not units:
            parts.append(Text("Nothing to preview yet.", style="dim"))
        if log:
            parts += [Text(""), Rule(style="dim"), rich_plain(log[0], "bold")]
            parts += [rich_plain(text, "dim") for text in log[1:]]
        self.query_one("#preview-body", Static).update(Group(*parts))
        self.scroll_home(animate=False)

    def show_message(self, message: str) -> None:
        self.query_one("#preview-info", Static).display = False
        self.query_one("#preview-body", Static).update(Text(message, style="dim"))
