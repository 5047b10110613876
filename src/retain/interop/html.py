"""Card text between retain (Markdown) and Anki (HTML).

`markdown_to_html` is what exports write: the card's Markdown rendered as HTML
(CommonMark, raw HTML in card text escaped, a single newline a line break), so
Anki shows bold, lists, headings, quotations and code blocks as retain does. A lone paragraph is not
wrapped in `<p>`. Media placeholders become `<img src="DECK.media/HASH">` (with
`alt="..."` when the image has a description) and `[sound:DECK.media/HASH]` (a sound or
a video by its name, or a reference described `audio`: what Anki plays),
which the package writer points at the packed files. Text that Anki would read as its own markup
(`[sound:x]`, `[latex]`, ...: `escape_anki`) goes with its `[` as `&#91;`, wherever it stands.

`html_to_text` reads any Anki field back: bold/italic/code become Markdown,
`<s>`/`<strike>`/`<del>` Markdown's `~~` strike where Markdown reads it as one, `<sup>`/`<sub>`
Unicode's superscripts and subscripts when it has them all (10⁻³, H₂O), else `^(...)`/`_(...)`,
`<pre>` a fenced code block, list items `- ` or `1. ` lines (an `<ol start>` or a first `<li
value>` the list's first number, a later `value` a list of its own; `Lines`: what is in an item is indented to
its text, and what follows a list comes after a blank line, so that Markdown reads the same
items), `<hr>` a `***` rule, `<h1>`..`<h6>` ATX headings (`## `, each line of one a heading, with
blank lines around), `<blockquote>` `> ` lines (nested `> > `, a blank line in one a `>` line, what
is in it under the prefix), every other block element of the HTML standard (`_BLOCKS`:
`<center>`, `<dl>`, `<section>`, ...) its own lines, `<br>` a line break; bold
and italic are closed before a block boundary and begun again after it (Markdown's emphasis
ends with its block), and a span around nothing shown is left out; a table a Markdown table
(GFM: the first row its header; when a cell holds a line break or a block, or spans cells,
Markdown cannot hold it and its rows are lines of `a | b`), ruby `base(reading)`,
MathJax and Anki's `[$]` math retain's `$` math, other text Markdown-escaped
where Markdown would act on it (so it shows as Anki shows it: `<a:b>` no autolink, `&amp;`
no entity, `--|--` under `a|b` no table; see `html_text`), media (`<img>`,
`<audio>`/`<video>`, `<object>`, `[sound:...]`) as placeholders through `media`, placed
outside any code (see `html_media`; an image at an http(s) address a link to it); scripts and
styles are dropped, and so is an element Anki does not show (`display: none`, `hidden`: see
`html_layout.Hidden`) with all it holds; every other tag is removed. Exports keep the exact
Markdown beside the HTML (see `ankinote`), so a round trip does not depend on
this conversion. `text_to_html` (escaped text, newlines as `<br>`) reads an Anki text file's
plain (`#html:false`) fields.
"""

from __future__ import annotations

import html
import re
from collections import Counter
from dataclasses import dataclass, replace
from html.parser import HTMLParser
from typing import Any

from retain.core.linklabel import linear_labels
from retain.core.mathtext import math_spans
from retain.core.mediaref import REF_RE
from retain.interop.html_layout import (
    LEAD_PIECES,
    MAX_LIST_NUMBER,
    MAX_SPANS,
    QUOTE_MARK,
    Hidden,
    Lines,
    OpenHeading,
    OpenList,
    OpenQuote,
    Span,
    Table,
    line_prefix,
    list_number,
)
from retain.interop.html_media import (
    AV,
    MEDIA_TAGS,
    MediaFn,
    MediaPlacement,
    image_description,
    kind_by_name,
    link_destination,
    sounds_shown,
)
from retain.interop.html_spans import BLANK_EDGE, INLINE, merged, nested
from retain.interop.html_text import (
    EDGE_UNDERSCORE,
    LEAD,
    LEAD_CHARS,
    STRIKE_CLOSE,
    STRIKE_OPEN,
    as_is,
    code_span,
    escape_markdown,
    holds_marks,
    struck,
    subscript,
    superscript,
    text_markdown,
)

__all__ = ["ANKI_SYNTAX", "escape_anki", "html_to_text", "is_plain", "markdown_to_html", "text_to_html"]

# Block-level elements, as the HTML standard's rendering section lays them out (`display: block`,
# a list item, a table, its rows and caption): each begins and ends a line, as Anki shows it.
# fmt: off
_BLOCKS = frozenset({
    "address", "article", "aside", "blockquote", "body", "caption", "center", "dd", "details",
    "dialog", "dir", "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form",
    "h1", "h2", "h3", "h4", "h5", "h6", "header", "hgroup", "hr", "html", "legend", "li",
    "listing", "main", "menu", "nav", "ol", "p", "plaintext", "pre", "search", "section",
    "summary", "table", "tr", "ul", "xmp",
})
# fmt: on
_LISTS = {"ul": False, "ol": True, "menu": False, "dir": False}  # list elements: ordered or not
_OTHER_MARKER = {"-": "+", "+": "-", ".": ")", ")": "."}  # (a list beside one: Markdown joins same markers)
_SKIP = frozenset({"script", "style", "head", "title", "template", "rp"})  # <rp>: ruby's fallback brackets
# Tags whose text is marked when they close (`_Converter._end_mark`), by what they mark.
_MARKS = {"sup": "script", "sub": "script", "s": "strike", "strike": "strike", "del": "strike"}
_MANY_NL = re.compile(r"\n{3,}")
# Blank lines (in a quotation, its marks only): one before another, and at the text's edges.
_BLANK_RUN = re.compile(rf"^[ \t{QUOTE_MARK}]*+\n(?=[ \t{QUOTE_MARK}]*+(?:\n|\Z))", re.MULTILINE)
_MAX_LIST_DEPTH = 16  # nested lists indented as such; deeper ones stay at this depth
_MAX_QUOTE_DEPTH = 16  # nested quotations marked as such (`> > `); deeper ones are lines in these
_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
# A tag whose parts hold no `<` or `>`: trying one at each `<` stops at the next `<` or `>`.
_TAG = re.compile(
    r"""</?[A-Za-z][^<>"']*+(?:(?:"[^"<>]*+"|'[^'<>]*+')[^<>"']*+)*+>|<![^<>-][^<>]*+>|<!>|<\?[^<>]*+>"""
)


