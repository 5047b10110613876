"""Character diffs of a typed answer against the expected one, and their similarity.

Moved here from `core.typed`: difflib on short pairs, a linear common-ends
diff and similarity on long ones (difflib is cubic on repetitive text).
"""

from __future__ import annotations

from difflib import SequenceMatcher

from retain.core.answer.normalise import common_ends
from retain.core.answer.verdict import DiffPart

__all__ = ["char_diff", "merge_parts", "similarity"]

# difflib's matcher takes cubic time on repetitive text ("abab..." against "aabaab...": 7 s at
# 500 characters). Pairs longer than this in all are compared by LCS in bit-parallel time instead.
_FINE = 240


def merge_parts(parts: list[DiffPart]) -> tuple[DiffPart, ...]:
    merged: list[DiffPart] = []
    for part in parts:
        if not part.text:
            continue
        if merged and merged[-1].kind == part.kind:
            merged[-1] = DiffPart(merged[-1].text + part.text, part.kind)
        else:
            merged.append(part)
    return tuple(merged)


def _coarse_diff(typed: str, expected: str) -> tuple[tuple[DiffPart, ...], tuple[DiffPart, ...]]:
    """Common start and end kept; the middle marked wrong / missing (long answers: linear time)."""
    a, b = typed.casefold(), expected.casefold()
    if len(a) != len(typed) or len(b) != len(expected):  # casefold changed a length: no alignment
        a, b = typed, expected
    head, tail = common_ends(a, b)
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
    return merge_parts(typed_parts), merge_parts(expected_parts)


def char_diff(typed: str, expected: str) -> tuple[tuple[DiffPart, ...], tuple[DiffPart, ...]]:
    """(typed parts: same / wrong, expected parts: same / missing), compared case-insensitively."""
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
    return merge_parts(typed_parts), merge_parts(expected_parts)


def similarity(a: str, b: str) -> float:
    """0..1: how much of two answers is shared (difflib's ratio, or 2·LCS/(|a|+|b|) when long)."""
    if not a and not b:
        return 1.0
    if len(a) + len(b) > _FINE:
        head, tail = common_ends(a, b)  # long answers: only their common ends (linear)
        return 2.0 * (head + tail) / (len(a) + len(b))
    return SequenceMatcher(None, a, b, autojunk=False).ratio()
