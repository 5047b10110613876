"""The text a card's Markdown shows (`shown_text` on one line, `shown_lines` a line per block):
what a typed answer is compared with.

The back is read as the study screen reads it: math rendered to Unicode first
(`core.mathtext`), then the same Markdown configuration the display uses
(CommonMark, raw HTML off, strikethrough and tables: `ui.text`). The text and
code of the result are joined, so an escape (`\\#include`), an entity (`&amp;`),
a `*` or `_` that opens no emphasis (`*args`, `_id`, `ls *.txt`) and code (`` `*` ``)
are the characters shown, and emphasis marks, link targets and images are not.
An ordered list item keeps its number as shown (`1.`), a bullet does not.

Most answers have nothing Markdown reads: they skip the parser (`needs_parser`).
The parser is slow on hostile text (up to about 10 us a character), so a check reads
at most `PARSE_BUDGET` characters of a card's back and accepted answers with it;
answers past that (a hostile deck's hundreds of long ones) are read as written.
"""

from __future__ import annotations

import functools
import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.token import Token

__all__ = [
    "PARSE_BUDGET",
    "as_written",
    "card_parser",
    "inline_text",
    "needs_parser",
    "shown_lines",
    "shown_text",
]

# A character Markdown may read, anywhere, or a block marker at a line's start (a heading, quote,
# setext underline, list bullet or number; a lone CR ends a line too). Without any, the text shows
# as written. (NUL: the parser shows it as U+FFFD.)
_MARKUP = re.compile(r"[\\&*_`~\[<|\x00]|(?:^|(?<=\r))[ \t]*(?:[#>=+-]|\d{1,9}[.)])", re.MULTILINE)
PARSE_BUDGET = 10_000  # characters of Markdown parsed for one card's answers
_LISTS = frozenset({"bullet_list_open", "ordered_list_open"})
_LIST_ENDS = frozenset({"bullet_list_close", "ordered_list_close"})


# How deep blocks and inline spans may nest. The commonmark preset's 20 dropped the text of a
# list nested 10 deep (a list item takes two levels) and everything after it, without a word;
# an Anki note's HTML lists come in up to 16 deep. The bound stays: past a few hundred levels
# the parser's recursion would overflow the stack.
MAX_NESTING = 100


def _as_written(url: str) -> str:
    return url


def card_parser() -> MarkdownIt:
    """A new parser with the configuration cards are shown with (`ui.text` uses it too): html off
    (raw HTML in card text is text, shown as typed), strikethrough and tables on, blocks nested
    up to `MAX_NESTING` levels, and a link's URL kept as written: markdown-it percent-encodes it
    and writes its host in punycode for HTML (`wiki/東京タワー` showed `wiki/%E6%9D%B1…`), and an
    autolink's text (`<https://x/%C3%88ve>`) was decoded. (No link is followed: a URL is text.)"""
    from markdown_it import MarkdownIt

    from retain.core.linklabel import linear_labels

    options = {"html": False, "maxNesting": MAX_NESTING}
    md = MarkdownIt("commonmark", options).enable("strikethrough").enable("table")
    md.normalizeLink = _as_written  # type: ignore[method-assign]  # (markdown-it calls it on the instance)
    md.normalizeLinkText = _as_written  # type: ignore[method-assign, assignment]  # (its argument: `link`)
    return linear_labels(md)


@functools.cache
def _markdown() -> MarkdownIt:
    return card_parser()


def _inline(children: list[Token], out: list[str]) -> None:
    for t in children:
        kind = t.type
        if kind == "text" or kind == "code_inline":
            out.append(t.content)
        elif kind == "softbreak" or kind == "hardbreak":
            out.append("\n")  # the display keeps the author's line breaks
        # images (their description is not typed), link and emphasis marks: nothing


def _parsed(text: str) -> str:
    """The text and code of `text` parsed, a line per block or line break (not yet tidied)."""
    out: list[str] = []
    numbers: list[int | None] = []  # per open list: the next item's number, None for bullets
    for token in _markdown().parse(text):
        kind = token.type
        if kind == "inline":
            _inline(token.children or [], out)
        elif kind == "code_block" or kind == "fence":
            out.append(token.content)
        elif kind in _LISTS:
            start = token.attrs.get("start", 1)
            numbers.append((start if isinstance(start, int) else 1) if kind == "ordered_list_open" else None)
        elif kind in _LIST_ENDS:
            numbers.pop()
        elif kind == "list_item_open" and numbers and (number := numbers[-1]) is not None:
            out.append(f"{number}. ")  # as the display numbers it: from the start (0 too), one by one
            numbers[-1] = number + 1
        elif kind == "th_close" or kind == "td_close":
            out.append(" ")
        elif token.nesting == -1:
            out.append("\n")  # a block ends its line
    return "".join(out)


def needs_parser(markdown: str) -> bool:
    """Whether `markdown` may show other than as written (math, or anything Markdown reads)."""
    return "$" in markdown or _MARKUP.search(markdown) is not None


def as_written(markdown: str) -> str:
    """`markdown` on one line, whitespace collapsed, read as plain text."""
    return " ".join(markdown.split())  # (`str.split` and `\\s` agree on what a space is)


def shown_lines(markdown: str) -> str:
    """What `markdown` shows, a line per block or line break, spaces collapsed, no blank lines; its
    source when it shows no text at all (a back of `-`, `#` or `***` is meant as written)."""
    text = markdown
    if "$" in text:
        from retain.core.mathtext import render_math

        text = render_math(text)
    if _MARKUP.search(text) is not None:
        lines = [as_written(line) for line in _parsed(text).split("\n")]
        shown = "\n".join(line for line in lines if line)
        if shown:
            return shown
        text = markdown
    return text


def shown_text(markdown: str) -> str:
    """`shown_lines` on one line: what a typed answer is compared with."""
    return as_written(shown_lines(markdown))


def inline_text(markdown: str) -> str:
    """What `markdown` shows read as one line of inline Markdown only (code, emphasis, links,
    escapes, entities, math), no block: what an author who writes `# of partitions` or
    `> 5 ms` means. `shown_text` differs from it where a block marker changed the text."""
    text = markdown
    if "$" in text:
        from retain.core.mathtext import render_math

        text = render_math(text)
    if _MARKUP.search(text) is None:
        return as_written(text)
    out: list[str] = []
    for token in _markdown().parseInline(text):
        _inline(token.children or [], out)
    return as_written("".join(out)) or as_written(markdown)