def _defuse(value: str) -> str:
    """`value` with every `<` that opens no complete tag or comment written as `&lt;`.

    Python's HTMLParser re-scans to the end of the text for each construct that
    never closes (`<a ` or `<!--` repeated: 60 kB took minutes), so such text is
    made plain text first, in one pass.
    """
    out: list[str] = []
    pos = 0
    no_close_from = len(value) + 1  # no `-->` at or after this offset
    i = value.find("<")
    while i >= 0:
        end = -1
        if value.startswith("<!--", i):
            if i < no_close_from:
                close = value.find("-->", i + 4)
                if close < 0:
                    no_close_from = i
                else:
                    end = close + 3
        else:
            m = _TAG.match(value, i)
            if m is not None:
                end = m.end()
        if end < 0:
            out.append(value[pos:i])
            out.append("&lt;")
            pos = i + 1
            i = value.find("<", i + 1)
        else:
            i = value.find("<", end)
    if not out:
        return value
    out.append(value[pos:])
    return "".join(out)


# What follows a `[` that Anki reads as its own markup, wherever it stands in a field's HTML (text,
# code, an attribute; rslib `text.rs` AV_TAGS, `latex.rs`): a sound, speech, a LaTeX image.
ANKI_SYNTAX = r"(?:sound:|/?anki:|/?latex\]|/?\$\$?\])"
_ANKI_OPENER = re.compile(r"\[(?=" + ANKI_SYNTAX + ")", re.IGNORECASE)


def escape_anki(text: str) -> str:
    """Field HTML with the `[` of each of Anki's own markups (`[sound:x]`, `[anki:tts]`,
    `[latex]`, `[$]`, `[$$]`) as `&#91;`: Anki shows the text and acts on none of it."""
    return _ANKI_OPENER.sub("&#91;", text) if "[" in text else text


def _escaping(rule: Any) -> Any:
    """A render rule (bound) whose HTML has Anki's markup escaped (`escape_anki`): the text a card
    shows literally, in text, code and a link's attributes. Only the image rule writes `[sound:`,
    for the card's own media, so text that only looks like such a reference stays text."""

    def escaped(self: Any, tokens: Any, idx: int, options: Any, env: Any) -> str:
        return escape_anki(str(rule(tokens, idx, options, env)))

    return escaped


_MEDIA_SRC = re.compile(r"^[a-z0-9][a-z0-9-]*\.media/[^/\\\s]+\Z")  # one name in a deck's media folder
_MEDIA_DIR = re.compile(r"^[a-z0-9][a-z0-9-]*\.media/")  # a target in a deck's media folder
_md: Any = None


def _renderer() -> Any:
    global _md
    if _md is None:
        from markdown_it import MarkdownIt

        md = MarkdownIt("commonmark", {"html": False, "breaks": True, "xhtmlOut": False})
        md.enable("strikethrough").enable("table")

        def image(self: Any, tokens: Any, idx: int, options: Any, env: Any) -> str:
            token = tokens[idx]
            src = str(token.attrs.get("src", ""))
            alt = "".join(c.content for c in token.children or [])
            if _MEDIA_SRC.match(src) and (alt == "audio" or kind_by_name(src) == "audio"):  # played
                return f"[sound:{html.escape(src)}]"
            shown = image_description(alt, src)  # the description travels too, never a file name
            described = f' alt="{escape_anki(html.escape(shown))}"' if shown else ""
            return f'<img src="{html.escape(src)}"{described}>'

        md.add_render_rule("image", image)
        renderer: Any = md.renderer
        for name in ("text", "code_inline", "code_block", "fence"):  # (never own media)
            md.add_render_rule(name, _escaping(renderer.rules[name]))
        token = renderer.renderToken  # every other tag (a link's, its title and href too)
        renderer.renderToken = lambda *args: escape_anki(token(*args))
        plain = md.normalizeLink

        def normalize_link(url: str) -> str:
            """A name in a deck's media folder is a file's name, not a URL: a `%` in it is the
            character (`%00{` -> `%2500%7B`, which unquotes to the name), never an escape kept."""
            return plain(url.replace("%", "%25") if _MEDIA_DIR.match(url) else url)

        md.normalizeLink = normalize_link  # type: ignore[method-assign]  # (markdown-it calls it on the instance)
        _md = linear_labels(md)  # (a run of `[` took the export 15 s per MB)
    return _md


