"""Where a character of a TOML string value is written: a value's offset to the file's offset.

A problem found in a card's text (a broken cloze, a missing media file) is at an offset of the
string the TOML reader gave; the file writes that string with quotes, escapes (`\\n`, `\\u00e9`,
the 1.1 drafts' `\\e` and `\\xHH`), line continuations (a `\\` ending a line of a `\"\"\"` string
drops the line break and the blanks after it), a trimmed first line break and CRLF line ends.
`read_string` reads a string as the readers do (`core.tomlsafe`) and keeps where each run of
its value is written. Literal strings (`'...'`, `'''...'''`) are verbatim. No file I/O.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass

__all__ = ["StringSpots", "read_string"]

_HEX = r"u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|x[0-9A-Fa-f]{2}"
# The tokens of each kind of string body: a run of plain text (group `run`), an escape (`esc`),
# a line continuation (`cont`, multi-line basic only), a CRLF (`crlf`) and a run of quotes (`q`).
_BASIC_RE = re.compile(rf'(?P<run>[^"\\\n]++)|(?P<esc>\\(?:{_HEX}|[^\n]))|(?P<q>")')
_ML_BASIC_RE = re.compile(
    rf'(?P<run>[^"\\\r]++)|(?P<crlf>\r\n)|(?P<cont>\\[ \t]*+\r?\n[ \t\r\n]*+)'
    rf'|(?P<esc>\\(?:{_HEX}|[^\r\n]))|(?P<q>"++)'
)
_ML_LITERAL_RE = re.compile(r"(?P<run>[^'\r]++)|(?P<crlf>\r\n)|(?P<q>'++)")
_ESCAPES = {"b": "\b", "t": "\t", "n": "\n", "f": "\f", "r": "\r", "e": "\x1b", '"': '"', "\\": "\\"}


def _unescape(escape: str) -> str | None:
    """The character an escape (`\\n`, `\\u00e9`) stands for; None for one no reader takes."""
    if escape[1] in "uUx":
        code = int(escape[2:], 16)
        return chr(code) if code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF else None
    return _ESCAPES.get(escape[1])


@dataclass(frozen=True, slots=True)
class StringSpots:
    """A string value as read, and where each piece of it is written: piece i starts at value
    offset `starts[i]` and file offset `raws[i]`, and is verbatim there when `verbatim[i]`
    (else one escape, or nothing: a line continuation)."""

    value: str
    starts: list[int]
    raws: list[int]
    verbatim: list[bool]

    def raw(self, offset: int) -> int:
        """The file offset where the value's character at `offset` is written (its escape's `\\`)."""
        i = max(bisect_right(self.starts, offset) - 1, 0)
        return self.raws[i] + (offset - self.starts[i] if self.verbatim[i] else 0)


def read_string(text: str, pos: int) -> StringSpots | None:
    """The string whose opening quote is at `text[pos]`, and where its pieces are; None when no
    string opens there or it does not read (the file would not load)."""
    if text.startswith('"""', pos):
        return _multi_line(text, pos + 3, _ML_BASIC_RE, '"')
    if text.startswith("'''", pos):
        return _multi_line(text, pos + 3, _ML_LITERAL_RE, "'")
    if text.startswith("'", pos):
        end = text.find("'", pos + 1)
        if end < 0 or "\n" in text[pos + 1 : end]:
            return None
        return StringSpots(text[pos + 1 : end], [0], [pos + 1], [True])
    if text.startswith('"', pos):
        return _basic(text, pos + 1)
    return None


class _Pieces:
    def __init__(self, begin: int) -> None:
        self.begin = begin  # where the body starts: the place of an empty string's nothing
        self.parts: list[str] = []
        self.starts: list[int] = []
        self.raws: list[int] = []
        self.verbatim: list[bool] = []
        self.size = 0

    def add(self, part: str, raw: int, verbatim: bool) -> None:
        self.parts.append(part)
        self.starts.append(self.size)
        self.raws.append(raw)
        self.verbatim.append(verbatim)
        self.size += len(part)

    def spots(self) -> StringSpots:
        if not self.starts:
            return StringSpots("", [0], [self.begin], [True])
        return StringSpots("".join(self.parts), self.starts, self.raws, self.verbatim)


def _basic(text: str, pos: int) -> StringSpots | None:
    pieces = _Pieces(pos)
    match = _BASIC_RE.match
    while (m := match(text, pos)) is not None:
        if m["q"] is not None:
            return pieces.spots()
        if m["run"] is not None:
            pieces.add(m[0], pos, True)
        else:
            char = _unescape(m[0])
            if char is None:
                return None
            pieces.add(char, pos, False)
        pos = m.end()
    return None


def _multi_line(text: str, pos: int, pattern: re.Pattern[str], quote: str) -> StringSpots | None:
    """A `\"\"\"` or `'''` string's body from `pos` (just after its opening quotes)."""
    if text.startswith("\r\n", pos):  # (the line break right after the opening quotes is not text)
        pos += 2
    elif text.startswith("\n", pos):
        pos += 1
    pieces = _Pieces(pos)
    match = pattern.match
    while (m := match(text, pos)) is not None:
        kind = m.lastgroup
        if kind == "q":
            run = len(m[0])
            if run >= 3:  # the string ends; up to two more quotes before the closing three are text
                if run > 3:
                    pieces.add(quote * min(run - 3, 2), pos, True)
                return pieces.spots()
            pieces.add(m[0], pos, True)
        elif kind == "run":
            pieces.add(m[0], pos, True)
        elif kind == "crlf":
            pieces.add("\n", pos, False)
        elif kind == "cont":
            pieces.add("", pos, False)
        else:
            char = _unescape(m[0])
            if char is None:
                return None
            pieces.add(char, pos, False)
        pos = m.end()
    return None
