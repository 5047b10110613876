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
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal, overload

from retain.core.cloze_back import Backs, in_code
from retain.core.codespans import code_ranges, in_ranges
from retain.core.model import MAX_CLOZE_DIGITS

if TYPE_CHECKING:
    pass

__all__ = [
    "CLOZE_RE",
    "MAX_CLOZE",
    "MAX_CLOZE_DIGITS",
    "ClozeMatch",
    "ClozeSurvey",
    "Deletion",
    "cloze_numbers",
    "deletions",
    "nesting_problem",
    "numbers_and_rejected",
    "out_of_range_numbers",
    "render_all",
    "render_back",
    "render_front",
    "scan",
    "survey",
]

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


# An opener with its number; possessive, so each run of digits is read once.
_OPENER = re.compile(r"\{\{c([0-9]++)::")

# One deletion as the scanner finds it: (start, end, number, answer, hint or None).
_Raw = tuple[int, int, int, str, "str | None"]


def _scan_raw(
    text: str, rejected: list[str] | None = None, rejected_at: list[int] | None = None
) -> list[_Raw]:
    """Every deletion, left to right, as tuples; time linear in len(text).

    The first `}}` after an opener closes it. An opener whose number is too big
    is plain text, and the scan goes on just after its `{{`; the `}}` found for
    it is kept for the openers that follow up to it, so a run of such openers
    before one `}}` does not search the same text again and again.
    """
    found: list[_Raw] = []
    search = _OPENER.search
    find = text.find
    pos = 0
    close = -1  # the first "}}" at or after the last place searched from
    while True:
        m = search(text, pos)
        if m is None:
            return found
        start, a0 = m.span()
        if close < a0:
            close = find("}}", a0)
            if close < 0:
                return found  # no later opener can close either
        digits = m[1]
        if len(digits) > MAX_CLOZE_DIGITS:
            significant = digits.lstrip("0")
            if len(significant) > MAX_CLOZE_DIGITS:
                if rejected is not None:
                    rejected.append(digits if len(digits) <= 12 else digits[:12] + "...")
                if rejected_at is not None:
                    rejected_at.append(start)
                pos = start + 1
                continue
            digits = significant
        number = int(digits)  # at most MAX_CLOZE_DIGITS digits: never int() of a huge string
        sep = find("::", a0, close)
        if sep < 0:
            found.append((start, close + 2, number, text[a0:close], None))
        else:
            found.append((start, close + 2, number, text[a0:sep], text[sep + 2 : close]))
        pos = close + 2


def _scan(text: str, rejected: list[str] | None = None) -> Iterator[ClozeMatch]:
    """Every deletion as a `ClozeMatch` (for the `CLOZE_RE` interface)."""
    for start, end, number, answer, hint in _scan_raw(text, rejected):
        yield ClozeMatch(text, (start, end), number, answer, hint)


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
    return [
        Deletion(number, answer, hint or "") for _, _, number, answer, hint in _flat(text, _scan_raw(text))
    ]


def cloze_numbers(text: str) -> list[int]:
    """Distinct cloze numbers, ascending (c0 is not a cloze)."""
    numbers = {d[2] for d in _flat(text, _scan_raw(text))}
    numbers.discard(0)
    return sorted(numbers)


def numbers_and_rejected(text: str) -> tuple[list[int], list[str]]:
    """`cloze_numbers` and `out_of_range_numbers` from one scan of the text."""
    rejected: list[str] = []
    numbers = {d[2] for d in _flat(text, _scan_raw(text, rejected))}
    numbers.discard(0)
    return sorted(numbers), rejected


# What an author may have meant as a deletion opener: a brace or two (the first of a run), at
# most one space here and there, a `c` in either case, digits and one or two colons. Bounded, so
# a run of braces or spaces costs one step per character.
# Meant as a deletion: `{{` with one colon or `{` with two (`{C1:C5}` is a spreadsheet range).
_LOOKALIKE = re.compile(
    r"(?<!\{)(?:\{\{[ \t]?[cC][ \t]?([0-9]{1,12})[ \t]?::?|\{[ \t]?[cC][ \t]?([0-9]{1,12})[ \t]?::)"
)
_MAX_STRAY = 3  # openers reported per card: a text full of them needs one look, not thousands