# Text without anything Markdown acts on renders as itself with <br> line breaks: skip the parser.
_MARKDOWN_SYNTAX = re.compile(
    r"[\\`*_\[\]!<>&~|#]|\n\s*\n|^\s*(?:[-+=]|\d+[.)])|^ {4}|\t|^\s|\s$|  \n", re.MULTILINE
)
# Text that is one paragraph (no line starts a block): only the inline parser is needed.
_BLOCK_SYNTAX = re.compile(r"\n\s*\n|^\s|\s$|  \n|\\\n|\t|^(?:[-+*=_>#|~`<]|\d+[.)])", re.MULTILINE)


def is_plain(text: str) -> bool:
    """True when Markdown leaves `text` as it is (no syntax, no paragraphs, no math): the parser is
    skipped."""
    return not _MARKDOWN_SYNTAX.search(text) and not math_spans(text)


# A math span while the Markdown around it is rendered: private-use marks Markdown leaves alone.
_MATH_OPEN, _MATH_CLOSE = "\ue010", "\ue011"
_MATH_MARK = re.compile("\ue010(\\d+)\ue011")


def _math_spans(text: str) -> list[tuple[int, int, bool]]:
    """`math_spans`, less those inside a media reference's target (`![a](pics.media/$0$)` names a
    file, as `media_refs` reads it: a math mark there would be percent-encoded into the src)."""
    spans = math_spans(text)
    if not spans or "![" not in text:
        return spans
    targets = [m.span("target") for m in REF_RE.finditer(text)]
    return [s for s in spans if not any(a < s[1] and s[0] < b for a, b in targets)]


def markdown_to_html(text: str) -> str:
    """Card Markdown as Anki field HTML (see the module docstring). Math (`$...$`, `$$...$$`, as the
    study screen finds it) becomes MathJax, `\\(...\\)` and `\\[...\\]`, which Anki renders; the
    Markdown around it is rendered without touching it."""
    if not text:
        return ""
    spans = _math_spans(text)
    if not spans or _MATH_OPEN in text or _MATH_CLOSE in text:
        return _markdown_html(text)
    parts: list[str] = []
    maths: list[str] = []
    pos = 0
    for start, end, display in spans:
        width = 2 if display else 1
        inner = escape_anki(html.escape(text[start + width : end - width].strip(), quote=False))
        maths.append(f"\\[{inner}\\]" if display else f"\\({inner}\\)")
        parts += [text[pos:start], f"{_MATH_OPEN}{len(maths) - 1}{_MATH_CLOSE}"]
        pos = end
    parts.append(text[pos:])
    return _MATH_MARK.sub(lambda m: maths[int(m[1])], _markdown_html("".join(parts)))


def _markdown_html(text: str) -> str:
    if not _MARKDOWN_SYNTAX.search(text):  # (no `[` either: nothing of Anki's markup)
        return text.replace('"', "&quot;").replace("\n", "<br>")
    md = _renderer()
    if not _BLOCK_SYNTAX.search(text):  # one paragraph: same HTML as the full parse, at half the cost
        return str(md.renderInline(text)).replace("<br>\n", "<br>")
    out = str(md.render(text.replace("\r\n", "\n"))).strip()
    if _one_paragraph(out):
        out = out[3:-4]
    return out.replace("<br>\n", "<br>")


def _one_paragraph(out: str) -> bool:
    """True when the rendered HTML is a single `<p>...</p>` (it is then written unwrapped).

    String tests, not a regex: a `(?:(?!<p>).)*` over the paragraph held ~75 bytes per character.
    """
    return len(out) >= 7 and out.startswith("<p>") and out.endswith("</p>") and out.find("<p>", 3) < 0


def text_to_html(text: str) -> str:
    """Escape for an Anki field; newlines become `<br>`."""
    return html.escape(text.replace("\r\n", "\n"), quote=False).replace("\n", "<br>")


