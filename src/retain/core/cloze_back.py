"""The back of a cloze card: each asked deletion emphasised as Markdown shows it (`Backs`).

Deletions of one number side by side share one emphasis; an answer over several lines is
emphasised line by line, after its list, quote or heading marker; an answer in code, or one
Markdown cannot emphasise there, stays plain, never with `*` around it. Cheap rules decide most
texts; a riskier one (links, entities, math, tables, an answer touching `*`/`_`/`~` or a
backslash) is parsed with the card view's own parser and kept only if it shows the same
characters and blocks with each answer newly emphasised (`core.cloze` lays the sides out).
"""

from __future__ import annotations

import functools
import re
import unicodedata
from bisect import bisect_right
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from markdown_it import MarkdownIt

__all__ = ["Backs", "in_code"]

_CODE_TOKENS = frozenset({"code_inline", "code_block", "fence"})
# Only texts with one of these can hold code: others skip the Markdown parse.
_CODE_HINT = re.compile(r"`|~~~|^(?: {4}|\t)", re.MULTILINE)
_MARK = 0xF0000  # supplementary private use: one marker per deletion, at its start
_MAX_MARKS = 0xFFFD - 1
_MAX_PIECES = 0x1FFFD - 1  # the back's markers (two a line) run through planes 15 and 16
_LINE_TEXT = re.compile(r"[^\s](?:[^\n]*[^\s])?")  # a line's text without its edge spaces


@functools.cache
def _markdown() -> MarkdownIt:
    from markdown_it import MarkdownIt

    from retain.core.linklabel import linear_labels  # (a run of `[` took markdown-it 20 s per MB)

    return linear_labels(MarkdownIt("commonmark", {"html": False}))


