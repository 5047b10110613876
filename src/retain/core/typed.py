"""Typed-answer cards: compare what the learner typed with the expected answer.

`check_typed` picks the closest target among the card's back and its `accept`
alternatives, diffs it character by character (case-insensitively), and
suggests a rating: Good for a match, Hard for a near miss, Again otherwise.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Literal

__all__ = [
    "MAX_ANSWER",
    "NEAR_MISS",
    "DiffPart",
    "PartKind",
    "TypedCheck",
    "check_typed",
    "normalize_answer",
    "plain_answer",
]

MAX_ANSWER = 500  # characters compared; longer input is cut (the diff is quadratic)
NEAR_MISS = 0.8  # similarity from which a wrong answer counts as a typo (Hard)
MAX_TARGETS = 16  # the back and the first accepted alternatives: each costs a diff
MAX_ACCEPTED = 256  # accepted answers compared exactly (a hostile deck may list millions)

PartKind = Literal["same", "wrong", "missing"]

_MD_MARKS = re.compile(r"`+|~~")
# `*` and `_` runs that open or close emphasis (not inside a word like snake_case, not "a * b").
_EMPHASIS = re.compile(r"(?<!\w)[*_]+(?=[^\s*_])|(?<=[^\s*_])[*_]+(?!\w)")
# A run of marks longer than any emphasis is dropped first: the emphasis pattern tries each
# position of a run, so a 20,000-star answer took 20 s; runs of at most 32 keep it linear.
_LONG_RUN = re.compile(r"[*_]{33,}")
_SPACES = re.compile(r"\s+")
_TRAILING = re.compile(r"[.!?;:,]+$")


@dataclass(frozen=True, slots=True)
class DiffPart:
    """A run of characters: `same` in both, `wrong` (typed, not expected), `missing` (expected, not typed)."""

    text: str
    kind: PartKind


@dataclass(frozen=True, slots=True)
class TypedCheck:
    answer: str
    expected: str  # the target the answer was compared with
    correct: bool
    similarity: float  # 0..1 of the normalised strings
    typed_parts: tuple[DiffPart, ...]
    expected_parts: tuple[DiffPart, ...]
    suggested_rating: int  # 1 Again, 2 Hard, 3 Good


def plain_answer(markdown: str) -> str:
    """The expected answer without Markdown emphasis or code marks, on one line."""
    text = _EMPHASIS.sub("", _LONG_RUN.sub("", _MD_MARKS.sub("", markdown)))
    return _SPACES.sub(" ", text).strip()


def normalize_answer(text: str) -> str:
    """Form used to decide correctness: NFKC, case-folded, single spaces, no trailing punctuation."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = _SPACES.sub(" ", text).strip()
    return _TRAILING.sub("", text).strip()


def _merge(parts: list[DiffPart]) -> tuple[DiffPart, ...]:
    merged: list[DiffPart] = []
    for part in parts:
        if not part.text:
            continue
        if merged and merged[-1].kind == part.kind:
            merged[-1] = DiffPart(merged[-1].text + part.text, part.kind)
        else:
            merged.append(part)
    return tuple(merged)


# difflib's matcher takes cubic time on repetitive text ("abab..." against "aabaab...": 7 s at
# 500 characters). Pairs longer than this in all are compared by LCS in bit-parallel time instead.
_FINE = 240


def _lcs(a: str, b: str) -> int:
    """Length of the longest common subsequence (Hyyrö's bit-parallel form: O(len(a) * len(b) / 64))."""
    if not a or not b:
        return 0
    masks: dict[str, int] = {}
    for i, ch in enumerate(a):
        masks[ch] = masks.get(ch, 0) | (1 << i)
    full = (1 << len(a)) - 1
    s = full
    for ch in b:
        u = s & masks.get(ch, 0)
        s = ((s + u) | (s - u)) & full
    return len(a) - s.bit_count()


def _coarse_diff(typed: str, expected: str) -> tuple[tuple[DiffPart, ...], tuple[DiffPart, ...]]:
    """Common start and end kept; the middle marked wrong / missing (long answers: linear time)."""
    a, b = typed.casefold(), expected.casefold()
    if len(a) != len(typed) or len(b) != len(expected):  # casefold changed a length: no alignment
        a, b = typed, expected
    head = 0
    while head < min(len(a), len(b)) and a[head] == b[head]:
        head += 1
    tail = 0
    while tail < min(len(a), len(b)) - head and a[-1 - tail] == b[-1 - tail]:
        tail += 1
    ta, tb = len(typed) - tail, len(expected) - tail
    typed_parts = [
        DiffPart(typed[:head], "same"),
        DiffPart(typed[head:ta], "wrong"),
        DiffPart(typed[ta:], "same"),
    ]
    expected_parts = [
        DiffPart(expected[:head], "same"),
        DiffPart(expected[head:tb], "missing"),
        DiffPart(expected[tb:], "same"),
    ]
    return _merge(typed_parts), _merge(expected_parts)


def _diff(typed: str, expected: str) -> tuple[tuple[DiffPart, ...], tuple[DiffPart, ...]]:
    if len(typed) + len(expected) > _FINE:
        return _coarse_diff(typed, expected)
    a = [ch.casefold() for ch in typed]
    b = [ch.casefold() for ch in expected]
    typed_parts: list[DiffPart] = []
    expected_parts: list[DiffPart] = []
    for op, i1, i2, j1, j2 in SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            typed_parts.append(DiffPart(typed[i1:i2], "same"))
            expected_parts.append(DiffPart(expected[j1:j2], "same"))
        else:
            typed_parts.append(DiffPart(typed[i1:i2], "wrong"))
            expected_parts.append(DiffPart(expected[j1:j2], "missing"))
    return _merge(typed_parts), _merge(expected_parts)


def _similarity(a: str, b: str) -> float:
    if not a and not b:
        return 1.0
    if len(a) + len(b) > _FINE:
        return 2.0 * _lcs(a, b) / (len(a) + len(b))
    return SequenceMatcher(None, a, b, autojunk=False).ratio()


def check_typed(answer: str, expected: str, accept: Sequence[str] = ()) -> TypedCheck:
    """Compare a typed answer with the card's back (Markdown allowed) and its accepted alternatives."""
    typed = _SPACES.sub(" ", answer[:MAX_ANSWER]).strip()
    norm_typed = normalize_answer(typed)
    everything = [plain_answer(t[: 4 * MAX_ANSWER])[:MAX_ANSWER] for t in (expected, *accept)[:MAX_ACCEPTED]]
    # An exact match against any accepted answer is cheap; only the similarity (a diff per
    # target) is limited to the back and the first accepted alternatives.
    exact = [t for t in everything if t and normalize_answer(t) == norm_typed]
    targets = exact[:1] or [t for t in everything[:MAX_TARGETS] if t] or [""]
    # An exact match wins; then the most similar; ties keep the card's own back first.
    correct, similarity, target = False, -1.0, targets[0]
    for t in targets:
        norm = normalize_answer(t)
        if norm == norm_typed:
            correct, similarity, target = True, _similarity(norm_typed, norm), t
            break
        score = _similarity(norm_typed, norm)
        if score > similarity:
            similarity, target = score, t
    if not typed:
        correct, similarity = False, 0.0
    typed_parts, expected_parts = _diff(typed, target)
    if correct:
        rating = 3
    elif similarity >= NEAR_MISS:
        rating = 2
    else:
        rating = 1
    return TypedCheck(typed, target, correct, similarity, typed_parts, expected_parts, rating)