class _Converter(MediaPlacement, HTMLParser):
    out: Lines

    def __init__(self, media: MediaFn | None, escape: bool = True) -> None:
        super().__init__(convert_charrefs=True)
        self.out = Lines()
        self._media_init(media)
        self.escape = escape
        self.code_text: list[str] | None = None  # the text of an open inline <code> (literal)
        self.skip = 0
        self.blocks = False
        self.pre = 0
        self.lists: list[OpenList] = []  # the open lists, innermost last
        self.quotes: list[OpenQuote] = []  # the open <blockquote>s, innermost last
        self.quoted: list[int] = []  # per quotation marked (`OpenQuote.shown`): how many lists it is in
        self.headings: list[OpenHeading] = []  # the open <h1>..<h6>, innermost last
        self.quotes_shown = False  # a quotation was marked `> `
        self.headed = -1  # `Lines.texts` when the last heading with text ended
        self.spans: list[Span] = []  # the open bold and italic spans, innermost last
        self.seq = 0  # spans and marks begun
        self.untracked: Counter[str] = Counter()  # marks written as they came (in code, or too many)
        self.cells = 0  # table cells begun in the current row
        self.tables: list[Table] = []  # the open tables, innermost last
        self.marks: list[_Mark] = []  # the open <sup>, <sub> and <s>/<strike>/<del>, innermost last
        self.open_marks: Counter[str] = Counter()  # how many of `marks` each tag has
        self.strikes = True  # False when the field holds the strike sentinels itself (never struck)
        self.hidden = Hidden(_BLOCKS | {"td", "th"})  # an element Anki does not show (`display: none`)

    def _end_code(self) -> None:
        """Close an open inline <code> (a block, a line break or the end of the field comes first)."""
        if self.code_text is not None:
            code = "".join(self.code_text)
            if code:
                self._reopen_spans()
            self.out.append(code_span(code))
            self.code_text = None

    def _open_span(self, mark: str) -> None:
        """A bold or italic span: its mark is written before its first text (`_reopen_spans`), so
        that it never stands before a space or a line break (`** a` is no emphasis)."""
        if self.pre or len(self.spans) >= MAX_SPANS:
            self.out.append(mark)  # (in code a mark is text)
            self.untracked[mark] += 1
        else:
            self.seq += 1
            self.spans.append(Span(mark, -1, 0, self.seq))

    def _close_span(self, mark: str) -> None:
        """The end of the innermost open span of `mark`; a stray end tag is nothing (as in a
        browser)."""
        if self.untracked[mark]:
            self.untracked[mark] -= 1
            self.out.append(mark)
            return
        for k in range(len(self.spans) - 1, -1, -1):
            if self.spans[k].mark == mark:
                span = self.spans.pop(k)
                if span.at >= 0 and not self._unwritten(span):
                    self.out.close_mark(mark)
                return

    def _unwritten(self, span: Span) -> bool:
        """Take back a span's mark when no text followed it (`****` is a rule, not bold)."""
        out = self.out
        if out.texts != span.texts or span.at >= len(out) or not out[span.at].endswith(span.mark):
            return False
        out[span.at] = out[span.at][: -len(span.mark)]
        if span.at == len(out) - 1 and not out[-1]:
            out.pop()  # (the output ends where it did before the mark)
        out.texts -= 1  # (its mark was all the piece's text: spans around it are empty too)
        return True

    def _break_spans(self) -> None:
        """A block boundary in bold or italic: Markdown's emphasis ends with its block, so each
        written span is closed before it (or unwritten when nothing followed its mark) and begun
        again at the next text."""
        for span in reversed(self.spans):
            if span.at >= 0 and not self._unwritten(span):
                self.out.close_mark(span.mark)
            span.at = -1

    def _reopen_spans(self) -> None:
        """Write the marks of the spans waiting for text (outermost first), before text. A `<sup>`
        or strike begun just here begins after them (it is inside the span)."""
        at = len(self.out)
        written: list[int] = []  # the `seq` of each span written, in order
        for span in self.spans:
            if span.at < 0:
                self.out.append(span.mark)
                span.at, span.texts = len(self.out) - 1, self.out.texts
                written.append(span.seq)
        k = len(self.marks) - 1
        while written and k >= 0 and self.marks[k].start == at:
            self.marks[k] = replace(self.marks[k], start=at + sum(seq < self.marks[k].seq for seq in written))
            k -= 1

    def _remote(self, text: str, address: str) -> str:
        plain = escape_markdown if self.escape else as_is
        return f"[{plain(text, self.cells > 0)}]({link_destination(address)})"

    def _place(self, shown: str) -> None:
        if not self.pre:
            self._reopen_spans()
        super()._place(shown)

    def close(self) -> None:
        super().close()
        self._end_code()
        self.out.end_bare()  # (an empty last item)
        for span in reversed(self.spans):  # a span left open ends with the field, as a browser ends it
            if span.at >= 0 and not self._unwritten(span):
                self.out.close_mark(span.mark)
        while self.tables:  # a table never closed: as lines, as it was read
            self.tables.pop()
        if self.out.head and self.escape and not self.out.ends_line():
            self.out.unclose_heading()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.hidden.start(tag, attrs):
            return
        if tag in _SKIP:
            self.skip += 1
            return
        if self.skip:
            return
        if self.av:  # in <audio>/<video>/<object>: its first <source>, or fallback content
            self.fallback_start(tag, attrs)
            return
        if tag in _BLOCKS or tag in ("br", "td", "th"):
            self._end_code()
            if tag != "br" or self.out.head:  # (a heading's line ends its emphasis, as a block does)
                self._break_spans()
        if tag == "br":
            if self.out.head:
                self._newline()  # (a heading is one line: the next is a heading of its own)
            else:
                self.out.append("\n")
        elif tag == "pre":
            self.blocks = True
            if not self.pre:
                self._newline()
                self.out.head = ""  # (code is no heading's)
                self._open_fence()
            self.pre += 1
        elif tag == "hr":
            self.blocks = True
            self._newline()
            head, self.out.head = self.out.head, ""
            # `***`: a rule wherever it stands (`---` under text underlines a heading)
            self.out.append("---\n" if self.pre else "***\n")
            self.out.head = head
            self.out.fresh = not self.pre
            self.out.gap = self.out.gap or bool(head)
        elif tag == "blockquote":
            self._open_quote()
        elif tag in _HEADINGS:
            self._open_heading(int(tag[1]))
        elif tag in _LISTS:
            self.blocks = True
            start = list_number(dict(attrs).get("start")) if tag == "ol" else None
            self._open_list(_LISTS[tag], start=1 if start is None else start)
        elif tag == "li":
            self.blocks = True
            self._open_item(list_number(dict(attrs).get("value")))
        elif tag in _BLOCKS:
            self.blocks = True
            self._newline()
            if tag == "tr":
                self.cells = 0
                if self.tables:
                    self.tables[-1].row(len(self.out))
            elif tag == "table":
                if self.tables:  # a table in a table: lines for both
                    self.tables[-1].simple = False
                self.tables.append(Table(len(self.out), simple=not self.tables))
                self._indent()  # (a table's cells hold no heading)
        elif tag in ("td", "th"):
            if self.cells:
                self.out.append(" | ")
            self.cells += 1
            if self.tables:
                spans = any(k in ("colspan", "rowspan") and (v or "1").strip() != "1" for k, v in attrs)
                self.tables[-1].cell(len(self.out), spans)
        elif tag == "rt":
            self._reopen_spans()
            self.out.append("(")
        elif tag in MEDIA_TAGS:
            self.media_start(tag, attrs)
        elif tag == "code" and self.pre:
            return
        elif self.code_text is not None:
            return  # inside inline code everything is literal text
        elif tag == "code":
            self.code_text = []
        elif tag in _MARKS:
            self.out.settle()
            line = self.out.ends_line()
            self.seq += 1
            at, lead = len(self.out), self.out.lead()
            self.marks.append(_Mark(tag, at, len(self.tables), self.cells, self.pre, line, self.seq, lead))
            self.open_marks[tag] += 1
        elif tag in INLINE:
            self._open_span(INLINE[tag])

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP:
            return
        self.handle_starttag(tag, attrs)
        if tag in AV:  # `<audio src="..."/>`: no content follows
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if self.hidden.end(tag):
            return
        if tag in _SKIP:
            self.skip = max(0, self.skip - 1)
            return
        if self.skip:
            return
        if self.av and self.fallback_end(tag, tag in _BLOCKS or tag in ("code", "td", "th")):
            return
        if tag in ("td", "th", "tr") and self.tables:
            self.tables[-1].end_cell(len(self.out))
        if tag in _BLOCKS or tag in ("td", "th"):
            self._end_code()
            self._break_spans()
        if tag == "pre" and self.pre:
            self.pre -= 1
            if not self.pre:
                self._close_fence(drop_empty=self.reopened)
                self.out.fresh = True
                self._indent()
                self.out.gap = self.out.gap or bool(self.out.head)
        elif tag == "table" and self.tables:
            table = self.tables.pop()
            self._newline()
            table.close(self.out)
            self.cells = 0
            self.out.fresh = True
            self._indent()
        elif tag == "blockquote" and self.quotes:
            self._close_quote()
        elif tag in _HEADINGS and self.headings:
            self._close_heading()
        elif tag in _LISTS:
            self._close_list()
        elif tag == "li":
            self._close_item()
        elif tag in _BLOCKS:
            self._newline()
        elif tag == "code" and self.pre:
            return
        elif tag == "code":
            self._end_code()  # (already closed by a line break or a block: nothing to write)
        elif self.code_text is not None:
            return
        elif tag in _MARKS:
            self._end_mark(tag)
        elif tag in INLINE:
            self._close_span(INLINE[tag])
        elif tag == "rt":
            self.out.append(")")

    def _end_mark(self, tag: str) -> None:
        """Close the innermost open `tag` (marks opened inside it and left open stay as text) and
        write its text marked (`superscript`, `subscript`, `STRIKE_OPEN`): in place, so what
        `out` indexes hold stays where it is. Text that holds a line break or a table cell, or whose
        block or table changed, is left as it is; so is a mark inside one of its kind (the outer one
        marks it all: each piece of text is marked at most twice, a strike and a script)."""
        if not self.open_marks[tag]:
            return
        at = next(k for k in range(len(self.marks) - 1, -1, -1) if self.marks[k].tag == tag)
        mark = self.marks[at]
        self.open_marks.subtract(m.tag for m in self.marks[at:])
        del self.marks[at:]
        family = _MARKS[tag]
        if any(self.open_marks[t] for t, f in _MARKS.items() if f == family):
            return
        same_place = (mark.tables, mark.cells, mark.pre) == (len(self.tables), self.cells, self.pre)
        if not same_place or mark.start >= len(self.out):
            return
        if family == "strike" and (self.pre or not self.strikes):
            return  # (code shows no strike)
        inner = "".join(self.out[mark.start :])
        prefix = mark.lead if inner.startswith(mark.lead) else ""  # (the line's `> `, `## `: no text)
        inner = inner[len(prefix) :]
        if "\n" in inner or not inner.strip():
            return
        if family == "strike":
            core = inner.strip()
            lead, trail = inner[: len(inner) - len(inner.lstrip())], inner[len(inner.rstrip()) :]
            shown = f"{lead}{STRIKE_OPEN}{core}{STRIKE_CLOSE}{trail}"
        else:
            plain = as_is if self.pre or not self.escape else escape_markdown
            indent = inner[: len(inner) - len(inner.lstrip())] if mark.line else ""
            shown = indent + (superscript if tag == "sup" else subscript)(inner, plain)
        self.out[mark.start : -1] = [""] * (len(self.out) - 1 - mark.start)
        self.out[-1] = prefix + shown

    def _newline(self) -> None:
        """End the line, unless none is begun (a block's first line is an item's marker line). A
        heading's line is its own heading: what follows it comes after a blank line."""
        out = self.out
        if not out.ends_line() and not out.at_marker():
            if out.head:
                if self.escape:
                    out.unclose_heading()
                out.gap = True
            out.append("\n")

    def _indent(self) -> None:
        """The line prefix: the open items' indentation (from `_MAX_LIST_DEPTH` lists down, no
        deeper: a field of `<ul><li>` nested thousands deep stays linear; Markdown renders no deeper
        anyway) and the quotations' `> `, and the open heading's marker (not in code or a table)."""
        self.out.indent = line_prefix(self.lists[:_MAX_LIST_DEPTH], self.quoted, self.out.mark)
        heading = self.headings[-1] if self.headings else None
        shown = heading is not None and heading.shown and not self.pre and not self.tables
        self.out.head = "#" * heading.level + " " if heading is not None and shown else ""

    def _open_quote(self) -> None:
        """A `<blockquote>`: its lines begin with `> ` (in code, in a table's cell, or nested past
        `_MAX_QUOTE_DEPTH`, they are lines as they were)."""
        self.blocks = True
        self._newline()
        shown = not self.pre and not self.tables and len(self.quoted) < _MAX_QUOTE_DEPTH
        if shown:
            self.out.settle()  # (the blank line a list or a heading before it wants is not in it)
            self.quoted.append(len(self.lists))
            self.quotes_shown = True
        self.quotes.append(OpenQuote(len(self.lists), len(self.headings), self.out.texts, shown))
        self._indent()

    def _close_quote(self) -> None:
        """End the innermost quotation, and what is still open in it (as a browser does); text after
        it comes after a blank line (Markdown would read it as the quotation's next line)."""
        quote = self.quotes[-1]
        while len(self.headings) > quote.headings:
            self._close_heading()
        while len(self.lists) > quote.lists:
            self._close_list()
        self._newline()
        self.quotes.pop()
        if quote.shown:
            self.quoted.pop()
            self.out.gap = self.out.gap or self.out.texts > quote.texts
        self._indent()

    def _open_heading(self, level: int) -> None:
        """An `<h1>`..`<h6>`: each line of its text an ATX heading (`## `), after a blank line (not
        on a list item's marker line or a quotation's first line) and before one. In code or a
        table's cell its lines are lines (Markdown's cells hold no heading)."""
        self.blocks = True
        self._newline()
        out = self.out
        shown = not self.pre and not self.tables
        self.headings.append(OpenHeading(level, len(self.lists), len(self.quotes), out.texts, out.gap, shown))
        quote_begins = bool(self.quotes) and self.quotes[-1].shown and self.quotes[-1].texts == out.texts
        if shown and not (out.at_marker() or out.blank_before or quote_begins):
            out.gap = True
        self._indent()

    def _close_heading(self) -> None:
        heading = self.headings[-1]
        while len(self.quotes) > heading.quotes:
            self._close_quote()
        while len(self.lists) > heading.lists:
            self._close_list()
        self._newline()
        self.headings.pop()
        if heading.shown:  # (a heading with no text left no line, nor a blank line before it)
            self.out.gap = True if self.out.texts > heading.texts else heading.gap
            self.headed = self.out.texts if self.out.texts > heading.texts else self.headed
        self._indent()

    def _close_inside(self) -> None:
        """End the quotations and headings begun in the innermost list's item (a browser's
        `</li>` and `</ul>` end them): their prefix is no part of the next item's lines."""
        depth = len(self.lists)
        while (self.quotes and self.quotes[-1].lists >= depth) or (
            self.headings and self.headings[-1].lists >= depth
        ):
            if self.quotes and (not self.headings or self.quotes[-1].headings >= len(self.headings)):
                self._close_quote()
            else:
                self._close_heading()

    def _open_list(self, ordered: bool, *, implicit: bool = False, start: int = 1) -> None:
        """A list; an ordered one numbered from `start` (`<ol start>`: Markdown's first number)."""
        out = self.out
        at_marker = out.at_marker()
        self._newline()
        marker = "." if ordered else "-"
        if self.pre:
            self.lists.append(OpenList(ordered, marker, number=start, plain=True))
            return
        if out.gap and out.texts == self.headed:
            out.settle()  # (a list right after a heading: the blank line after it too)
        # (a quotation begun on the item's line is between them: `- > - a`)
        between = bool(self.quoted) and self.quoted[-1] >= len(self.lists)
        parent = self.lists[-1].marker if at_marker and self.lists and not between else None
        if marker == parent or (not implicit and out.after_list == (len(self.lists), ordered, marker)):
            marker = _OTHER_MARKER[marker]  # (`- - -` is a rule; lists side by side stay two)
        hold = out.hold() if out and not at_marker else -1
        self.lists.append(OpenList(ordered, marker, hold, number=start, implicit=implicit))

    def _open_item(self, value: int | None = None) -> None:
        """A list item; `value` (`<li value>`) its number in an ordered list: the list's first
        number on its first item, else a list of its own from there (Markdown numbers a list's
        items one by one from its first: the other marker, `)` for `.`, begins a new one)."""
        if not self.lists:
            self._open_list(False, implicit=True)
        self._close_inside()
        lst = self.lists[-1]
        if value is not None and lst.ordered and value != lst.number:
            if lst.first or lst.plain or self.pre:
                lst.number = value
            else:
                self._close_list()
                self._open_list(True, start=value)
                lst = self.lists[-1]
        if lst.plain or self.pre:  # (in code: the marker is text)
            self._newline()
            marker = f"{lst.number}{lst.marker} " if lst.ordered else "- "
            depth = min(len(self.lists) - 1, _MAX_LIST_DEPTH)
            self.out.append(" " * sum(x.width for x in self.lists[:depth] if x.plain) + marker)
            lst.width = len(marker) if lst.plain else lst.width
            lst.number += lst.ordered
            return
        self._end_item()  # an open item ends where the next begins
        self._newline()
        marker = f"{min(lst.number, MAX_LIST_NUMBER)}{lst.marker} " if lst.ordered else f"{lst.marker} "
        if lst.first and lst.ordered and lst.number != 1:
            self.out.blank_hold(lst.hold)  # (after text: Markdown's list begun at 1 only interrupts it)
        self.out.item(marker, lst.hold if lst.first else -1)
        lst.first = False
        lst.number += lst.ordered
        lst.width = len(marker)
        self._indent()

    def _end_item(self) -> None:
        """End the innermost list's open item: what follows is no part of it."""
        lst = self.lists[-1]
        if lst.plain or not lst.width:
            return
        self.out.end_bare()
        lst.width = 0
        self._indent()
        self._newline()
        self.out.gap = True

    def _close_item(self) -> None:
        self._close_inside()
        if not self.pre and self.lists and not self.lists[-1].plain and self.lists[-1].width:
            self._end_item()
            if self.lists[-1].implicit:
                self._close_list()
        else:
            self._newline()

    def _close_list(self) -> None:
        if not self.lists:
            self._newline()
            return
        self._close_inside()
        self._end_item()
        lst = self.lists.pop()
        self._newline()
        if not lst.plain and not lst.first:
            self.out.gap = True
            self.out.after_list = (len(self.lists), lst.ordered, lst.marker)

    def handle_data(self, data: str) -> None:
        if self.skip or self.av or self.hidden.inside:
            return
        if self.pre:
            if self.reopened and self.fence_at == len(self.out) - 1 and data.startswith("\n"):
                data = data[1:]  # (the line break after media that stood on its own line)
            if "[sound:" in data:
                self._code_data(data, self.out.append)
            elif data:
                self.out.append(data)
            return
        if "\n" in data and not data.strip():  # layout between tags, not text
            return
        data = data.replace("\n", " ").replace("\xa0", " ")
        if self.code_text is not None:
            if "[sound:" in data:
                self._code_data(data, self._keep_code)
            else:
                self.code_text.append(data)
            return
        if self.out.block_begins():
            data = data.lstrip(" \t")
        if data.strip() and any(span.at < 0 for span in self.spans):
            body = data.lstrip()  # (a mark before a space is no emphasis)
            if len(body) < len(data):
                self.out.append(data[: len(data) - len(body)])
            self._reopen_spans()
            data = body
        lead = self._line_lead() if self.escape else None
        table, escape = self.cells > 0, self.escape
        self.out.append(sounds_shown(data, self.media, lambda m: text_markdown(data, m, lead, table, escape)))

    def _line_lead(self) -> str | None:
        """The output's last line when it holds only spaces and digits ("" at a line's start), to
        which text that follows adds; else None. A block marker can begin in one piece of text and
        end in the next (`1<span>.</span> a` is `1. a`, a list): it is escaped in the one it ends
        in. A list item's text begins a line after its marker. (Bounded: a longer line, or one in
        more pieces, starts no marker here.)"""
        out = self.out
        if out.ends_line() or out.at_marker():
            return ""
        first = max(out.marker + 1, len(out) - LEAD_PIECES)  # the line begins here at the latest
        prefix = out.indent + out.head  # (the line's indentation, `> ` and `## ` are no part of it)
        size = LEAD_CHARS + len(prefix)
        tail: list[str] = []
        for i in range(len(out) - 1, first - 1, -1):
            cut = out[i].rfind("\n")
            tail.append(out[i][cut + 1 :])
            if cut >= 0:
                break
            if sum(map(len, tail)) > size:
                return None
        else:
            if first > out.marker + 1:
                return None
            if out.marker >= 0:  # (after the marker: the rest of the prefix)
                prefix = out.indent[out.marker_col :] + out.head
        lead = "".join(reversed(tail))
        lead = lead[len(prefix) :].lstrip(" ") if lead.startswith(prefix) else lead.lstrip(" ")
        return lead if len(lead) <= LEAD_CHARS and LEAD.fullmatch(lead) else None


