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

PartKind = Literal["same", "wrong", "missing"]

_MD_MARKS = re.compile(r"`+|~~")
# `*` and `_` runs that open or close emphasis (not inside a word like snake_case, not "a * b").
_EMPHASIS = re.compile(r"(?<!\w)[*_]+(?=[^\s*_])|(?<=[^\s*_])[*_]+(?!\w)")
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
    text = _EMPHASIS.sub("", _MD_MARKS.sub("", markdown))
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


def _diff(typed: str, expected: str) -> tuple[tuple[DiffPart, ...], tuple[DiffPart, ...]]:
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
    return SequenceMatcher(None, a, b, autojunk=False).ratio()


def check_typed(answer: str, expected: str, accept: Sequence[str] = ()) -> TypedCheck:
    """Compare a typed answer with the card's back (Markdown allowed) and its accepted alternatives."""
    typed = _SPACES.sub(" ", answer[:MAX_ANSWER]).strip()
    targets = [plain_answer(t)[:MAX_ANSWER] for t in (expected, *accept)]
    targets = [t for t in targets if t] or [""]
    norm_typed = normalize_answer(typed)
    scored = [
        (normalize_answer(t) == norm_typed, _similarity(norm_typed, normalize_answer(t)), t) for t in targets
    ]
    # An exact match wins; then the most similar; ties keep the card's own back first.
    correct, similarity, target = max(scored, key=lambda s: (s[0], s[1]))
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
