"""One card: the Markdown front, and after the reveal the back, `extra` and a typed-answer diff.

A card without media is one Rich `Group` in one `Static`: a card change is
one widget update (one layout pass), however many parts the card has. A card
with media (`![...](DECK.media/NAME)`, see `core.mediaref`) is laid out as a
flow instead: the text before a reference, the image or audio line in its
place (`MediaBlock`), the text after it. Text is cut only where each piece is
the Markdown it was (`split_media`): a picture in a table cell, in bold, in a list
item or a revealed cloze keeps that construct whole (it shows `🖼 image` there)
and is drawn right after its block.

The Group is drawn through `CardRender`, which renders it once per width
(Textual would render it twice: to measure its height, then to draw it), and
the back of the card shown is rendered ahead (`prepare_back`, called once the
front is painted), so the reveal finds its lines ready.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import cast

from rich.console import Group, RenderableType
from rich.rule import Rule
from rich.styled import Styled
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.css.styles import RulesMap
from textual.geometry import Region
from textual.strip import Strip
from textual.style import Style
from textual.visual import RenderOptions, RichVisual
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

__all__ = ["CardRender", "CardView", "card_label"]

DeckFile = Callable[[str], Path | None]
Part = RenderableType | MediaRef
ShownKey = tuple[object, ...]  # what a side shows: side, unit key, its texts, the deck name, the theme


class CardRender(RichVisual):
    """A card's Rich renderable, rendered once per width and style, then measured and drawn from those lines.

    Textual renders a Rich renderable twice per change, once to measure its
    height for the layout and once to draw it, and a card's Markdown is the
    dearest render on the study screen. These are the same lines
    `RichVisual` makes; a text selection is drawn afresh (it changes the lines).
    """

    def __init__(self, widget: Widget, renderable: RenderableType) -> None:
        super().__init__(widget, renderable)
        self._lines: dict[tuple[int, Style], list[Strip]] = {}

    def lines(self, width: int, style: Style) -> list[Strip]:
        """The rendered lines at `width` (rendered on the first call)."""
        key = (width, style)
        lines = self._lines.get(key)
        if lines is None:
            if len(self._lines) >= 4:  # a few widths (a resize, a scrollbar coming and going)
                self._lines.clear()
            options = RenderOptions(self._widget._get_style, cast(RulesMap, self._widget.styles))
            lines = self._lines[key] = super().render_strips(width, None, style, options)
        return lines

    def get_height(self, rules: RulesMap, width: int) -> int:
        return len(self.lines(width, self._widget.visual_style))

    def render_strips(
        self, width: int, height: int | None, style: Style, options: RenderOptions
    ) -> list[Strip]:
        if options.selection is not None:
            return super().render_strips(width, height, style, options)
        lines = self.lines(width, style)
        return lines if height is None else lines[:height]


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
        self._renders: dict[ShownKey, CardRender] = {}  # the side shown and the back prepared

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

    def _key(self, side: str, unit: Unit, deck_name: str) -> ShownKey:
        return (side, unit.key, unit.front, unit.back, unit.extra, unit.kind, deck_name, self._dark())

    def show_front(self, unit: Unit, deck_name: str) -> None:
        key = self._key("front", unit, deck_name)
        self._show(unit, self._front_parts(unit, deck_name), key)
        self._front_up = (unit.key, unit.front) if self.query_one("#card-flow").display else None
        self.scroll_home(animate=False)

    def prepare_back(self, unit: Unit, deck_name: str) -> None:
        """Render the back of the card shown now, at the width it will have, so the reveal has it ready.

        Only for cards without media whose front is up (a typed answer's check
        changes the back: that one is rendered when it is known).
        """
        card = self.query_one("#card", Static)
        width = card.content_size.width
        key = self._key("back", unit, deck_name)
        if width <= 0 or self._front_up is not None or key in self._renders:
            return
        parts = self._back_parts(unit, deck_name, None)
        if any(isinstance(p, MediaRef) for p in parts):
            return
        render = CardRender(card, _group(parts))
        render.lines(width, card.visual_style)
        self._renders[key] = render

    def _back_parts(self, unit: Unit, deck_name: str, check: TypedCheck | None) -> list[Part]:
        """The back as one flow of parts: for a cloze the whole text, else the front, a rule, the back."""
        head, tail = self._back_split(unit, deck_name, check)
        if unit.kind != "cloze":
            head += self._markdown(unit.front)
        return [*head, *tail]

    def _back_split(
        self, unit: Unit, deck_name: str, check: TypedCheck | None
    ) -> tuple[list[Part], list[Part]]:
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
        return head, tail

    def show_back(self, unit: Unit, deck_name: str, check: TypedCheck | None = None) -> None:
        if unit.kind != "cloze" and self._front_up == (unit.key, unit.front):
            # The front with its media is up: add the back below it (the image is not drawn again).
            _head, tail = self._back_split(unit, deck_name, check)
            self._front_up = None
            self.media_turn = 0
            widgets = self._widgets(unit, tail)
            self.query_one("#card-flow", Vertical).mount_all(widgets)
            if widgets:
                self.call_after_refresh(self._flow_answer_into_view, widgets[0])
            return
        self._front_up = None
        head: CardRender | None = None  # the lines above the answer (a cloze's answer is in its text)
        if unit.kind != "cloze":
            front = self._renders.get(self._key("front", unit, deck_name))
            card = self.query_one("#card", Static)
            head = (
                front if front is not None else CardRender(card, _group(self._front_parts(unit, deck_name)))
            )
        key = self._key("back", unit, deck_name) if check is None else None
        if key is not None and key in self._renders:
            self._show(unit, [], key)  # rendered ahead by `prepare_back`
        else:
            self._show(unit, self._back_parts(unit, deck_name, check), key)
        if head is not None:
            self.call_after_refresh(self._answer_into_view, head)

    def _front_parts(self, unit: Unit, deck_name: str) -> list[Part]:
        return [self._label(unit, deck_name), Text(), *self._markdown(unit.front)]

    def _flow_answer_into_view(self, first: Widget, tries: int = 5) -> None:
        """`_answer_into_view` for a front with media: the answer is the widgets added below it."""
        if not first.is_attached:
            return
        region = first.virtual_region  # (in the flow, the view's only child shown, at its top)
        if not region.height:  # mounted, not laid out yet
            if tries > 0:
                self.call_after_refresh(self._flow_answer_into_view, first, tries - 1)
            return
        if region.y + 1 < self.scroll_y + self.scrollable_content_region.height:
            return
        self.scroll_to_widget(first, animate=False, immediate=True)

    def _answer_into_view(self, head: CardRender, tries: int = 3) -> None:
        """After the reveal: when the answer starts below the rows shown (a front taller than a small
        terminal's card area), scroll it into view, as Anki scrolls to the answer: all of it with
        the front's end above it, or, taller than the view, from its first line."""
        card = self.query_one("#card", Static)
        width = card.content_size.width
        if not card.display or width <= 0:
            return
        top = len(head.lines(width, card.visual_style))  # the rule's row; the answer's text below it
        view = self.scrollable_content_region.height
        total = self.virtual_size.height
        if top >= total:  # laid out as the front still (a typed card's answer box just went)
            if tries > 0:
                self.call_after_refresh(self._answer_into_view, head, tries - 1)
            return
        if view <= 0 or top + 1 < self.scroll_y + view:
            return  # (its first line is in view already: a long back is read from its top)
        self.scroll_to_region(Region(0, top, max(1, width), total - top), animate=False, immediate=True)

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

    def _show(self, unit: Unit, parts: list[Part], key: ShownKey | None = None) -> None:
        """Show `parts` (a side's key given: its render from before, if there is one)."""
        self.media_turn = 0
        self.media = []
        card = self.query_one("#card", Static)
        flow = self.query_one("#card-flow", Vertical)
        render = self._renders.get(key) if key is not None else None
        if render is not None or not any(isinstance(p, MediaRef) for p in parts):
            if flow.display:
                flow.remove_children()
                flow.display = False
            card.display = True
            if render is None:
                render = CardRender(card, _group(parts))
            self._renders = {key: render} if key is not None else {}
            card.update(render)
            return
        self._renders = {}
        widgets = self._widgets(unit, parts)
        card.display = False
        flow.display = True
        with self.app.batch_update():
            flow.remove_children()
            flow.mount_all(widgets)


def _group(parts: list[Part]) -> Group:
    """The renderables of `parts` as one Group (media references are laid out by `_widgets`)."""
    return Group(*(p for p in parts if not isinstance(p, MediaRef)))