@dataclass(frozen=True, slots=True)
class _Mark:
    """An open <sup>, <sub> or strike: where its text begins in the output, and in which table
    cell and code block (its text is marked only if it ends in the same)."""

    tag: str
    start: int
    tables: int
    cells: int
    pre: int
    line: bool  # it begins a line (its text's leading spaces are the line's indentation)
    seq: int  # (as `Span.seq`)
    lead: str  # what the output writes before text there (`Lines.lead`: a line's `> `, `## `)


# Text with only bold/italic tags and line breaks (most Anki fields): what the parser
# would give, by replacing the tags (no entity, no media, no layout characters to tidy).
_SIMPLE = re.compile(r"(?:[^<&\r\n\xa0]++|</?(?:b|strong|i|em)>|<br\s*/?>)*+")
_SIMPLE_TAG = re.compile(r"</?(?:b|strong|i|em)>|<br\s*/?>")


def _simple_tag(m: re.Match[str]) -> str:
    tag = m[0].strip("</>")
    return INLINE.get(tag, "\n")  # anything else matched is a <br>


# What the fast paths cannot give: Markdown to escape, math, media, a line that starts a block.
_NOT_FAST = re.compile(r"[\\`*_~\]$]|\[(?:sound|\$)|(?:^|<br\s*/?>)\s*(?:[-+=#>|:]|\d)")


