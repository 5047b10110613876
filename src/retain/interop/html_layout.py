"""How the HTML converter (`interop.html`) lays its Markdown out: list items and their blocks
indented to the item's text, quotations' lines under `> `, a heading's `## ` on each of its lines,
a blank line after a list, bold and italic closed at each block boundary and opened again after it
(`Lines`, `OpenList`, `Span`), a table's rows as a Markdown table where Markdown can hold it
(`Table`), so that Markdown reads back the blocks Anki shows; an ordered list's first number
(`list_number`), and what Anki does not show at all (`Hidden`: `display: none`)."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

__all__ = [
    "LEAD_PIECES",
    "MAX_LIST_NUMBER",
    "MAX_SPANS",
    "QUOTE_MARK",
    "Hidden",
    "Lines",
    "OpenHeading",
    "OpenList",
    "OpenQuote",
    "Span",
    "Table",
    "hides",
    "line_prefix",
    "list_number",
]

LEAD_PIECES = 32  # output pieces looked back over for where a line begins
_LINE_BEGUN = re.compile(r"\n(?=[^\n])")  # a line with text in a piece of the output
_BLANK_LINE = re.compile(r"\n(?=\n)")  # a blank line in a piece of the output
# A quotation's `>` while the field is converted: a private-use mark, so that the lines it alone
# begins are known from text (`>` in text is escaped, but not in the unescaped try: `interop.html`).
QUOTE_MARK = "\ue014"
_CLOSING = re.compile(r"(?<=[ \t])#+[ \t]*\Z")  # `#`s ending a heading's line: its closing sequence


class Lines(list[str]):
    """The converter's output, in pieces, laid out so that Markdown reads back the blocks Anki
    shows. A line begun inside list items is indented to their text (`indent`), so that what
    follows a nested list, a rule or a code block stays in its item; text after a list or an item
    (`gap`) comes after a blank line, which Markdown does not read as the item's next line (a lazy
    continuation); text that begins a Markdown block (after an item's marker, a `gap`, or `fresh`:
    after a rule, a code block or a table) loses its leading spaces, as a browser drops them (four
    would make it code). A line begun in a quotation begins with its `> ` (`indent` holds the
    containers' prefix, lists' spaces and quotations' marks in their order), a blank line in one is
    a `>` line (else it would end it), and a line of text in a heading begins with its marker
    (`head`, after `indent`: on an item's marker line, after the marker). Indexes into it stay
    valid: text added to a piece goes into that piece."""

    def __init__(self) -> None:
        super().__init__()
        self.indent = ""
        self.head = ""  # an open heading's marker (`## `), or ""
        self.marker_col = 0  # the width of the last marker's line, to the marker's end
        self.holds: dict[int, str] = {}  # a `hold` placeholder's blank line prefix (`blank_prefix`)
        self.mark = QUOTE_MARK  # what a quotation's `>` is written as (`>` when the field holds that)
        self.marker = -1  # the index of the last list item's marker
        self.bare = -1  # the placeholder (`hold`) to fill if the item just begun has an empty first line
        self.gap = False
        self.fresh = False
        self.after_list: tuple[int, bool, str] | None = None  # a list just ended: depth, ordered, marker
        self.texts = 0  # pieces written that hold more than spaces
        self.line_blank = True  # the line being written holds only spaces so far
        self.blank_before = True  # it follows a blank line (or begins the output): a block begins

    def _track(self, piece: str) -> None:
        """Keep `line_blank` and `blank_before` (Markdown's blank line: spaces and tabs only, and in
        a quotation its `>` marks)."""
        blank = " \t" + self.mark if self.mark in self.indent else " \t"
        end = piece.rfind("\n")
        if end < 0:
            self.line_blank = self.line_blank and not piece.strip(blank)
            return
        before = piece.rfind("\n", 0, end)
        self.blank_before = not piece[before + 1 : end].strip(blank) and (before >= 0 or self.line_blank)
        self.line_blank = not piece[end + 1 :].strip(blank)

    def blank_prefix(self) -> str:
        """What a blank line holds: the quotations' marks (`>`, `  > >`), which keep it in them."""
        return self.indent.rstrip(" ") if self.mark in self.indent else ""

    def lead(self) -> str:
        """What `append` writes before text that comes now: at a line's start its prefix, on a
        marker's line the rest of it (`settle` first: a `gap` would come before it)."""
        if self.at_marker():
            return self.indent[self.marker_col :] + self.head
        return self.indent + self.head if self.ends_line() else ""

    def block_begins(self) -> bool:
        """Whether text written now begins a Markdown block after a blank line (its leading spaces
        are no indentation a browser shows: four would make it code)."""
        return self.line_blank and self.blank_before

    def ends_line(self) -> bool:
        """True at the output's start or a line's (a `hold` placeholder is no text)."""
        for piece in self[-1:-3:-1]:
            if piece:
                return piece.endswith("\n")
        return True

    def at_marker(self) -> bool:
        return self.marker == len(self) - 1

    def hold(self) -> int:
        """A placeholder piece: a blank line before a list whose first item turns out to start with
        an empty line (`-` under text is a heading's underline, `1.` its next line)."""
        super().append("")
        self.holds[len(self) - 1] = self.blank_prefix()
        return len(self) - 1

    def item(self, marker: str, hold: int) -> None:
        """A list item's marker, on its own line or on the line of the item (or the quotation begun
        on it) it is nested in."""
        if self.at_marker():
            marker = self.indent[self.marker_col :] + marker
            self.marker_col += len(marker)
        else:
            if self.ends_line():
                marker = self.indent + marker
            self.marker_col = len(marker)
        super().append(marker)
        self._track(marker)
        self.marker, self.bare = len(self) - 1, hold
        self.gap = self.fresh = False
        self.after_list = None

    def end_bare(self) -> None:
        """End the line of an item that holds nothing (it stays empty: Markdown's item could hold
        one blank line at most before its text, and shows none)."""
        if self.at_marker():
            if 0 <= self.bare < len(self) and not self[self.bare]:
                self[self.bare] = self.holds.get(self.bare, "") + "\n"
            self.bare = -1
            super().append("\n")
            self._track("\n")

    def blank_hold(self, at: int) -> None:
        """Fill the `hold` placeholder at `at`, the last piece, with its blank line (a list that
        starts at another number than 1 cannot interrupt a paragraph: `a` then `3. b` is one)."""
        if 0 <= at == len(self) - 1 and not self[at]:
            self[at] = self.holds.get(at, "") + "\n"
            self._track(self[at])

    def settle(self) -> None:
        """Write the blank line a `gap` needs now (before text marked where it stands)."""
        if self.gap:
            self.gap, self.fresh = False, True
            prefix = self.blank_prefix()
            blank = prefix + "\n" if self.ends_line() else "\n" + prefix + "\n"
            super().append(blank)
            self._track(blank)

    def append(self, piece: str) -> None:
        if not piece:
            return
        at_marker = self.at_marker()
        line_start = not at_marker and self.ends_line()
        if at_marker:  # an item's text begins on its marker's line
            piece = piece.lstrip(" \t\n")
            if not piece:
                return
            self.bare = -1
        elif piece[0] != "\n" and (self.gap or (self.fresh and line_start)):
            piece = piece.lstrip(" \t")
            if not piece:
                return
        content = bool(piece.strip())
        blank_first = line_start and piece[0] == "\n"  # the line begun is left blank
        if self.gap and content:
            piece = ("\n" if line_start else "\n\n") + piece
            blank_first = line_start
            self.gap, line_start = False, False
        if at_marker:
            piece = self.indent[self.marker_col :] + self.head + piece
        if self.indent or self.head:
            prefix = self.indent + self.head
            if line_start and piece[0] != "\n":
                piece = prefix + piece
            piece = _LINE_BEGUN.sub(lambda _: "\n" + prefix, piece)
            blank = self.blank_prefix()
            if blank:
                piece = _BLANK_LINE.sub(lambda _: "\n" + blank, piece)
                piece = blank + piece if blank_first else piece
        if content:
            self.fresh = False
            self.after_list = None
            self.texts += 1
        super().append(piece)
        self._track(piece)

    def close_mark(self, mark: str) -> None:
        """Write `mark` (closing emphasis) after the last text, before the spaces and line ends
        that follow it (`a **` closes nothing in Markdown)."""
        for i in range(len(self) - 1, max(-1, len(self) - 1 - LEAD_PIECES), -1):
            core = self[i].rstrip()
            if core:
                self[i] = core + mark + self[i][len(core) :]
                return
        self.append(mark)

    def unclose_heading(self) -> None:
        """Escape the `#`s that end the line of a heading after a space (`## C #`): Markdown would
        take them for the heading's closing sequence and not show them. (Looked for in the line's
        last `LEAD_PIECES` pieces.)"""
        tail: list[tuple[int, int]] = []  # (piece, where the line's part of it begins)
        for i in range(len(self) - 1, max(-1, len(self) - 1 - LEAD_PIECES), -1):
            cut = self[i].rfind("\n") + 1
            tail.append((i, cut))
            if cut:
                break
        tail.reverse()
        m = _CLOSING.search("".join(self[i][cut:] for i, cut in tail))
        if m is None:
            return
        at = m.start()
        for i, cut in tail:
            if at < len(self[i]) - cut:
                self[i] = self[i][: cut + at] + "\\" + self[i][cut + at :]
                return
            at -= len(self[i]) - cut


@dataclass(slots=True)
class Span:
    """An open `<b>`/`<i>` (`INLINE`): its mark, where it is written in the output (-1 while it
    waits for text after a block boundary), and `Lines.texts` just after it."""

    mark: str
    at: int
    texts: int
    seq: int  # (its place among the spans and marks begun: which is inside which)


MAX_SPANS = 8  # open spans kept across block boundaries (after `_unnested`, two at most in a real field)


@dataclass(slots=True)
class OpenList:
    """An open list (`<ul>`, `<ol>`, `<menu>`, `<dir>`, or an `<li>` outside any)."""

    ordered: bool
    marker: str  # "-" or "+"; "." or ")"
    hold: int = -1  # its `Lines.hold` placeholder, or -1
    number: int = 1  # the next item's number
    width: int = 0  # the open item's marker width (its text's indentation), 0 when none is open
    first: bool = True  # no item yet
    implicit: bool = False  # an `<li>` outside any list: it ends with the item
    plain: bool = False  # in `<pre>`: markers are code text, nothing is indented


@dataclass(frozen=True, slots=True)
class OpenQuote:
    """An open `<blockquote>`: how many lists and headings were open, and `Lines.texts`, when it
    began; whether its lines are marked `> ` (not in code, a table or past the depth marked)."""

    lists: int
    headings: int
    texts: int
    shown: bool


@dataclass(frozen=True, slots=True)
class OpenHeading:
    """An open `<h1>`..`<h6>`: its level, what was open when it began (as `OpenQuote`), and the
    `Lines.gap` it found (kept when it shows nothing); whether its lines are headings."""

    level: int
    lists: int
    quotes: int
    texts: int
    gap: bool
    shown: bool


def line_prefix(lists: list[OpenList], quoted: list[int], mark: str) -> str:
    """`Lines.indent`: each list's item indentation and each quotation's `mark` and a space, in the
    order they were opened (`quoted`: per quotation, how many of the lists it is in)."""
    parts: list[str] = []
    k = 0
    for i, lst in enumerate(lists):
        while k < len(quoted) and quoted[k] <= i:
            parts.append(mark + " ")
            k += 1
        if not lst.plain:
            parts.append(" " * lst.width)
    parts += [mark + " "] * (len(quoted) - k)
    return "".join(parts)


class Table:
    """An open `<table>`: where its rows and cells begin in the output, so that on `</table>` its
    text (rows of `a | b` lines) can be rewritten as a Markdown table when Markdown can hold it."""

    def __init__(self, start: int, *, simple: bool) -> None:
        self.start = start
        self.rows: list[list[list[int]]] = []  # per row, per cell: [start, end] in the output
        self.simple = simple

    def row(self, at: int) -> None:
        self.end_cell(at)
        self.rows.append([])

    def cell(self, at: int, spans: bool) -> None:
        self.end_cell(at - 1)  # (the ` | ` before it is no part of the cell before)
        if not self.rows:
            self.rows.append([])
        self.rows[-1].append([at, -1])
        self.simple = self.simple and not spans

    def end_cell(self, at: int) -> None:
        if self.rows and self.rows[-1] and self.rows[-1][-1][1] < 0:
            self.rows[-1][-1][1] = at

    def close(self, out: Lines) -> None:
        """Rewrite `out[self.start:]` as a Markdown table (the first row its header) when every cell
        is one line and no text is outside the cells; else leave the lines as they are. (On a list
        item's marker line, it begins there.)"""
        self.end_cell(len(out))
        rows = [r for r in self.rows if r]
        if not self.simple or not rows:
            return
        marks = out.indent.strip()  # (a row's first cell begins its line: after a quotation's `>`)
        cells = [["".join(out[a:b]).strip().removeprefix(marks).strip() for a, b in row] for row in rows]
        if any("\n" in c for row in cells for c in row):
            return
        inside = {i for row in rows for a, b in row for i in range(a, b)}
        if any(out[i].strip(" |\n" + out.mark) for i in range(self.start, len(out)) if i not in inside):
            return  # a caption or stray text between the cells: keep it where it is
        width = max(len(row) for row in cells)
        lines = ["| " + " | ".join(row + [""] * (width - len(row))) + " |" for row in cells]
        lines.insert(1, "|" + " --- |" * width)
        del out[self.start :]
        if out.marker >= self.start:  # (an item begun in a cell: its marker is gone)
            out.marker = out.bare = -1
        lead = "" if out.at_marker() else "\n"
        out.append(lead + "\n".join(lines) + "\n\n")  # blank lines: text after it is no row


MAX_LIST_NUMBER = 999_999_999  # Markdown's list markers hold 9 digits at most


def list_number(value: str | None) -> int | None:
    """An `<ol start>` or `<li value>` as the HTML standard reads an integer (spaces, a sign,
    ASCII digits, anything after them ignored), or None when there is none or Markdown cannot
    start a list there (a negative number, more than 9 digits)."""
    m = _INTEGER.match(value or "")
    digits = m[2].lstrip("0") if m is not None else ""
    if m is None or (m[1] == "-" and digits) or len(digits) > 9:
        return None
    return int(digits or "0")  # (not `int(m[2])`: 4300 leading zeros are too many digits for it)


_INTEGER = re.compile(r"[ \t\n\f\r]*([-+]?)([0-9]+)")
# Elements without content (no end tag): hidden, they hide only themselves.
_VOID = frozenset({
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source",
    "track", "wbr",
})  # fmt: skip
_HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")
# The HTML standard's scopes: an open element looked for stops being found past one of these.
_SCOPE = frozenset({"applet", "caption", "html", "table", "td", "th", "marquee", "object", "template"})
_BUTTON_SCOPE = _SCOPE | {"button"}
_TABLE_SCOPE = frozenset({"html", "table", "template"})
_MARKERS = frozenset({"applet", "caption", "html", "marquee", "object", "template", "td", "th"})
# What "generate implied end tags" pops while it is the current node.
_IMPLIED = frozenset({"dd", "dt", "li", "optgroup", "option", "p", "rb", "rp", "rt", "rtc"})
# The standard's "special" elements: an item's search for the item before it stops at one of
# these (but not at `address`, `div`, `p`).
_SPECIAL = frozenset({
    "applet", "area", "article", "aside", "base", "basefont", "bgsound", "blockquote", "body",
    "br", "button", "caption", "center", "col", "colgroup", "dd", "details", "dir", "dl", "dt",
    "embed", "fieldset", "figcaption", "figure", "footer", "form", "frame", "frameset", "h1",
    "h2", "h3", "h4", "h5", "h6", "head", "header", "hgroup", "hr", "html", "iframe", "img",
    "input", "keygen", "li", "link", "listing", "main", "marquee", "menu", "meta", "nav",
    "noembed", "noframes", "noscript", "object", "ol", "param", "plaintext", "pre", "script",
    "search", "section", "select", "source", "style", "summary", "table", "tbody", "td",
    "template", "textarea", "tfoot", "th", "thead", "title", "tr", "track", "ul", "wbr", "xmp",
})  # fmt: skip
# A start tag -> the open element it ends with all open in it (the innermost one of these
# names), and the elements that end the search for it: as the standard's tree builder does.
_ENDS: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    "li": (frozenset({"li"}), _SPECIAL - {"address", "div", "p", "li"}),
    "dt": (frozenset({"dt", "dd"}), _SPECIAL - {"address", "div", "p", "dt", "dd"}),
    "dd": (frozenset({"dt", "dd"}), _SPECIAL - {"address", "div", "p", "dt", "dd"}),
    "tr": (frozenset({"tr"}), _TABLE_SCOPE),
    "td": (frozenset({"td", "th"}), _TABLE_SCOPE | {"tr"}),
    "th": (frozenset({"td", "th"}), _TABLE_SCOPE | {"tr"}),
    "a": (frozenset({"a"}), _MARKERS),  # (the adoption agency: an `<a>` in an `<a>` ends it)
    "nobr": (frozenset({"nobr"}), _SCOPE),
    "button": (frozenset({"button"}), _SCOPE),
}
# Start tags that end all that is open in the innermost table (a cell, a row, a row group).
_TABLE_PARTS = frozenset({"tbody", "thead", "tfoot", "caption", "colgroup", "col"})
_ENDS_DEPTH = 64
_CSS_COMMENT = re.compile(r"/\*.*?(?:\*/|\Z)", re.DOTALL)
_IMPORTANT = re.compile(r"\s*!\s*important\s*\Z")
_DISPLAY_VALUE = re.compile(r"[a-z-]+(?:\s+[a-z-]+)*")


def _display(style: str) -> str | None:
    """The `display` an inline `style` sets (lowercase), or None: the last valid declaration,
    an `!important` one before any that is not."""
    found: tuple[bool, str] | None = None
    for declaration in _CSS_COMMENT.sub(" ", style).split(";"):
        name, colon, value = declaration.partition(":")
        if not colon or name.strip().lower() != "display":
            continue
        value = value.strip().lower()
        important = _IMPORTANT.search(value) is not None
        value = _IMPORTANT.sub("", value)
        if _DISPLAY_VALUE.fullmatch(value) and (found is None or important or not found[0]):
            found = (important, value)
    return None if found is None else found[1]


def hides(attrs: list[tuple[str, str | None]]) -> bool:
    """An element with these attributes shows nothing (nor does anything in it): its inline style
    sets `display: none`, or it has `hidden` and its style sets no other `display`."""
    display = None
    hidden = False
    for name, value in attrs:
        if name == "style" and value:
            display = _display(value) or display
        hidden = hidden or name == "hidden"
    return display == "none" or (hidden and display is None)


class _Open:
    """Open elements by name, innermost last, with a count per name (so that asking whether one
    is open, and closing it with what is open in it, is linear over a field in all)."""

    def __init__(self) -> None:
        self.names: list[str] = []
        self.count: Counter[str] = Counter()

    def __bool__(self) -> bool:
        return bool(self.names)

    def __contains__(self, tag: str) -> bool:
        return self.count[tag] > 0

    def push(self, tag: str) -> None:
        if tag not in _VOID:
            self.names.append(tag)
            self.count[tag] += 1

    def close(self, tag: str) -> None:
        """Close the innermost open `tag` and every element open in it."""
        if not self.count[tag]:
            return
        name = ""
        while name != tag:
            name = self.names.pop()
            self.count[name] -= 1

    def clear(self) -> None:
        self.names.clear()
        self.count.clear()

    def top(self, n: int) -> str:
        """The `n`th open element from the innermost (0), or "" past the outermost."""
        return self.names[-1 - n] if n < len(self.names) else ""

    def pop(self, n: int) -> None:
        for _ in range(min(n, len(self.names))):
            self.count[self.names.pop()] -= 1


class _Stack:
    """The elements open around a hidden one (`outer`) and in it (`inner`, the hidden one first)
    as the one stack of open elements a browser keeps: a start tag's implied end tags
    (`implied_ends`) may end elements of both."""

    def __init__(self, outer: _Open, inner: _Open) -> None:
        self.outer, self.inner = outer, inner

    def __len__(self) -> int:
        return len(self.outer.names) + len(self.inner.names)

    def open(self, tag: str) -> bool:
        return bool(self.outer.count[tag] or self.inner.count[tag])

    def top(self, n: int) -> str:
        k = len(self.inner.names)
        return self.inner.top(n) if n < k else self.outer.top(n - k)

    def pop(self, n: int) -> None:
        k = len(self.inner.names)
        self.inner.pop(n)
        self.outer.pop(n - k)

    def find(self, names: frozenset[str], stops: frozenset[str]) -> int:
        """How many elements to pop to end the innermost open one of `names` (0: none is open
        before one of `stops`). (Looked for among the last `_ENDS_DEPTH` elements open: two kinds
        of tags side by side cannot make it look over every one.)"""
        if not any(self.open(t) for t in names):
            return 0
        for n in range(min(len(self), _ENDS_DEPTH)):
            name = self.top(n)
            if name in names:
                return n + 1
            if name in stops:
                return 0
        return 0

    def pop_implied(self, keep: str = "") -> None:
        """The standard's "generate implied end tags" (but for `keep`)."""
        while (name := self.top(0)) in _IMPLIED and name != keep:
            self.pop(1)

    def implied_ends(self, tag: str, blocks: frozenset[str]) -> None:
        """End what a start tag ends, as a browser's tree builder does: an open item or cell it
        is the next of, an `<a>` in an `<a>`, a `<button>` in a `<button>`, an `<option>` or ruby
        text before the next one, a heading before the next heading, a `<p>` before a block."""
        ends = _ENDS.get(tag)
        if ends is not None:
            self.pop(self.find(*ends))
        if tag in _TABLE_PARTS:
            n = self.find(frozenset({"table"}), frozenset({"html", "template"}))
            self.pop(max(0, n - 1))  # (the table stays open)
        if tag in blocks:
            self.pop(self.find(frozenset({"p"}), _BUTTON_SCOPE))
        if tag in _HEADINGS and self.top(0) in _HEADINGS:
            self.pop(1)
        if tag in ("option", "optgroup") and self.top(0) == "option":
            self.pop(1)
        if tag in ("rb", "rtc", "rt", "rp") and self.find(frozenset({"ruby"}), _SCOPE):
            self.pop_implied("rtc" if tag in ("rt", "rp") else "")


class Hidden:
    """The element Anki does not show (`hides`) that the field is in, and the elements open in
    it (`inside`, the hidden one first; empty when none is): their text, media and markup are
    left out. It ends with its end tag, or as a browser ends it: with the end tag of an element
    around it (a `</div>` ends a `<span>` left open in it), or with a start tag that ends it or
    an element around it (`_Stack.implied_ends`: a `<p>` with the next block, an `<li>` with the
    next item of its list, a cell with the next row). `outside`: the elements open around it, to tell an end
    tag of one of those from a stray one in it."""

    def __init__(self, blocks: frozenset[str]) -> None:
        self.blocks = blocks
        self.inside = _Open()
        self.outside = _Open()

    def start(self, tag: str, attrs: list[tuple[str, str | None]]) -> bool:
        """A start tag: True when it is left out (in the hidden element, or hidden itself)."""
        _Stack(self.outside, self.inside).implied_ends(tag, self.blocks)
        if self.inside:
            self.inside.push(tag)
            return True
        if attrs and hides(attrs):
            self.inside.push(tag)
            return True
        self.outside.push(tag)
        return False

    def end(self, tag: str) -> bool:
        """An end tag: True when it is left out (it ends an element in the hidden one, or the
        hidden one itself, or is a stray one in it); False when it is the converter's (no element
        is hidden, or it ends one around the hidden element, ending that too)."""
        if self.inside:
            if tag in self.inside:
                self.inside.close(tag)
                return True
            if tag not in self.outside:
                return True
            self.inside.clear()
        self.outside.close(tag)
        return False
