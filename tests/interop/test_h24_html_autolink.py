"""h24: Anki text that Markdown would read as a link, an entity or a table shows as Anki shows it.

Before the fix the Anki field `&lt;a0:*&gt;` (Anki shows `<a0:*>`) came in as the Markdown
`<a0:*>`, an autolink: the card showed a link `a0:*` without its brackets (and the escaped try,
`<a0:\\*>`, a link to `a0:%5C*`). So did `<user@host>`. The text is escaped per piece (the text
between two tags), so what a piece ends in could meet the next piece: `&amp;am<span>p;</span>`
made the entity `&amp;` (shown `&`), `[a]<span>(b)</span>` a link, and a line of `-`, `|` and `:`
under a line with a `|` a table. Now a `<` that could open an autolink, an `&` that could begin
an entity and a `]` that could end a link's text are escaped when the piece ends before Markdown
would know, a table's delimiter row begins with an escape, and the quick check (`_may_act`) says
such text may act, so the escapes are only dropped where the text renders the same without them.
Raw HTML in card text is text to retain's Markdown (`html` off), as it is to Anki.
"""

from __future__ import annotations

import html
import re

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from retain.interop.html import _converted, _may_act, _shown, html_to_text, markdown_to_html

_SPACES = re.compile(r"[ \t]+")
_BREAK = re.compile(r"<br>\n?|</p>\n<p>")
# Anki's own markup in plain text: MathJax, `[$]` math and `[sound:]` are read as such, by design.
_ANKI_SYNTAX = re.compile(r"\\[(\[]|\[\$|\[sound:|\[latex\]")
# Neutral tags Anki shows nothing of: the text between them is escaped piece by piece.
_NEUTRAL = ["", "<span></span>", "<span>", "</span>", '<font color="red">', "</font>", '<a href="x">', "</a>"]


def _lines(text: str) -> list[str]:
    """Lines as a browser shows them: spaces collapsed, none at a line's edges, blank lines out."""
    lines = (_SPACES.sub(" ", line).strip() for line in text.split("\n"))
    return [line for line in lines if line]


def _anki_field(text: str) -> str:
    """The Anki field that shows `text` (escaped, newlines as `<br>`)."""
    return html.escape(text, quote=False).replace("\n", "<br>")


def _shown_lines(markdown: str) -> list[str] | None:
    """The lines a card shows for `markdown`, or None when Markdown made anything but paragraphs
    and line breaks of it (a link, emphasis, code, a heading, a list, a table, ...) or math."""
    rendered, maths = _shown(markdown)
    body = _BREAK.sub("\n", rendered.strip())
    body = body.removeprefix("<p>").removesuffix("</p>") if body.startswith("<p>") else body
    if maths or "<" in body:
        return None
    return _lines(html.unescape(body))


def _assert_shown_as_anki_shows(field: str, text: str) -> None:
    markdown = html_to_text(field)
    assert _shown_lines(markdown) == _lines(text), (field, markdown, _shown(markdown)[0])


@pytest.mark.parametrize(
    "text",
    [
        "<a0:*>",
        "<a0:b>",
        "see <http://example.com/a_b> now",
        "<a@b.c>",
        "mail <user.name+tag@example.org>",
        "<mailto:x@y>",
        "<b>bold</b> is written <i>so</i>",
        "<!-- not a comment -->",
        "<br>",
        "&amp; &lt; &#65; &#x41;",
        "a | b\n--- | ---",
        "a|b\n:-|-:",
        "|a|b|\n|-|-|",
        "[foo]: /url\n[foo]",
        "[a](b) and ![c](d)",
    ],
)
def test_anki_text_markdown_would_act_on_shows_as_anki_shows_it(text: str) -> None:
    _assert_shown_as_anki_shows(_anki_field(text), text)


@pytest.mark.parametrize(
    ("field", "text"),
    [
        ("&lt;a0:<span>b</span>&gt;", "<a0:b>"),
        ("&lt;a0:<i></i>b&gt;", "<a0:b>"),
        ('&lt;a@<font color="red">b</font>&gt;', "<a@b>"),
        ("&amp;am<span>p;</span>", "&amp;"),
        ("&amp;#6<span>5;</span>", "&#65;"),
        ("&amp;<span>lt;</span>", "&lt;"),
        ("[a]<span>(b)</span>", "[a](b)"),
        ("[a]<span>[b]</span>", "[a][b]"),
        ("[foo]<span>: /url</span><br>[foo]", "[foo]: /url\n[foo]"),
        ("a|b<br><span>-</span>|-", "a|b\n-|-"),
    ],
)
def test_markdown_split_across_tags_shows_as_anki_shows_it(field: str, text: str) -> None:
    """The text between tags is escaped piece by piece: what one piece ends in may meet the next."""
    _assert_shown_as_anki_shows(field, text)


@pytest.mark.parametrize("text", ["<a0:*>", "<a@b>", "x <a:b> y", "a|b\n:-|-"])
def test_the_quick_check_says_an_autolink_or_a_table_may_act(text: str) -> None:
    assert _may_act(text)


def test_an_autolink_looking_text_goes_back_to_anki_as_text() -> None:
    """The card's Markdown exports back as the text Anki had (no `<a href>`)."""
    markdown = html_to_text("&lt;a0:*&gt; and &lt;a@b.c&gt;")
    exported = markdown_to_html(markdown)
    assert "<a " not in exported and html.unescape(exported) == "<a0:*> and <a@b.c>", exported


_ALPHABET = "abzAZ09 .:;@/<>&#!*_`~[]()|-=+\\\n\t"


@settings(max_examples=800, deadline=None)
@given(st.text(alphabet=_ALPHABET, max_size=18))
@example("<a0:*>")
@example("<_@a>+:@")
@example("|+\n:-")
@example("a&#;b&amp;")
def test_plain_anki_text_shows_as_anki_shows_it(text: str) -> None:
    """Any text Anki shows (a field of it escaped) comes in as Markdown that shows the same text
    and nothing else: no link, emphasis, code, table, heading or math Anki does not show."""
    if _ANKI_SYNTAX.search(text):
        return
    _assert_shown_as_anki_shows(_anki_field(text), text)


@settings(max_examples=800, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(_NEUTRAL), st.text(alphabet=_ALPHABET, max_size=4)), max_size=8))
@example([("", "<a0:"), ("<span>", "b>")])
@example([("", "&am"), ("<span>", "p;")])
@example([("", "[a]"), ("</span>", "(b)")])
@example([("", "[-\\]"), ("</span>", ":a#")])
def test_anki_text_between_tags_shows_as_anki_shows_it(pieces: list[tuple[str, str]]) -> None:
    """The same, with tags Anki shows nothing of between the pieces of the text."""
    text = "".join(piece for _tag, piece in pieces)
    if _ANKI_SYNTAX.search(text):
        return
    field = "".join(tag + _anki_field(piece) for tag, piece in pieces)
    _assert_shown_as_anki_shows(field, text)


@settings(max_examples=800, deadline=None)
@given(st.text(alphabet=_ALPHABET, max_size=18))
@example("<a0:*>")
def test_escapes_are_dropped_only_where_the_text_renders_the_same(text: str) -> None:
    """The quick check (`_may_act`) lets the escapes go without rendering only when Markdown
    cannot act on the text (the alphabet of `test_anki_shared_decks`'s check, wider)."""
    field = _anki_field(text)
    raw = _converted(field, None, escape=False)
    if not _may_act(raw):
        assert _shown(raw) == _shown(_converted(field, None, escape=True))