_INDENT_AFTER_BLANK = re.compile(r"\n[ \t]*\n[ \t]")


def _after_blank_lines(text: str) -> str:
    """`text` without the leading spaces of a line after a blank line, as the converter writes it
    (`Lines.block_begins`): a browser shows none, and four make Markdown's code block."""
    if not _INDENT_AFTER_BLANK.search(text):
        return text
    lines = text.split("\n")
    for i in range(1, len(lines)):
        if not lines[i - 1].strip(" \t"):
            lines[i] = lines[i].lstrip(" \t")
    return "\n".join(lines)


def html_to_text(value: str, media: MediaFn | None = None) -> str:
    """Anki field HTML to retain Markdown/plain text (stripped at both ends). Two spans of one
    kind side by side are one (`<b>a</b><b>b</b>` is `**ab**`: `**a****b**` is no Markdown bold)."""
    value = merged(_line_ends(value))
    if _NOT_FAST.search(value):
        return _parsed_merged(value, media)
    if "<" not in value and "&" not in value:
        return value.replace("\n", " ").replace("\xa0", " ").strip()
    if _SIMPLE.fullmatch(value) and not BLANK_EDGE.search(value) and nested(value):
        return _after_blank_lines(_SIMPLE_TAG.sub(_simple_tag, value)).strip()
    return _parsed_merged(value, media)