@dataclass(frozen=True, slots=True)
class ClozeSurvey:
    """What `retain check` says about one cloze text, from one scan of it."""

    numbers: list[int]  # the distinct cloze numbers, ascending
    rejected: list[str]  # digits of `{{cN::` openers above MAX_CLOZE (plain text)
    stray: list[tuple[str, str]]  # (an opener as written that makes no deletion, why)
    empty: list[int]  # numbers with a deletion whose answer is empty
    # where each is in the text (for `retain check` to point at it): the offset of each rejected
    # opener, of each stray opener, and of the first deletion with an empty answer of each number
    rejected_at: list[int] = field(default_factory=list)
    stray_at: list[int] = field(default_factory=list)
    empty_at: list[int] = field(default_factory=list)


def survey(text: str) -> ClozeSurvey:
    """The numbers, the rejected numbers, the openers that make no deletion and the empty answers.

    An opener that makes no deletion is shown as plain text (`{{c2::x` never closed,
    `{{C2::x}}`, `{{c0::x}}`, `{{c2:x}}`, `{{ c2::x }}`): the author meant a deletion
    and the learner would see the markup.
    """
    rejected: list[str] = []
    rejected_at: list[int] = []
    found = _flat(text, _scan_raw(text, rejected, rejected_at))
    starts = {start for start, _end, number, _a, _h in found if number}
    stray: list[tuple[str, str]] = []
    stray_at: list[int] = []
    code: list[tuple[int, int]] | None = None
    for m in _LOOKALIKE.finditer(text):
        if m.start() in starts:
            continue
        if code is None:
            code = code_ranges(text)
        if in_ranges(m.start(), code):
            continue  # code shows as written: no deletion was meant there
        opener, digits = m[0], m[1] or m[2]
        significant = digits.lstrip("0")
        if opener == f"{{{{c{digits}::":
            if len(significant) > MAX_CLOZE_DIGITS:
                continue  # (`rejected` says it)
            why = f"numbers go from 1 to {MAX_CLOZE}" if not significant else "it is never closed with }}"
        else:
            why = f"write {{{{c{significant or '1'}::...}}}}"
        stray.append((opener, why))
        stray_at.append(m.start())
        if len(stray) == _MAX_STRAY:
            break
    numbers = sorted({number for _s, _e, number, _a, _h in found} - {0})
    empty_first: dict[int, int] = {}
    for start, _e, number, answer, _h in found:
        if number and not answer.strip():
            empty_first.setdefault(number, start)
    empty = sorted(empty_first)
    return ClozeSurvey(
        numbers, rejected, stray, empty, rejected_at, stray_at, [empty_first[n] for n in empty]
    )


def out_of_range_numbers(text: str) -> list[str]:
    """Digits of `{{cN::...}}` openers whose N is above MAX_CLOZE (so they are plain text)."""
    rejected: list[str] = []
    _scan_raw(text, rejected)
    return rejected


def _nested(text: str, found: list[_Raw]) -> tuple[int, int, int] | None:
    """The first deletion with another opener inside it: (its start, its number, the inner number).

    Anki nests deletions (`{{c1::a {{c2::b}} c}}`); this parser does not, and
    such a text has no deletions at all rather than mangled ones. Each
    deletion's span is searched once, so the time stays linear.
    """
    search = _OPENER.search
    for start, end, number, _, _ in found:
        pos = text.index("::", start) + 2
        while (m := search(text, pos, end - 2)) is not None:
            if len(m[1].lstrip("0")) <= MAX_CLOZE_DIGITS:
                return start, number, int(m[1])
            pos = m.start() + 1  # a number above MAX_CLOZE is plain text
    return None


def nesting_problem(text: str) -> tuple[int, str] | None:
    """(offset of the outer opener, message) when a deletion holds another; such a text has no deletions."""
    nested = _nested(text, _scan_raw(text))
    if nested is None:
        return None
    start, outer, inner = nested
    return start, (
        f"nested cloze deletions are not supported: close {{{{c{outer}::...}}}} before opening {{{{c{inner}::...}}}}"
    )


def _flat(text: str, found: list[_Raw]) -> list[_Raw]:
    """`found`, or nothing when a deletion is nested in another (see `nesting_problem`)."""
    return [] if _nested(text, found) is not None else found


# Markdown renders no emphasis in these; a deletion that starts or ends in one is shown as plain text.
_LINK_AFTER = frozenset("([:")
# A bracket not already escaped (after an even run of backslashes). The run is possessive: `re`
# would keep memory for each backslash pair it could give back (none can end at a bracket).
_BRACKET = re.compile(r"(?<!\\)((?:\\\\)*+)([\[\]])")


