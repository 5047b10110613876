"""One card: the Markdown front, and after the reveal the back, `extra` and a typed-answer diff."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Rule, Static

from retain.core.model import Unit
from retain.core.typed import TypedCheck
from retain.ui.text import card_markdown, line
from retain.ui.widgets.typed_diff import TypedDiff

__all__ = ["CardView"]


class CardView(VerticalScroll, can_focus=False):
    """Card text is sanitised and rendered as inert Markdown (see `retain.ui.text`)."""

    DEFAULT_CSS = """
    CardView { height: 1fr; padding: 0 2; }
    CardView > Static { height: auto; }
    CardView > #deck { color: $text-muted; margin-bottom: 1; }
    CardView > #extra { color: $text-muted; margin-top: 1; }
    CardView > .hidden { display: none; }
    """

    def compose(self) -> ComposeResult:
        yield Static(id="deck")
        yield Static(id="front")
        yield Rule(id="divider", classes="hidden")
        yield TypedDiff(id="diff", classes="hidden")
        yield Static(id="back", classes="hidden")
        yield Static(id="extra", classes="hidden")

    def _dark(self) -> bool:
        return self.app.current_theme.dark

    def _show(self, widget_id: str, visible: bool) -> None:
        self.query_one(f"#{widget_id}").set_class(not visible, "hidden")

    def show_front(self, unit: Unit, deck_name: str) -> None:
        kind = (
            "reverse"
            if unit.variant == "reverse"
            else {"cloze": "cloze", "typed": "typed"}.get(unit.kind, "")
        )
        label = f"{deck_name} · {kind}" if kind else deck_name
        self.query_one("#deck", Static).update(line(label))
        self.query_one("#front", Static).update(card_markdown(unit.front, dark=self._dark()))
        for widget_id in ("divider", "diff", "back", "extra"):
            self._show(widget_id, False)
        self._show("front", True)
        self.scroll_home(animate=False)

    def show_back(self, unit: Unit, check: TypedCheck | None = None) -> None:
        dark = self._dark()
        if unit.kind == "cloze":
            # The back of a cloze is the whole text with the answer in bold: it replaces the front.
            self.query_one("#front", Static).update(card_markdown(unit.back, dark=dark))
        else:
            self._show("divider", True)
            self.query_one("#back", Static).update(card_markdown(unit.back, dark=dark))
            self._show("back", True)
        if check is not None:
            self.query_one(TypedDiff).show(check)
            self._show("diff", True)
        if unit.extra:
            self.query_one("#extra", Static).update(card_markdown(unit.extra, dark=dark))
            self._show("extra", True)