def _parsed(value: str, media: MediaFn | None) -> str:
    """The field as Markdown that shows as Anki shows it. Escapes are added only where Markdown
    would act on the text: when the text without them renders the same (`0=`, `a\\b`, a lone
    `*`), it is kept as written, so a card exported by retain comes back exactly."""
    return _parsed_merged(merged(_line_ends(value)), media)


def _line_ends(value: str) -> str:
    """CR LF and a lone CR as LF, as an HTML parser reads them first (an old Mac's line end in a
    field: "one\rtwo" is two words, and two lines in a `<pre>`)."""
    return value.replace("\r\n", "\n").replace("\r", "\n") if "\r" in value else value


def _parsed_merged(value: str, media: MediaFn | None) -> str:
    """`_parsed` of a value `merged` already (merging twice is not merging once: `<b>*</i><b><i>`
    loses its `</i><i>` only in the second pass)."""
    text = _converted(value, media, escape=True)
    if "\\" in text:
        raw = _converted(value, media, escape=False)
        if raw != text and (not _may_act(raw) or (len(raw) <= _COMPARE_MAX and _shown(raw) == _shown(text))):
            return raw
    return text


_COMPARE_MAX = 2000  # characters: a longer field keeps its escapes (two parses of it cost ~1 ms a KB)


