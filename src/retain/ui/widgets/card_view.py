"""One card: the Markdown front, and after the reveal the back, `extra` and a typed-answer diff.

The whole card is one Rich `Group` in one `Static`: a card change is one
widget update (one layout pass), however many parts the card has.
"""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.rule import Rule
from rich.styled import Styled
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from retain.core.model import Unit
from retain.core.sanitize import sanitize_line
from retain.core.typed import TypedCheck
from retain.ui.text import card_markdown
from retain.ui.widgets.typed_diff import diff_text

__all__ = ["CardView", "card_label"]


def card_label(unit: Unit, deck_name: str) -> str:
    """`Apache Kafka · cloze`: the deck and, unless basic, the kind of card."""
    kind = "reverse" if unit.variant == "reverse" else {"cloze": "cloze", "typed": "typed"}.get(unit.kind, "")
    return f"{deck_name} · {kind}" if kind else deck_name


class CardView(VerticalScroll, can_focus=False):
    """Card text is sanitised and rendered as inert Markdown (see `retain.ui.text`)."""

    DEFAULT_CSS = """
    CardView { height: 1fr; padding: 0 2; }
    CardView > #card { height: auto; }
    """

    def compose(self) -> ComposeResult:
        yield Static(id="card")

    def _dark(self) -> bool:
        return self.app.current_theme.dark

    def _label(self, unit: Unit, deck_name: str) -> Text:
        return Text(sanitize_line(card_label(unit, deck_name)), style="dim")

    def show_front(self, unit: Unit, deck_name: str) -> None:
        parts: list[RenderableType] = [
            self._label(unit, deck_name),
            Text(),
            card_markdown(unit.front, dark=self._dark()),
        ]
        self.query_one("#card", Static).update(Group(*parts))
        self.scroll_home(animate=False)

    def show_back(self, unit: Unit, deck_name: str, check: TypedCheck | None = None) -> None:
        dark = self._dark()
        parts: list[RenderableType] = [self._label(unit, deck_name), Text()]
        if unit.kind == "cloze":
            # The back of a cloze is the whole text with the answer in bold: it replaces the front.
            parts.append(card_markdown(unit.back, dark=dark))
        else:
            parts += [card_markdown(unit.front, dark=dark), Rule(style="dim")]
            if check is not None:
                parts += [diff_text(check), Text()]
            parts.append(card_markdown(unit.back, dark=dark))
        if unit.extra:
            parts += [Text(), Styled(card_markdown(unit.extra, dark=dark), "dim")]
        self.query_one("#card", Static).update(Group(*parts))
