"""Bold and italic in Anki HTML made fit for Markdown before the converter (`interop.html`)
reads it: spans closed and opened again side by side are merged, blanks at a span's edges go
outside it, empty spans go, and spans nested in themselves are unnested."""

from __future__ import annotations

import re
from typing import Any

from retain.interop.html_layout import MAX_SPANS

__all__ = ["BLANK_EDGE", "INLINE", "merged", "nested"]

INLINE = {"b": "**", "strong": "**", "i": "*", "em": "*", "code": "`"}  # a span's tag -> its Markdown mark
_ONE_TAG = re.compile(r"<(/?)(b|strong|i|em|code)\s*>", re.IGNORECASE)


def _side_by_side(value: str) -> str:
    """`value` with each run of inline end tags followed at once by start tags (`</b></i><i><b>`)
    rid of each end tag with the start tag of the same Markdown mark that follows it (innermost
    first): `</em><em>` is nothing. One pass over the tags, each looked at once (a regex for the
    runs, `(?:</b>)+(?:<b>)+`, matched from every end tag of a run no start tag follows to the
    run's end: quadratic, an 80 kB field of `</b>` took half a minute)."""
    out: list[str] = []
    pos = 0  # `value` is written up to here
    closes: list[re.Match[str]] = []  # the run of end tags just read
    opens: list[re.Match[str]] = []  # the start tags right after them
    end = -1  # where the last tag read ends

    def flush() -> None:
        nonlocal pos
        if not (closes and opens):
            return
        k = 0  # end tags (from the innermost) cancelled by start tags (from the first)
        while k < min(len(closes), len(opens)) and _mark(closes[-1 - k]) == _mark(opens[k]):
            k += 1
        if k:
            out.append(value[pos : closes[0].start()])
            out.extend(m[0] for m in closes[: len(closes) - k])
            out.extend(m[0] for m in opens[k:])
            pos = opens[-1].end()

    for m in _ONE_TAG.finditer(value):
        adjacent = m.start() == end
        if m[1]:  # an end tag: a run of them begins, or goes on
            if not (adjacent and not opens):
                flush()
                closes, opens = [], []
            closes.append(m)
        elif adjacent and closes:
            opens.append(m)
        else:
            flush()
            closes, opens = [], []
        end = m.end()
    flush()
    if not out:
        return value
    out.append(value[pos:])
    return "".join(out)


def _mark(m: re.Match[str]) -> str:
    return INLINE[m[2].lower()]


# What a bold or italic span may hold at its edges that shows no mark: spaces and line breaks. Marks
# beside them are no Markdown emphasis (`** a**`, `**a<br>**`: stray stars), and marks around only
# them are a rule (`** **`, `****` on a line): they go outside the span, and a span left empty goes.
_BLANK = r"(?:[ \t\n\r\xa0]|&nbsp;|&#160;|&#[xX]a0;|<(?i:br)\s*/?>)"  # (entity names have a case)
_SPAN_OR_BLANK = re.compile(rf"<(/?)((?i:b|strong|i|em))\s*>|{_BLANK}++")
_BLANK_FIRST = re.compile(rf"<((?i:b|strong|i|em))\s*>({_BLANK}++)")
_BLANK_REVERSED = re.compile(r"(?:[ \t\n\r\xa0]|;psbn&|;061#&|;0a[xX]#&|>/?\s*(?i:rb)<)++")
_SPAN_END = re.compile(r"</(?:b|strong|i|em)\s*>", re.IGNORECASE)
_BLANK_PASSES = 4  # spans nested deeper than this keep their edges (each pass takes one level)


def _blank_ends_out(value: str) -> tuple[str, int]:
    """`value` with the spaces and line breaks that end a span after its end tag, and how many
    spans had them (each run found backwards from its end tag, in the reversed text: linear)."""
    reverse = value[::-1]
    out: list[str] = []
    pos = moved = 0
    for m in _SPAN_END.finditer(value):
        run = _BLANK_REVERSED.match(reverse, len(value) - m.start())
        if run is None:
            continue
        begin = len(value) - run.end()
        out += [value[pos:begin], m[0], value[begin : m.start()]]
        pos = m.end()
        moved += 1
    if not moved:
        return value, 0
    out.append(value[pos:])
    return "".join(out), moved


