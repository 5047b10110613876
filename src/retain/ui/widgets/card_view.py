"""One card: the Markdown front, and after the reveal the back, `extra` and a typed-answer diff.

A card without media is one Rich `Group` in one `Static`: a card change is
one widget update (one layout pass), however many parts the card has. A card
with media (`![...](DECK.media/NAME)`, see `core.mediaref`) is laid out as a
flow instead: the text before a reference, the image or audio line in its
place (`MediaBlock`), the text after it.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
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


@lru_cache(maxsize=64)
def _markdown(text: str, dark: bool) -> RenderableType:
    """Parsed once per text: the front is drawn again on the reveal, and each parse builds a parser."""
    return card_markdown(text, dark=dark)


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
        self._front_up: tuple[str, str] | None = None  # (unit key, front) while a front with media is up

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
                md = _markdown(piece, dark)
                parts.append(Styled(md, "dim") if dim else md)
        return parts

    def show_front(self, unit: Unit, deck_name: str) -> None:
        self._show(unit, [self._label(unit, deck_name), Text(), *self._markdown(unit.front)])
        self._front_up = (unit.key, unit.front) if self.query_one("#card-flow").display else None
        self.scroll_home(animate=False)

    def show_back(self, unit: Unit, deck_name: str, check: TypedCheck | None = None) -> None:
        head: list[Part] = [self._label(unit, deck_name), Text()]
        if unit.kind == "cloze":
            # The back of a cloze is the whole text with the answer in bold: it replaces the front.
            head += self._markdown(unit.back)
            tail: list[Part] = []
        else:
            tail = [Rule(style="dim")]
            if check is not None:
                tail += [diff_text(check), Text()]
            tail += self._markdown(unit.back)
        if unit.extra:
            tail += [Text(), *self._markdown(unit.extra, dim=True)]
        if unit.kind != "cloze" and self._front_up == (unit.key, unit.front):
            # The front with its media is up: add the back below it (the image is not drawn again).
            self._front_up = None
            self.media_turn = 0
            self.query_one("#card-flow", Vertical).mount_all(self._widgets(unit, tail))
            return
        if unit.kind != "cloze":
            head += self._markdown(unit.front)
        self._front_up = None
        self._show(unit, [*head, *tail])

    def _widgets(self, unit: Unit, parts: list[Part]) -> list[Widget]:
        """Runs of renderables as one Static each, a `MediaBlock` per media reference (noted for `o`)."""
        deck_file = self.deck_file(unit.deck_id)
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
        return widgets

    def _show(self, unit: Unit, parts: list[Part]) -> None:
        self.media_turn = 0
        self.media = []
        card = self.query_one("#card", Static)
        flow = self.query_one("#card-flow", Vertical)
        if not any(isinstance(p, MediaRef) for p in parts):
            if flow.display:
                flow.remove_children()
                flow.display = False
            card.display = True
            card.update(Group(*(p for p in parts if not isinstance(p, MediaRef))))
            return
        widgets = self._widgets(unit, parts)
        card.display = False
        flow.display = True
        with self.app.batch_update():
            flow.remove_children()
            flow.mount_all(widgets)
