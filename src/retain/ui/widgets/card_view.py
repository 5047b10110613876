"""One card: the Markdown front, and after the reveal the back, `extra` and a typed-answer diff.

A card without media is one Rich `Group` in one `Static`: a card change is
one widget update (one layout pass), however many parts the card has. A card
with media (`![...](DECK.media/NAME)`, see `core.mediaref`) is laid out as a
flow instead: the text before a reference, the image or audio line in its
place (`MediaBlock`), the text after it.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from rich.console import Group, RenderableType
from rich.rule import Rule
from rich.styled import Styled
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.widget import Widget
from textual.widgets import Static

from retain.core.mediaref import MediaRef, split_media
from retain.core.model import Unit
from retain.core.sanitize import sanitize_line
from retain.core.typed import TypedCheck
from retain.store.media import MediaFile, resolve_media
from retain.ui.text import card_markdown
from retain.ui.widgets.card_media import MediaBlock
from retain.ui.widgets.typed_diff import diff_text

__all__ = ["CardView", "card_label"]

DeckFile = Callable[[str], Path | None]
Part = RenderableType | MediaRef


def card_label(unit: Unit, deck_name: str) -> str:
    """`Apache Kafka · cloze`: the deck and, unless basic, the kind of card."""
    kind = "reverse" if unit.variant == "reverse" else {"cloze": "cloze", "typed": "typed"}.get(unit.kind, "")
    return f"{deck_name} · {kind}" if kind else deck_name


class CardView(VerticalScroll, can_focus=False):
    """Card text is sanitised and rendered as inert Markdown (see `retain.ui.text`)."""

    DEFAULT_CSS = """
    CardView { height: 1fr; padding: 0 2; }
    CardView > #card { height: auto; }
    CardView > #card-flow { height: auto; display: none; }
    CardView > #card-flow > Static { height: auto; }
    """

    def __init__(self, deck_file: DeckFile | None = None) -> None:
        super().__init__()
        self.deck_file: DeckFile = deck_file or (lambda _deck_id: None)
        self.media: list[MediaFile] = []  # the shown side's media, in order (for `o`)
        self.media_turn = 0  # which of them `o` opens next

    def compose(self) -> ComposeResult:
        yield Static(id="card")
        yield Vertical(id="card-flow")

    def _dark(self) -> bool:
        return self.app.current_theme.dark

    def _label(self, unit: Unit, deck_name: str) -> Text:
        return Text(sanitize_line(card_label(unit, deck_name)), style="dim")

    def _markdown(self, text: str, *, dim: bool = False) -> list[Part]:
        """The text's parts: Markdown renderables, with media references left in place."""
        dark = self._dark()
        parts: list[Part] = []
        for piece in split_media(text):
            if isinstance(piece, MediaRef):
                parts.append(piece)
            elif piece.strip():
                md = card_markdown(piece, dark=dark)
                parts.append(Styled(md, "dim") if dim else md)
        return parts

    def show_front(self, unit: Unit, deck_name: str) -> None:
        self._show(unit, [self._label(unit, deck_name), Text(), *self._markdown(unit.front)])

    def show_back(self, unit: Unit, deck_name: str, check: TypedCheck | None = None) -> None:
        parts: list[Part] = [self._label(unit, deck_name), Text()]
        if unit.kind == "cloze":
            # The back of a cloze is the whole text with the answer in bold: it replaces the front.
            parts += self._markdown(unit.back)
        else:
            parts += [*self._markdown(unit.front), Rule(style="dim")]
            if check is not None:
                parts += [diff_text(check), Text()]
            parts += self._markdown(unit.back)
        if unit.extra:
            parts += [Text(), *self._markdown(unit.extra, dim=True)]
        self._show(unit, parts)

    def _show(self, unit: Unit, parts: list[Part]) -> None:
        self.media_turn = 0
        card = self.query_one("#card", Static)
        flow = self.query_one("#card-flow", Vertical)
        if not any(isinstance(p, MediaRef) for p in parts):
            self.media = []
            if flow.display:
                flow.remove_children()
                flow.display = False
            card.display = True
            card.update(Group(*(p for p in parts if not isinstance(p, MediaRef))))
            self.scroll_home(animate=False)
            return
        deck_file = self.deck_file(unit.deck_id)
        self.media = []
        widgets: list[Widget] = []
        run: list[RenderableType] = []
        for part in parts:
            if isinstance(part, MediaRef):
                if run:
                    widgets.append(Static(Group(*run)))
                    run = []
                media = resolve_media(deck_file, unit.deck_id, part)
                self.media.append(media)
                widgets.append(MediaBlock(media))
            else:
                run.append(part)
        if run:
            widgets.append(Static(Group(*run)))
        card.display = False
        flow.display = True
        with self.app.batch_update():
            flow.remove_children()
            flow.mount_all(widgets)
        self.scroll_home(animate=False)
