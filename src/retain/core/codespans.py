"""Where card Markdown has code: fenced blocks and inline code spans.

Math (`core.mathtext`) and media references (`core.mediaref`) are looked for
only outside these ranges: `echo $HOME` in backticks is a command, not math.
Linear time in the text (a run of unmatched backticks must not go quadratic).
"""

from __future__ import annotations

import re
from bisect import bisect_right

__all__ = ["code_ranges", "in_ranges"]

_FENCE = re.compile(r"^[ ]{0,3}(`{3,}|~{3,})[^\n]*$", re.MULTILINE)
_TICKS = re.compile(r"`+")
_BLANK_LINE = re.compile(r"\n[ \t]*(?=\n)")  # a line of nothing but blanks: a paragraph ends


def _fenced(text: str) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    pos = 0
    while True:
        m = _FENCE.search(text, pos)
        if m is None:
            return out
        fence = m[1]
        close = re.compile(rf"^[ ]{{0,3}}{re.escape(fence[0])}{{{len(fence)},}}[ \t]*$", re.MULTILINE)
        end_m = close.search(text, m.end())
        end = end_m.end() if end_m else len(text)
        out.append((m.start(), end))
        pos = end + 1
        if pos > len(text):
            return out


def _inline(text: str, blocks: list[tuple[int, int]]) -> list[tuple[int, int]]:
    runs = [(m.start(), m.end()) for m in _TICKS.finditer(text) if not in_ranges(m.start(), blocks)]
    if not runs:
        return []
    # A code span never crosses a paragraph's end (a blank line) nor a fenced block, as in
    # CommonMark: "Press ` to open" and "Press ` to close" two paragraphs apart are no span.
    ends = [m.start() for m in _BLANK_LINE.finditer(text, runs[0][0], runs[-1][0])]
    ends = sorted(ends + [start for start, _end in blocks])
    # For each run, the next run of the same length in its paragraph (one pass from the end).
    nxt: list[int] = [-1] * len(runs)
    last: dict[tuple[int, int], int] = {}
    for i in range(len(runs) - 1, -1, -1):
        key = (bisect_right(ends, runs[i][0]), runs[i][1] - runs[i][0])
        nxt[i] = last.get(key, -1)
        last[key] = i
    out: list[tuple[int, int]] = []
    i = 0
    while i < len(runs):
        j = nxt[i]
        if j < 0:
            i += 1
            continue
        out.append((runs[i][0], runs[j][1]))
        i = j + 1
    return out


def code_ranges(text: str) -> list[tuple[int, int]]:
    """Sorted (start, end) offsets of fenced code blocks and inline code spans."""
    if "`" not in text and "~~~" not in text:
        return []
    blocks = _fenced(text)
    return sorted(blocks + _inline(text, blocks))


def in_ranges(pos: int, ranges: list[tuple[int, int]]) -> bool:
    """True if `pos` falls in one of the sorted `ranges` (binary search)."""
    i = bisect_right(ranges, (pos, 1 << 62)) - 1
    return i >= 0 and ranges[i][0] <= pos < ranges[i][1]