def in_code(shown: list[str]) -> set[int]:
    """Indexes of the deletion pieces (odd) that Markdown puts in a code span or code block."""
    if len(shown) // 2 > _MAX_MARKS or not any(_CODE_HINT.search(piece) for piece in shown):
        return set()
    marked = "".join(chr(_MARK + i // 2) + p if i % 2 else p for i, p in enumerate(shown))
    found: set[int] = set()
    for token in _markdown().parse(marked):
        for t in [token, *(token.children or ())]:
            if t.type in _CODE_TOKENS:
                found.update(2 * (ord(c) - _MARK) + 1 for c in t.content if ord(c) >= _MARK)
    return found


# ---- The back: the asked deletions emphasised, and never a stray `*` ------------------------
#
# Each answer is put in `**` where CommonMark opens and closes it (the flanking rules), one
# emphasis per run of deletions side by side, one per line of an answer over several lines
# (after the line's list, quote or heading marker). Where the text has Markdown that may pair
# with the added `*` (its own `*`, a loose `_`, a link, an entity, math, a table, a block
# marker at an answer's start), the back is parsed as the card view parses it and kept only if
# it shows the same characters, with the answers emphasised; else emphasis is left out where
# it would show as `*` (an answer that cannot be emphasised is shown plain).

# markdown-it's whitespace (`isWhiteSpace`): what the emphasis rules read as a space.
_MD_SPACE = frozenset("\t\n\v\f\r \xa0\u1680\u202f\u205f\u3000" + "".join(map(chr, range(0x2000, 0x200B))))
# Punctuation an emphasis is moved inside of (`x(**ISR**)`); Markdown's own is never crossed.
_KEEP_INSIDE = frozenset("*_`\\[]<&~$|")
_OPENING, _CLOSING = frozenset({"Ps", "Pi"}), frozenset({"Pe", "Pf"})
# What a backslash escapes: ASCII punctuation, and a line break (a hard break).
_ESCAPABLE = frozenset("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~\n")
# Before a line's text: blockquote and list markers, then an ATX heading's `#`s.
_LINE_PREFIX = re.compile(
    r"(?:[ \t]*+(?:>|[-+*](?=[ \t]|$)|[0-9]{1,9}[.)](?=[ \t]|$)))*+[ \t]*+(?:#{1,6}(?=[ \t]|$)[ \t]*+)?"
)
# An answer starting a line with one of these may start a block of its own (a list, a heading,
# a setext underline, a fence, a table row); after 4 spaces or a tab, code.
_BLOCK_START = re.compile(r"[#>+=|~`*_-]|[0-9]{1,9}[.)]")
_INDENT = re.compile(r" {4}|\t")
_WORD = re.compile(r"[^\W_]")
_FENCE_LINE = re.compile(r"`{3,}|~{3,}")
# Markdown that may swallow an added `*`: link syntax, an entity, an autolink. (A table and math
# too: `Backs._text_risky`. The text's own emphasis only near an answer: `Backs._span_risky`.)
_RISKY = re.compile(
    r"\]\(|\]\[|\]:"
    r"|&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{0,31});"
    r"|<(?:[A-Za-z][A-Za-z0-9.+-]{1,31}:|[^\s<>@]+@)"
)
_UNDERSCORES = re.compile(r"_+")
_DELIMITERS = re.compile(r"[*_~]")
# Parsing the back costs: a text longer than this, or with much Markdown (markdown-it takes
# ~4 us a character on `*a*a...` and ~50 us on a run of `[`), or whose parses would be over the
# budget, is not parsed, and its risky answers are shown plain. A number's back is parsed at most
# twice plus three times per deletion of it (`Backs._checked`).
_CHECK_MAX = 4_000
_CHECK_MARKUP = 64  # characters of `_MARKUP` in the text
_MARKUP = "*_[]<&~|$`\\"
_PARSE_COST = 200  # one parse's fixed cost, in characters
_CHECK_BUDGET = 100_000  # parse characters for all the backs of one text
_DEPTH = 7


def _space(c: str) -> bool:
    return not c or c in _MD_SPACE  # a text's ends count as spaces


def _punct(c: str) -> bool:
    return unicodedata.category(c)[0] in "PS"


def _opens(before: str, after: str) -> bool:
    """Whether `*` between these characters can open emphasis (CommonMark left-flanking)."""
    return not (_space(after) or (_punct(after) and not (_space(before) or _punct(before))))


def _closes(before: str, after: str) -> bool:
    """Whether `*` between these characters can close emphasis (right-flanking)."""
    return not (_space(before) or (_punct(before) and not (_space(after) or _punct(after))))


def _loose_underscore(text: str) -> bool:
    """Whether a `_` run of `text` may open or close emphasis (it is not inside a word)."""
    for m in _UNDERSCORES.finditer(text):
        before = text[m.start() - 1] if m.start() else ""
        after = text[m.end() : m.end() + 1]
        if _space(before) or _space(after) or _punct(before) or _punct(after):
            return True
    return False


@functools.cache
def _card_parser() -> MarkdownIt:
    from retain.core.answer.shown import card_parser

    return card_parser()


# What the card view shows of a text: its characters, each one's emphasis (bits 0-2: em depth,
# 3-5: strong depth, 6 and up: strikethrough, link, code), and its blocks.
_Reading = tuple[str, list[int], list[tuple[str, str, int]]]
_CODE = 1 << 10


def _reading(text: str) -> _Reading:
    """`text` read as `ui.text.card_markdown` reads it (math rendered first, then the card parser)."""
    from retain.core.mathtext import render_math

    chars: list[str] = []
    states: list[int] = []
    blocks: list[tuple[str, str, int]] = []

    def put(s: str, state: int) -> None:
        chars.append(s)
        states.extend([state] * len(s))

    for token in _card_parser().parse(render_math(text)):
        blocks.append((token.type, token.tag, token.nesting))
        if token.type != "inline":
            put("\0", 0)  # blocks apart: their emphasis never runs together
            if token.type in ("fence", "code_block"):
                put(token.content, _CODE)
            continue
        em = strong = strike = 0
        hrefs: list[str] = []
        for t in token.children or ():
            kind = t.type
            state = min(em, _DEPTH) | min(strong, _DEPTH) << 3 | min(strike, 3) << 6 | min(len(hrefs), 3) << 8
            if kind == "em_open":
                em += 1
            elif kind == "em_close":
                em -= 1
            elif kind == "strong_open":
                strong += 1
            elif kind == "strong_close":
                strong -= 1
            elif kind == "s_open":
                strike += 1
            elif kind == "s_close":
                strike -= 1
            elif kind == "link_open":
                hrefs.append(str(t.attrs.get("href", "")))
            elif kind == "link_close":
                put(f" ({hrefs.pop()})" if hrefs else "", state)  # the view shows the address after
            elif kind in ("softbreak", "hardbreak"):
                put("\n", state)
            elif kind == "image":
                put("".join(c.content for c in t.children or ()) + f" ({t.attrs.get('src', '')})", state)
            else:
                put(t.content, state | (_CODE if kind == "code_inline" else 0))
    return "".join(chars), states, blocks


def _emphasised(source: _Reading, back: _Reading, runs: int) -> bool:
    """Whether `back` shows what `source` shows, with `runs` runs of it emphasised where they were
    not, and nothing else changed (no `*` shown, no emphasis of the text's own lost or moved)."""
    if back[0] != source[0] or back[2] != source[2]:
        return False
    found = 0
    inside = False
    for was, now in zip(source[1], back[1], strict=True):
        if was == now:
            inside = False
            continue
        if (was ^ now) >> 6:
            return False
        more = ((now & 7) - (was & 7), (now >> 3 & 7) - (was >> 3 & 7))
        # One level more, of a kind the text had not there (bold inside bold shows as nothing).
        if more not in ((1, 0), (0, 1)) or was & (7 if more[0] else 7 << 3):
            return False
        if not inside:
            found += 1
            inside = True
    return found == runs


def _escapes(text: str, i: int) -> bool:
    """Whether `text[i]` is a backslash that escapes the character after it (an odd run)."""
    n = 0
    while i - n >= 0 and text[i - n] == "\\":
        n += 1
    return n % 2 == 1


# (start, end, a backslash before the opening mark, one before the closing mark): a backslash
# the text shows as itself (`C:\{{c1::x}}`) is doubled there, else it would escape the mark.
_Span = tuple[int, int, str, str]


def _inside(text: str, a: int, b: int) -> _Span | None:
    """The span `text[a:b]` without its edge spaces, narrowed past edge punctuation until `*`
    before it opens and `*` after it closes (`x(**ISR**)`); None where it cannot be."""
    while a < b and _space(text[a]):
        a += 1
    while b > a and _space(text[b - 1]):
        b -= 1
    a0, b0 = a, b
    while a < b:
        if a and text[a] in _ESCAPABLE and _escapes(text, a - 1):
            a += 1  # an escaped character stays with its backslash
        elif not _opens(text[a - 1] if a else "", text[a]):
            if text[a] in _KEEP_INSIDE:
                return None
            a += 1
        else:
            break
    while b > a:
        if text[b : b + 1] in _ESCAPABLE and _escapes(text, b - 1):
            b -= 1  # a backslash stays with the character it escapes (or the line break it makes)
        elif not _closes(text[b - 1], text[b : b + 1]):
            if text[b - 1] in _KEEP_INSIDE:
                return None
            b -= 1
        else:
            break
    if a >= b:
        return None
    # A bracket or quote left out on one side is left out on the other too: `(**ISR**)s`.
    if b < b0 and b - a > 1 and unicodedata.category(text[a]) in _OPENING and _opens(text[a], text[a + 1]):
        a += 1
    elif (
        a > a0
        and b - a > 1
        and unicodedata.category(text[b - 1]) in _CLOSING
        and _closes(text[b - 2], text[b - 1])
    ):
        b -= 1
    before = "\\" if a and _escapes(text, a - 1) else ""
    return a, b, before, "\\" if _escapes(text, b - 1) else ""


# How an answer is marked: `**` or `*`, and whether a `*` or `_` run next to it, which the text
# shows as itself, is escaped so the mark cannot change it (`a_**X**` pairs its `_` with a later one).
_Mark = tuple[str, bool]
_FORMS: tuple[_Mark, ...] = (("**", False), ("*", False), ("**", True))


def _run(text: str, i: int, step: int) -> int:
    """The end of the run of `text[i]`'s character from `i` on, going by `step`."""
    c = text[i]
    while 0 <= i + step < len(text) and text[i + step] == c:
        i += step
    return i


def _wrap(text: str, spans: Sequence[_Span], marks: Sequence[_Mark]) -> str | None:
    """`text` with each span in its mark; None when two spans would escape the same run."""
    out: list[str] = []
    pos = 0
    for (a, b, before, after), (mark, escape) in zip(spans, marks, strict=True):
        lo, hi = a, b
        head = tail = ""
        if escape and a and text[a - 1] in "*_" and not _escapes(text, a - 2):
            lo = _run(text, a - 1, -1)
            head = "".join("\\" + c for c in text[lo:a])
        if escape and text[b : b + 1] in ("*", "_"):
            hi = _run(text, b, 1) + 1
            tail = "".join("\\" + c for c in text[b:hi])
        if lo < pos:
            return None
        out += (text[pos:lo], head, before, mark, text[a:b], after, mark, tail)
        pos = hi
    out.append(text[pos:])
    return "".join(out)


class Backs:
    """The backs of one text: where each asked answer is emphasised, checked where it must be."""

    __slots__ = (
        "_checkable",
        "_delims",
        "_lines",
        "_parsable",
        "_prefixes",
        "_risky",
        "_shown",
        "_source",
        "code",
        "starts",
        "text",
    )

    def __init__(self, shown: list[str], numbers: int, lines: int) -> None:
        self.text = text = "".join(shown)
        self.starts: list[int] = []
        at = 0
        for piece in shown:
            self.starts.append(at)
            at += len(piece)
        self._lines: list[int] | None = None
        self._prefixes: dict[int, tuple[int, bool]] = {}
        self.code = self._code_lines(shown)
        self._risky: bool | None = None
        self._delims: bool | None = None
        self._source: _Reading | None = None
        self._shown: list[int] | None = None
        cost = (2 * numbers + 3 * lines) * (len(text) + _PARSE_COST)  # (answers' lines)
        self._parsable = len(text) <= _CHECK_MAX and sum(map(text.count, _MARKUP)) <= _CHECK_MARKUP
        self._checkable = self._parsable and cost <= _CHECK_BUDGET

    def render(self, shown: list[str], spots: Sequence[int]) -> str:
        text = self.text
        if self.code is None:
            return text  # (a text of more than 65,000 deletion lines: where code is, unknown)
        spans: list[_Span] = []
        risky = False
        for start, end in self._groups(shown, spots):
            risky |= self._spans(start, end, spans)
        if not spans:
            return text
        if risky or self._text_risky():
            return self._checked(spans)
        if not self._delimiters():
            return _wrap(text, spans, [_FORMS[0]] * len(spans)) or text
        # Each `**` pair matches itself (`_span_risky`). In the text's own bold it would show as
        # nothing, so there the mark is `*`, and in bold italics there is none: where the text
        # is, is read by parsing it once (a text too long to parse keeps `**`).
        if not self._parsable:
            return _wrap(text, spans, [_FORMS[0]] * len(spans)) or text
        if self._states() is None:
            return self._checked(spans)
        kept, marks = self._visible(spans)
        return _wrap(text, kept, marks) or text

    def _states(self) -> list[int] | None:
        """The emphasis each character of the text shows with (`_reading`'s states; -1 for one
        not shown), or None when the text is too long to parse or its reading cannot be lined
        up with it (a character shown that is not there, one there not shown other than
        Markdown's marks)."""
        if self._shown is None:
            if not self._parsable:
                return None
            if self._source is None:
                self._source = _reading(self.text)
            self._shown = _line_up(self.text, self._source) or []
        return self._shown or None

    def _groups(self, shown: list[str], spots: Sequence[int]) -> list[tuple[int, int]]:
        """The asked answers as (start, end) in the text, those side by side joined."""
        groups: list[tuple[int, int]] = []
        for i in spots:
            if not shown[i].strip():
                continue
            start = self.starts[i]
            end = start + len(shown[i])
            if groups and groups[-1][1] == start:
                groups[-1] = (groups[-1][0], end)
            else:
                groups.append((start, end))
        return groups

    def _code_lines(self, shown: list[str]) -> list[tuple[int, int]] | None:
        """(start, end) of each line of a deletion whose text starts or ends in code (a code
        span, a code block, a fence or its info string), ascending; None when too many to mark."""
        text = self.text
        if not _CODE_HINT.search(text):
            return []
        lines: list[tuple[int, int]] = []
        for i in range(1, len(shown), 2):
            start = self.starts[i]
            end = start + len(shown[i])
            pos = start
            while pos <= end:  # each line's text, after its markers: a marker before `- ` or on
                stop = text.find("\n", pos, end)  # a blank line would change the blocks
                stop = end if stop < 0 else stop
                first, words = self._prefix(self._line_start(pos))
                m = _LINE_TEXT.search(text, max(pos, first), stop)
                # (A line without letters or digits may be `---` or a fence that a marker would
                # undo: its answers are checked by parsing, `_span_risky`.)
                if m and words and not _FENCE_LINE.match(m[0]):
                    lines.append(m.span())
                pos = stop + 1
        if 2 * len(lines) > _MAX_PIECES:
            return None
        marked: list[str] = []
        pos = 0
        for k, (a, b) in enumerate(lines):
            marked += (text[pos:a], chr(_MARK + 2 * k), text[a:b], chr(_MARK + 2 * k + 1))
            pos = b
        marked.append(text[pos:])
        found: set[int] = set()
        for token in _markdown().parse("".join(marked)):
            for t in [token, *(token.children or ())]:
                if t.type in _CODE_TOKENS:
                    found.update((ord(c) - _MARK) // 2 for c in t.content + t.info if ord(c) >= _MARK)
        return [lines[k] for k in sorted(found)]

    def in_code(self, a: int, b: int) -> bool:
        """Whether `text[a:b]` meets a deletion line that starts or ends in code."""
        code = self.code or []
        i = bisect_right(code, (b, b)) - 1  # the last line starting before b
        return i >= 0 and code[i][1] > a

    def _line_start(self, pos: int) -> int:
        if self._lines is None:
            self._lines = [m.end() for m in re.finditer("\n", self.text)]
        i = bisect_right(self._lines, pos) - 1
        return self._lines[i] if i >= 0 else 0

    def _prefix(self, line: int) -> tuple[int, bool]:
        """Where the text of the line starting at `line` starts (after its list, quote or heading
        markers), and whether it has a letter or digit (else it may be a setext underline, a
        thematic break, a fence or a table's delimiter row, which an added `*` would undo)."""
        found = self._prefixes.get(line)
        if found is None:
            stop = self.text.find("\n", line)
            stop = len(self.text) if stop < 0 else stop
            m = _LINE_PREFIX.match(self.text, line, stop)
            end = m.end() if m else line
            found = self._prefixes[line] = (end, _WORD.search(self.text, end, stop) is not None)
        return found

    def _spans(self, start: int, end: int, out: list[_Span]) -> bool:
        """The spans to emphasise of one group, appended to `out`; whether they need checking."""
        text = self.text
        many = text.find("\n", start, end) >= 0
        risky = False
        fence = ""
        pos = start
        while pos <= end:
            stop = text.find("\n", pos, end)
            stop = end if stop < 0 else stop
            line = self._line_start(pos)
            first, words = self._prefix(line)
            a = max(pos, first)
            b = stop
            pos = stop + 1
            if many:  # an answer over several lines: each line's text, outside code fences
                body = text[a:b].strip()
                fenced = _FENCE_LINE.match(body)
                if fence:
                    if fenced and fenced[0][0] == fence[0] and len(fenced[0]) >= len(fence):
                        fence = ""
                    continue
                if fenced:
                    fence = fenced[0]
                    continue
                if not any(c.isalnum() for c in body) or body.startswith("|"):
                    continue
            span = _inside(text, a, b)
            if span is None or self.in_code(span[0], span[1]):
                continue
            out.append(span)
            if self._span_risky(span[0], span[1], line, first, words):
                risky = True
        return risky

    def _span_risky(self, a: int, b: int, line: int, first: int, words: bool) -> bool:
        """Whether `**` around `text[a:b]` may do other than emphasise it: start or undo a block,
        change how a `*`, `_` or `~` run next to it flanks, be escaped, or pair with the text's
        own emphasis. (It cannot pair with the text's own when none is inside it, the `**`
        before it cannot close and the `**` after it cannot open: then the two match each other.)"""
        text = self.text
        if not words or (a == first and (_BLOCK_START.match(text, a) or _INDENT.search(text, line, a))):
            return True  # the answer may start a block (`- `, `# `, `1.`, a fence, code)
        edges = text[a - 1 : a + 1] + text[b - 1 : b + 1]
        if "*" in edges or "_" in edges or "~" in edges or "\\" in text[a - 2 : a] + text[b - 1]:
            return True
        return self._delimiters() and bool(
            _DELIMITERS.search(text, a, b)
            or _closes(text[a - 1] if a else "", text[a])
            or _opens(text[b - 1], text[b : b + 1])
        )

    def _delimiters(self) -> bool:
        """Whether the text has a `*`, a `~~` or a `_` that may open or close emphasis."""
        if self._delims is None:
            text = self.text
            self._delims = "*" in text or "~~" in text or ("_" in text and _loose_underscore(text))
        return self._delims

    def _text_risky(self) -> bool:
        if self._risky is None:
            text = self.text
            self._risky = bool(
                _RISKY.search(text) or ("|" in text and "-" in text) or ("$" in text and _has_math(text))
            )
        return self._risky

    def _checked(self, spans: list[_Span]) -> str:
        """The back with the spans emphasised that the card view shows emphasised; the others
        plain. At most 2 + 3 x spans parses: all of them (in `*` where the text is bold, when
        its reading lines up with it, else in `**`), all in `*`, then one by one in each form."""
        text = self.text
        if not self._checkable:
            return text
        if self._source is None:
            self._source = _reading(text)
        spans, first = self._visible(spans)
        if not spans:
            return text
        tries = 2 + 3 * len(spans)
        for marks in first, [_FORMS[1]] * len(spans):
            whole = _wrap(text, spans, marks)
            tries -= 1
            if whole is not None and _emphasised(self._source, _reading(whole), len(spans)):
                return whole
        # One by one, answers with letters or digits first: emphasis on a lone `(` must not
        # take the place of an answer's.
        chosen: dict[_Span, _Mark] = {}
        order = sorted(range(len(spans)), key=lambda k: not _WORD.search(text, spans[k][0], spans[k][1]))
        for k in order:
            span = spans[k]
            for form in sorted(_FORMS, key=lambda f: f != first[k]):
                trial_spans = sorted([*chosen, span])
                trial = _wrap(text, trial_spans, [chosen.get(sp, form) for sp in trial_spans])
                if tries == 0 or trial is None:
                    continue
                tries -= 1
                if _emphasised(self._source, _reading(trial), len(trial_spans)):
                    chosen[span] = form
                    break
        ordered = sorted(chosen)
        return _wrap(text, ordered, [chosen[sp] for sp in ordered]) or text

    def _visible(self, spans: list[_Span]) -> tuple[list[_Span], list[_Mark]]:
        """The spans emphasis can show on, each with its mark: `*` in the text's own bold, none
        in its bold italics, else `**` (all `**` when the reading does not line up)."""
        states = self._states()
        if states is None:
            return spans, [_FORMS[0]] * len(spans)
        kept: list[_Span] = []
        marks: list[_Mark] = []
        for span in spans:
            state = max((states[i] for i in range(span[0], span[1]) if states[i] > 0), default=0)
            if state & 7 and state >> 3 & 7:
                continue
            kept.append(span)
            marks.append(_FORMS[1] if state >> 3 & 7 else _FORMS[0])
        return kept, marks


# What the card view may show none of: emphasis, code and block marks, list numbers, spaces.
_UNSHOWN = frozenset(" \t\n*_~`#>-+=.)0123456789")


def _line_up(text: str, reading: _Reading) -> list[int] | None:
    """Each character's state in `reading` (-1 where not shown), or None where they differ."""
    out = [-1] * len(text)
    i = 0
    n = len(text)
    for ch, state in zip(reading[0], reading[1], strict=True):
        if ch == "\0":
            continue
        while i < n and text[i] != ch:
            if text[i] not in _UNSHOWN:
                return None
            i += 1
        if i == n:
            return None
        out[i] = state
        i += 1
    return out if all(c in _UNSHOWN for c in text[i:]) else None


def _has_math(text: str) -> bool:
    from retain.core.mathtext import math_spans

    return bool(math_spans(text))
