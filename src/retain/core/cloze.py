"""Anki-style cloze deletions: `{{c1::answer}}` and `{{c1::answer::hint}}`.

The text is read by a hand-written scanner in one pass (a regex with lazy
groups took cubic time on a run of unclosed `{{c1::` openers). It finds what
the regex `\\{\\{c(\\d+)::(.*?)(?:::(.*?))?\\}\\}` (DOTALL) found, with two
limits: the number is ASCII digits, and a number above `MAX_CLOZE` is not a
cloze (it stays plain text; `retain check` warns about it). `MAX_CLOZE` is the
one limit shared by this parser, `retain check` and the unit-key codec
(`deck/card:c1` .. `:c9999`).

`CLOZE_RE` is kept for callers that used the old regex: it has `finditer`,
`search` and `sub`, with match objects that index like `re.Match`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Literal, overload

__all__ = [
    "CLOZE_RE",
    "MAX_CLOZE",
    "MAX_CLOZE_DIGITS",
    "ClozeMatch",
    "Deletion",
    "cloze_numbers",
    "deletions",
    "out_of_range_numbers",
    "render_all",
    "render_back",
    "render_front",
]

MAX_CLOZE_DIGITS = 4
MAX_CLOZE = 10**MAX_CLOZE_DIGITS - 1  # c1 .. c9999, as in unit keys


@dataclass(frozen=True, slots=True)
class Deletion:
    number: int
    answer: str
    hint: str


class ClozeMatch:
    """One deletion found in a text; `m[1]` its number (no leading zeros), `m[2]` answer, `m[3]` hint or None."""

    __slots__ = ("_groups", "_span", "number")

    def __init__(self, text: str, span: tuple[int, int], number: int, answer: str, hint: str | None) -> None:
        self._span = span
        self._groups = (text[span[0] : span[1]], str(number), answer, hint)
        self.number = number

    @overload
    def __getitem__(self, i: Literal[0, 1, 2]) -> str: ...
    @overload
    def __getitem__(self, i: Literal[3]) -> str | None: ...
    def __getitem__(self, i: int) -> str | None:
        return self._groups[i]

    def group(self) -> str:
        return self._groups[0] or ""

    def start(self) -> int:
        return self._span[0]

    def end(self) -> int:
        return self._span[1]


_DIGITS = re.compile(r"[0-9]*+")


def _digits_end(text: str, pos: int) -> int:
    m = _DIGITS.match(text, pos)
    return m.end() if m else pos


def _scan(text: str, rejected: list[str] | None = None) -> Iterator[ClozeMatch]:
    """Every deletion, left to right; time linear in len(text)."""
    pos = 0
    while True:
        start = text.find("{{c", pos)
        if start < 0:
            return
        d0 = start + 3
        d1 = _digits_end(text, d0)
        if d1 == d0 or not text.startswith("::", d1):
            pos = start + 1
            continue
        close = text.find("}}", d1 + 2)
        if close < 0:
            return  # no later opener can close either
        digits = text[d0:d1]
        significant = digits.lstrip("0")
        if len(significant) > MAX_CLOZE_DIGITS:
            if rejected is not None:
                rejected.append(digits if len(digits) <= 12 else digits[:12] + "...")
            pos = start + 1
            continue
        number = int(significant or "0")  # at most MAX_CLOZE_DIGITS digits: never int() of a huge string
        a0 = d1 + 2
        sep = text.find("::", a0, close)
        span = (start, close + 2)
        if sep < 0:
            yield ClozeMatch(text, span, number, text[a0:close], None)
        else:
            yield ClozeMatch(text, span, number, text[a0:sep], text[sep + 2 : close])
        pos = close + 2


class _ClozePattern:
    """The old `CLOZE_RE` interface over the linear scanner."""

    pattern = r"\{\{c(\d+)::(.*?)(?:::(.*?))?\}\}"

    def finditer(self, text: str) -> Iterator[ClozeMatch]:
        return _scan(text)

    def search(self, text: str) -> ClozeMatch | None:
        return next(_scan(text), None)

    def sub(self, repl: Callable[[ClozeMatch], str], text: str) -> str:
        out: list[str] = []
        pos = 0
        for m in _scan(text):
            out.append(text[pos : m.start()])
            out.append(repl(m))
            pos = m.end()
        if not out:
            return text
        out.append(text[pos:])
        return "".join(out)


CLOZE_RE = _ClozePattern()


def deletions(text: str) -> list[Deletion]:
    return [Deletion(m.number, m[2], m[3] or "") for m in _scan(text)]


def cloze_numbers(text: str) -> list[int]:
    """Distinct cloze numbers, ascending (c0 is not a cloze)."""
    return sorted({m.number for m in _scan(text)} - {0})


def out_of_range_numbers(text: str) -> list[str]:
    """Digits of `{{cN::...}}` openers whose N is above MAX_CLOZE (so they are plain text)."""
    rejected: list[str] = []
    for _ in _scan(text, rejected):
        pass
    return rejected


class _Layout:
    """The text cut once: `shown` has each deletion as its answer; `at[n]` where number n sits."""

    __slots__ = ("at", "matches", "shown")

    def __init__(self, text: str) -> None:
        self.shown: list[str] = []
        self.matches: dict[int, ClozeMatch] = {}
        self.at: dict[int, list[int]] = {}
        pos = 0
        for m in _scan(text):
            self.shown.append(text[pos : m.start()])
            self.at.setdefault(m.number, []).append(len(self.shown))
            self.matches[len(self.shown)] = m
            self.shown.append(m[2])
            pos = m.end()
        self.shown.append(text[pos:])

    def numbers(self) -> list[int]:
        return sorted(n for n in self.at if n)

    def front(self, number: int) -> str:
        out = self.shown.copy()  # a C-level copy: no Python loop over the pieces per number
        for i in self.at.get(number, ()):
            hint = self.matches[i][3]
            out[i] = f"[{hint}]" if hint else "[...]"
        return "".join(out)

    def back(self, number: int) -> str:
        out = self.shown.copy()
        for i in self.at.get(number, ()):
            out[i] = f"**{out[i]}**"
        return "".join(out)


def render_front(text: str, number: int) -> str:
    """The question side: cloze `number` hidden as `[...]` or `[hint]`, others shown."""
    return _Layout(text).front(number)


def render_back(text: str, number: int) -> str:
    """The answer side: every deletion shown, the asked one emphasised."""
    return _Layout(text).back(number)


def render_all(text: str) -> list[tuple[int, str, str]]:
    """(number, front, back) for each cloze number, ascending; the text is scanned once.

    Time is linear in the size of the output (numbers x text length); the deck
    parser bounds that product (`core.deckfile`).
    """
    layout = _Layout(text)
    return [(n, layout.front(n), layout.back(n)) for n in layout.numbers()]