# What Markdown could act on in a text (a superset, cheap to test): an escape, a link or a
# reference, an entity, an autolink (`<a:b>`, `<a@b>`), a line that starts a block (or is
# indented code, or a table row or delimiter row), a hard break; then pairs of emphasis, code or
# strikethrough marks, and math. Text with none of these renders as itself, so its escapes are
# dropped without rendering it twice (~0.2 ms). Linear: a line's indentation is looked at on its
# own line only (`^\s*` ran on over every blank line after each line start: quadratic).
_MAY_ACT = re.compile(
    r"\\[!-/:-@\[-`{-~]|\\[ \t]*$|\]\s*[(\[:]|&#?\w+;|<[^<>\x00-\x20]*+>"
    r"|^[^\S\n]*+(?:[-+*=#>|:~`]|\d{1,9}[.)])|^(?: {4}|\t)",
    re.MULTILINE,
)
_EDGE_UNDERSCORE_RE = re.compile(EDGE_UNDERSCORE)


def _may_act(raw: str) -> bool:
    if _MAY_ACT.search(raw):
        return True
    if raw.count("*") >= 2 or raw.count("`") >= 2 or raw.count("~~") >= 2:
        return True
    if len(_EDGE_UNDERSCORE_RE.findall(raw)) >= 2:
        return True
    return "$" in raw and bool(math_spans(raw))


def _shown(text: str) -> tuple[str, list[str]]:
    """What a card shows of `text`: the whole Markdown parse (a line like `[1]: url` is a link
    reference, which the inline parse misses) and its math spans."""
    return str(_renderer().render(text)), [text[a:b] for a, b, _display in math_spans(text)]


def _converted(value: str, media: MediaFn | None, *, escape: bool) -> str:
    conv = _Converter(media, escape)
    conv.strikes = not holds_marks(value, (STRIKE_OPEN, STRIKE_CLOSE))
    if holds_marks(value, (QUOTE_MARK,)):
        conv.out.mark = ">"
    conv.feed(_defuse(value))
    conv.close()
    text = "".join(conv.out)
    if conv.strikes:
        text = struck(text)
    if conv.blocks:  # layout from <div>/<p>: tidy it; text from `text_to_html` stays exact
        text = "\n".join(line.rstrip(" ") for line in text.split("\n"))
        text = _MANY_NL.sub("\n\n", text)
    if conv.quotes_shown and conv.out.mark == QUOTE_MARK:  # blank lines side by side: the last
        text = _blank_edges_out(_BLANK_RUN.sub("", text)).replace(QUOTE_MARK, ">")
    return text.strip()


def _blank_edges_out(text: str) -> str:
    """`text` without its first lines and last lines that are blank (in a quotation, its marks
    only). Line by line: a regex for the last ones (a line end, blanks, again, then the text's end)
    would be tried at every line end and run over every blank line after it."""
    lines = text.split("\n")
    blank = " \t" + QUOTE_MARK
    first, end = 0, len(lines)
    while first < end - 1 and not lines[first].strip(blank):
        first += 1
    while end - 1 > first and not lines[end - 1].strip(blank):
        end -= 1
    return "\n".join(lines[first:end])
