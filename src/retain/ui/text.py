"""The only doors through which untrusted text reaches a widget.

Everything from a deck (card text, names, groups, file paths, error messages)
goes through `sanitize` first, and is then wrapped so that Textual never parses
it as markup: `plain` gives a `Content`, `rich_plain` a Rich `Text`, and
`card_markdown` a Rich Markdown renderable with hyperlinks off (a link shows its
URL in brackets, as written; nothing becomes a clickable action or an OSC 8
sequence), and `$...$` / `$$...$$` math rendered as Unicode text (`core.mathtext`).
Tables, list numbers and links are drawn by `ui.card_blocks`: no cell is cut
with "…", and a number keeps its `.`.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual.content import Content

from retain.core.sanitize import sanitize, sanitize_line

if TYPE_CHECKING:
    from rich.markdown import Markdown

__all__ = ["card_markdown", "line", "plain", "rich_plain"]

DARK_CODE_THEME = "monokai"
LIGHT_CODE_THEME = "friendly"


def plain(text: str, style: str = "") -> Content:
    """Untrusted multi-line text as inert Content (never parsed as markup)."""
    return Content.styled(sanitize(text), style) if style else Content(sanitize(text))


def line(text: str, style: str = "") -> Content:
    """Untrusted text on one line (names, paths, messages)."""
    return Content.styled(sanitize_line(text), style) if style else Content(sanitize_line(text))


def rich_plain(text: str, style: str = "") -> Text:
    """Untrusted one-line text as a Rich Text (for DataTable cells)."""
    return Text(sanitize_line(text), style=style, no_wrap=True, overflow="ellipsis")


@functools.cache
def _markdown_kit() -> tuple[Any, dict[str, Any]]:
    """One parser for every card, and the attributes of an empty Rich Markdown to start from.

    Rich's `Markdown(...)` builds a new MarkdownIt parser each time, which costs
    more than parsing a card (about 3 ms of the 16 ms budget for the next card).
    """
    from rich.markdown import Markdown  # imported on first use: the home screen has no Markdown

    from retain.core.answer.shown import card_parser  # the one configuration (typed answers too)
    from retain.ui.card_blocks import LINK_URL, CardTable, NumberedItem

    template = Markdown("", hyperlinks=False)
    attrs = dict(vars(template))
    attrs["elements"] = {**Markdown.elements, "table_open": CardTable, "list_item_open": NumberedItem}
    attrs["inlines"] = Markdown.inlines | {LINK_URL}  # a link shown once: its text styled as a URL
    # html off: raw HTML in card text is text, shown as typed (as the Anki export escapes it);
    # with it on, Rich dropped every tag, and `What does <br> do?` lost its `<br>`.
    return card_parser(), attrs


# A card side shows at most this many lines (a real card is far shorter): Rich splits a
# paragraph's lines one at a time, each split copying the rest, so a stranger's `"x\n" * 60_000`
# (120 KB) took the study screen 20 s, deaf to `q`; 2,000 lines render in ~0.06 s.
MAX_SHOWN_LINES = 2_000


def _first_lines(text: str) -> str:
    """`text`, or its first `MAX_SHOWN_LINES` lines and a line saying how many more there are."""
    if text.count("\n") < MAX_SHOWN_LINES:
        return text
    cut = -1
    for _ in range(MAX_SHOWN_LINES):
        cut = text.find("\n", cut + 1)
    rest = text.count("\n", cut + 1) + (not text.endswith("\n"))
    return (
        f"{text[:cut]}\n\n*… {rest:,} more lines not shown: this card is too long to study whole; split it*"
    )


# And at most this many characters: Markdown reads punctuation-dense text slowly (a run of `*a`, of
# `_a_ ` or of `[` with a `]` at its end: about 5 us a character, twice that on a loaded machine),
# so a stranger's 1 MB card of one long line would keep the study screen deaf to `q` for seconds.
MAX_SHOWN_CHARS = 100_000


def _first_chars(text: str) -> str:
    """`text`, or its first `MAX_SHOWN_CHARS` characters (to the end of a line when one ends in the
    second half) and a line saying how many more there are."""
    if len(text) <= MAX_SHOWN_CHARS:
        return text
    cut = text.rfind("\n", MAX_SHOWN_CHARS // 2, MAX_SHOWN_CHARS)
    cut = MAX_SHOWN_CHARS if cut < 0 else cut
    return (
        f"{text[:cut]}\n\n*… {len(text) - cut:,} more characters not shown: this card is too long to"
        " study whole; split it*"
    )


def _shown_part(text: str) -> str:
    """What of `text` a card shows: its first lines (`_first_lines`), or fewer when they are more
    than `MAX_SHOWN_CHARS` characters (`_first_chars`: the first cut is the one that says so)."""
    shown = _first_lines(text)
    return shown if len(shown) <= MAX_SHOWN_CHARS else _first_chars(text)


@functools.lru_cache(maxsize=64)
def card_markdown(text: str, *, dark: bool = True) -> Markdown:
    """Card Markdown (front, back, extra): sanitised, code highlighted, links inert.

    The renderable is kept for the last cards shown (it is not changed by
    rendering), so showing a card again, or its front above its back, parses nothing.
    """
    from rich.markdown import Markdown

    from retain.core.mathtext import render_math
    from retain.ui.card_blocks import inert_links
    from retain.ui.card_text import shape_tokens

    parser, attrs = _markdown_kit()
    text = _shown_part(text)
    md = Markdown.__new__(Markdown)
    vars(md).update(attrs)  # whatever Rich's constructor sets, as it sets it for ""
    code_theme = DARK_CODE_THEME if dark else LIGHT_CODE_THEME
    md.markup = sanitize(render_math(text))  # math as Unicode first; sanitised last, whatever it made
    md.parsed = parser.parse(md.markup)
    md.code_theme = md.inline_code_theme = code_theme
    shape_tokens(md.parsed)  # the author's line breaks; no media file names
    inert_links(md.parsed)  # what the parser decoded (entities) sanitised too; URLs as written
    return md
