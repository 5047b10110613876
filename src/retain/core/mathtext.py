"""`$...$` and `$$...$$` in card Markdown rendered to Unicode, before the Markdown is parsed.

- Inline math follows pandoc's rule, so prices and shell variables stay text:
  the opening `$` has a non-space after it, the closing `$` a non-space
  before it and no digit after it, and the two are on one paragraph.
  `echo $HOME and $PATH` and `$5 or $10` are not math; `\\$` is a dollar.
- Nothing inside code (fenced blocks, inline code spans) is math.
- Display math `$$...$$` is put on its own lines.
- The first 200 spans and `MAX_MATH_CHARS` characters of math of a text are
  converted; the rest stays source (a hostile card cannot freeze the screen).
- The converted text is Markdown-escaped, so `*` or `_` in it never becomes
  emphasis. An expression that cannot be converted (a parse error, an unknown
  macro, too long) is shown as its source, escaped the same way.
- A cloze inside math: the front already has `[...]` where the answer was
  (so the rendered symbol is hidden with its source), and the back marks the
  answer `**...**`, which is carried through the conversion and stays bold.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from functools import lru_cache

from retain.core.codespans import code_ranges, in_ranges
from retain.core.latexunicode import MAX_MATH, MathError, to_unicode

__all__ = ["MAX_MATH_CHARS", "escape_markdown", "has_math", "math_spans", "render_math"]

_BOLD_OPEN, _BOLD_CLOSE = "\ue000", "\ue001"  # private-use marks for `**` through the converter
_BOLD = re.compile(r"\*\*(.+?)\*\*", re.DOTALL)
_PUNCT = re.compile(r"([!-/:-@\[-`{-~])")  # every ASCII punctuation character
_MAX_SPANS = 200  # math spans converted per text; later ones stay source
# Characters of math converted per text, delimiters included: the LaTeX parser takes about 10 ms
# per 1,000, so a stranger's card of 200 long expressions froze each draw for seconds. Later spans
# stay source. A real card has a few hundred.
MAX_MATH_CHARS = 16_000


def escape_markdown(text: str) -> str:
    """Backslash-escape ASCII punctuation: the text shows as written, never as Markdown."""
    return _PUNCT.sub(r"\\\1", text)


def has_math(text: str) -> bool:
    return "$" in text


def _convert(source: str, display: bool) -> str:
    delim = "$$" if display else "$"
    marked = _BOLD.sub(lambda m: f"{_BOLD_OPEN}{m[1]}{_BOLD_CLOSE}", source)
    try:
        text = to_unicode(marked)
    except MathError:
        return escape_markdown(f"{delim}{source}{delim}")
    out = escape_markdown(text).replace(_BOLD_OPEN, "**").replace(_BOLD_CLOSE, "**")
    return out.replace("\n", "  \n") if display else out.replace("\n", " ")


def _escaped(text: str, i: int) -> bool:
    n = 0
    while i - n - 1 >= 0 and text[i - n - 1] == "\\":
        n += 1
    return n % 2 == 1


def _closers(text: str, code: list[tuple[int, int]]) -> list[int]:
    """Every `$` that can close inline math (the rule looks only at its neighbours), ascending."""
    out: list[int] = []
    i = text.find("$", 1)
    while i >= 0:
        after = text[i + 1 : i + 2]
        ok = not text[i - 1].isspace() and text[i - 1] != "$" and not after.isdigit() and after != "$"
        if ok and not _escaped(text, i) and not in_ranges(i, code):
            out.append(i)
        i = text.find("$", i + 1)
    return out


def _close_inline(text: str, start: int, closers: list[int]) -> int:
    """Index of the `$` closing inline math opened at `start`, or -1 (one paragraph, MAX_MATH long)."""
    k = bisect_right(closers, start)
    if k == len(closers):
        return -1
    end = closers[k]
    if end - start > MAX_MATH or text.find("\n\n", start, end) >= 0:
        return -1
    return end


_CACHED = 20_000  # texts up to this long are remembered (a card is drawn again on the reveal)


def render_math(text: str) -> str:
    """`text` (card Markdown) with its math spans rendered as escaped Unicode text."""
    if "$" not in text:
        return text
    return _cached(text) if len(text) <= _CACHED else _render(text)


@lru_cache(maxsize=512)
def _cached(text: str) -> str:
    return _render(text)


def math_spans(text: str) -> list[tuple[int, int, bool]]:
    """(start, end, display) of each math span `render_math` converts, delimiters included, in order."""
    if "$" not in text:
        return []
    code = code_ranges(text)
    closers = _closers(text, code)
    spans: list[tuple[int, int, bool]] = []
    budget = MAX_MATH_CHARS
    i = 0
    while len(spans) < _MAX_SPANS:
        i = text.find("$", i)
        if i < 0:
            break
        if _escaped(text, i) or in_ranges(i, code):
            i += 1
            continue
        if text.startswith("$$", i):
            end = text.find("$$", i + 2)
            while end >= 0 and (_escaped(text, end) or in_ranges(end, code)):
                end = text.find("$$", end + 2)
            if end < 0 or not text[i + 2 : end].strip():
                i += 2
                continue
            budget -= end + 2 - i
            if budget < 0:
                break
            spans.append((i, end + 2, True))
            i = end + 2
            continue
        nxt = text[i + 1 : i + 2]
        if not nxt or nxt.isspace():
            i += 1
            continue
        end = _close_inline(text, i, closers)
        if end < 0:
            i += 1
            continue
        budget -= end + 1 - i
        if budget < 0:
            break
        spans.append((i, end + 1, False))
        i = end + 1
    return spans


def _render(text: str) -> str:
    spans = math_spans(text)
    if not spans:
        return text
    out: list[str] = []
    pos = 0
    for start, end, display in spans:
        if not display:
            out.append(text[pos:start])
            out.append(_convert(text[start + 1 : end - 1], False))
            pos = end
            continue
        before = text[pos:start].rstrip(" \t")
        out.append(before)
        if before and not before.endswith("\n"):
            out.append("\n")
        out.append(_convert(text[start + 2 : end - 2], True))
        pos = end
        rest = len(text[pos:]) - len(text[pos:].lstrip(" \t"))
        pos += rest
        if pos < len(text) and text[pos] != "\n":
            out.append("\n")
    out.append(text[pos:])
    return "".join(out)