def _escaped_placeholder(hint: str | None) -> str:
    """`\\[hint\\]` (`\\[...\\]`): brackets Markdown shows as brackets, the hint's own escaped too."""
    return "\\[" + (_BRACKET.sub(r"\1\\\2", hint) if hint else "...") + "\\]"


def _read_as_link(text: str, out: list[str], spots: Sequence[int], hints: dict[int, str | None]) -> bool:
    """Whether Markdown may read a placeholder `[...]`/`[hint]` as link syntax: followed by `(`
    (an inline link), `[` (a reference) or `:` (a link reference definition, which hides the
    line), a hint with brackets, or a text that defines a reference (`]:`) its label may match.
    Otherwise the placeholder stays as written (the browser's front column shows it raw)."""
    if "]:" in text:
        return True
    last = len(out) - 1
    for i in spots:
        hint = hints[i]
        if hint and ("[" in hint or "]" in hint):
            return True
        after = out[i + 1] if i < last else ""
        if not after:  # the next deletion is right after this one
            after = next((p for p in out[i + 2 :] if p), "")
        if after[:1] in _LINK_AFTER:
            return True
    return False


def _in_math(text: str, out: list[str], spots: Sequence[int]) -> set[int]:
    """The placeholders among `spots` inside `$...$` math (converted as math, never Markdown)."""
    if "$" not in text:
        return set()
    from retain.core.codespans import in_ranges
    from retain.core.mathtext import math_spans

    ranges = [(a, b) for a, b, _ in math_spans(text)]
    if not ranges:
        return set()
    found: set[int] = set()
    at = 0
    wanted = set(spots)
    for i, piece in enumerate(out):
        if i in wanted and in_ranges(at, ranges):
            found.add(i)
        at += len(piece)
    return found


class _Layout:
    """The text cut once: `shown` has each deletion as its answer; `at[n]` where number n sits."""

    __slots__ = ("_back", "_code", "at", "hints", "shown")

    def __init__(self, text: str, found: list[_Raw] | None = None) -> None:
        self.shown: list[str] = []
        self.hints: dict[int, str | None] = {}
        self.at: dict[int, list[int]] = {}
        self._code: set[int] | None = None
        self._back: Backs | None = None
        shown = self.shown
        pos = 0
        for start, end, number, answer, hint in _flat(text, _scan_raw(text) if found is None else found):
            shown.append(text[pos:start])
            i = len(shown)
            where = self.at.get(number)
            if where is None:
                self.at[number] = [i]
            else:
                where.append(i)
            self.hints[i] = hint
            shown.append(answer)
            pos = end
        shown.append(text[pos:])

    def numbers(self) -> list[int]:
        return sorted(n for n in self.at if n)

    def front(self, number: int) -> str:
        out = self.shown.copy()  # a C-level copy: no Python loop over the pieces per number
        spots = self.at.get(number, ())
        for i in spots:
            hint = self.hints[i]
            out[i] = f"[{hint}]" if hint else "[...]"
        text = "".join(out)
        if not spots or not _read_as_link(text, out, spots, self.hints):
            return text
        if self._code is None:
            self._code = in_code(self.shown)  # once per text
        keep = self._code | _in_math(text, out, spots)
        for i in spots:
            if i not in keep:  # in code or math a backslash would show
                out[i] = _escaped_placeholder(self.hints[i])
        return "".join(out)

    def back(self, number: int) -> str:
        if self._back is None:  # once per text, on the first reveal rendered
            numbers = self.numbers()
            lines = sum(self.shown[i].count("\n") + 1 for n in numbers for i in self.at[n])
            self._back = Backs(self.shown, len(numbers), lines)
        return self._back.render(self.shown, self.at.get(number, ()))


def render_front(text: str, number: int) -> str:
    """The question side: cloze `number` hidden as `[...]` or `[hint]`, others shown."""
    return _Layout(text).front(number)


def render_back(text: str, number: int) -> str:
    """The answer side: every deletion shown, the asked one emphasised."""
    return _Layout(text).back(number)


def render_all(text: str, found: list[_Raw] | None = None) -> list[tuple[int, str, str]]:
    """(number, front, back) for each cloze number, ascending; the text is scanned once.

    Time is linear in the size of the output (numbers x text length); the deck
    parser bounds that product (`core.deckfile`). `found` is `scan(text)` when
    the caller has it already.
    """
    layout = _Layout(text, found)
    return [(n, layout.front(n), layout.back(n)) for n in layout.numbers()]


def scan(text: str) -> list[_Raw]:
    """Every deletion as (start, end, number, answer, hint or None), for callers that need several views."""
    return _scan_raw(text)