def merged(value: str) -> str:
    """Spans of one Markdown mark side by side as one (`<b>a</b><b>b</b>` is `**ab**`:
    `**a****b**` is no Markdown bold, and `<em>;</em><em>*</em>` changed at each round trip),
    spaces and line breaks at a span's edges outside it (`_BLANK`), and a span inside a span of
    the same mark left out (`_unnested`)."""
    if "</" not in value:
        return value
    for _ in range(_BLANK_PASSES):
        value, first = _BLANK_FIRST.subn(r"\2<\1>", value)
        value, last = _blank_ends_out(value)
        if not first + last:
            break
    return _unnested(_side_by_side(_spans_tidied(value)))


_TAGS = {"**": ("<b>", "</b>"), "*": ("<i>", "</i>")}


def _spans_tidied(value: str) -> str:
    """`value` without the tags of each bold or italic span that holds only spaces, line breaks and
    such spans, and with the spans open at a blank line (two line breaks) closed before it and
    opened again after it: Markdown's emphasis ends at a blank line. One pass, with a stack of
    the open spans: each learns it holds something from text, or from a span that closes in it."""
    pieces: list[str] = []
    open_: list[list[Any]] = []  # per open span: its mark, its piece's index, whether it holds text
    pos = 0
    for m in _SPAN_OR_BLANK.finditer(value):
        if m.start() > pos and open_:
            open_[-1][2] = True  # (text between)
        pieces.append(value[pos : m.start()])
        pos = m.end()
        if m[2] is None:
            if open_ and len(open_) <= MAX_SPANS and m[0].lower().count("<br") >= 2:
                held = False
                for span in reversed(open_):
                    held = held or span[2]  # (a span holds what the spans in it hold)
                    if held:
                        pieces.append(_TAGS[span[0]][1])
                    else:
                        pieces[span[1]] = ""
                pieces.append(m[0])
                for span in open_:
                    pieces.append(_TAGS[span[0]][0])
                    span[1:] = [len(pieces) - 1, False]
            else:
                pieces.append(m[0])
            continue
        pieces.append(m[0])
        mark = INLINE[m[2].lower()]
        if not m[1]:
            open_.append([mark, len(pieces) - 1, False])
        elif open_ and open_[-1][0] == mark:
            _, at, held = open_.pop()
            if not held:
                pieces[at] = pieces[-1] = ""
            elif open_:
                open_[-1][2] = True
        elif open_:
            open_[-1][2] = True  # (a stray end tag: the span around it is kept as it was)
    pieces.append(value[pos:])
    return "".join(pieces)


def _unnested(value: str) -> str:
    """An italic inside an italic (a bold inside a bold) is no span of its own: Anki shows it as
    the outer one, while both marks written out (`*<em>0</em>*` as `**0*`) read as bold and stray
    stars. Its tags are dropped; a stray end tag stays as it was. Linear in the tags."""
    open_: dict[str, int] = {}
    cuts: list[tuple[int, int]] = []
    for m in _ONE_TAG.finditer(value):
        mark = INLINE[m[2].lower()]
        if mark == "`":
            continue
        depth = open_.get(mark, 0)
        if not m[1]:
            open_[mark] = depth + 1
            if depth:
                cuts.append(m.span())
        elif depth:
            open_[mark] = depth - 1
            if depth > 1:
                cuts.append(m.span())
    if not cuts:
        return value
    out, pos = [], 0
    for start, end in cuts:
        out.append(value[pos:start])
        pos = end
    return "".join(out) + value[pos:]


# A span's mark beside a space or a line break (nested deeper than `merged` moves them out): the
# converter writes marks beside text only.
BLANK_EDGE = re.compile(r"<(?:b|strong|i|em)>(?:\s|<br)|(?:\s|<br\s*/?>)</(?:b|strong|i|em)>")


def nested(value: str) -> bool:
    """Whether every span of a simple field (`_SIMPLE`) holds text and closes, in order: the
    converter writes a span's marks around its text only, closes an unclosed one at the end and
    leaves out a stray end tag (as a browser does), where the fast path writes every tag's mark."""
    open_: list[list[Any]] = []  # per open span: its mark, whether text followed it
    pos = 0
    for m in _ONE_TAG.finditer(value):
        if m.start() > pos and open_:
            open_[-1][1] = True
        pos = m.end()
        mark = INLINE[m[2].lower()]
        if not m[1]:
            open_.append([mark, False])
            continue
        if not open_:
            return False
        top, held = open_.pop()
        if top != mark or not held:
            return False
        if open_:
            open_[-1][1] = True
    return not open_
