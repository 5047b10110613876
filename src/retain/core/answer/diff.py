"""Character diffs of a typed answer against the expected one, and their similarity.

Moved here from `core.typed`: difflib on short pairs, a linear common-ends
diff and similarity on long ones (difflib is cubic on repetitive text).
"""

from __future__ import annotations

import unicodedata
from difflib import SequenceMatcher

from retain.core.answer.normalise import common_ends, starts_a_word_dash, unify_styles
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
    ta, a = _clusters(typed)
    tb, b = _clusters(expected)
    typed_parts: list[DiffPart] = []
    expected_parts: list[DiffPart] = []
    for op, i1, i2, j1, j2 in SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        kinds = ("same", "same") if op == "equal" else ("wrong", "missing")
        typed_parts.append(DiffPart("".join(ta[i1:i2]), kinds[0]))  # type: ignore[arg-type]
        expected_parts.append(DiffPart("".join(tb[j1:j2]), kinds[1]))  # type: ignore[arg-type]
    return merge_parts(typed_parts), merge_parts(expected_parts)


def _clusters(text: str) -> tuple[list[str], list[str]]:
    """`text` as characters with their combining marks (`e` + U+0301 is one), and the form each
    is compared in: the answer checks' (`unify_styles`: full-width `８` is `8`, `’` is `'`, a
    decomposed `é` the composed one), case-folded. So a right answer's diff marks nothing. A
    cluster whose form is longer (`½` is `1/2`, `ß` is `ss`, `—` before a word is `--`) is
    followed by empty ones, one for each more character of its form."""
    if text.isascii() and "`" not in text:
        return list(text), list(text.lower())
    clusters: list[str] = []
    for ch in text:
        if clusters and unicodedata.combining(ch):
            clusters[-1] += ch
        else:
            clusters.append(ch)
    shown: list[str] = []
    keys: list[str] = []
    at = 0
    for cluster in clusters:
        key = "--" if starts_a_word_dash(text, at) else _key(cluster)
        at += len(cluster)
        shown.append(cluster)
        keys.append(key[:1] if len(key) > 1 else key)
        for extra in key[1:]:
            shown.append("")
            keys.append(extra)
    return shown, keys


def _key(cluster: str) -> str:
    key = unify_styles(cluster).casefold()
    return key if key else cluster  # an invisible character stays itself: shown, and marked


def similarity(a: str, b: str) -> float:
    """0..1: how much of two answers is shared (difflib's ratio, or 2·LCS/(|a|+|b|) when long)."""
    if not a and not b:
        return 1.0
    if len(a) + len(b) > _FINE:
        head, tail = common_ends(a, b)  # long answers: only their common ends (linear)
        return 2.0 * (head + tail) / (len(a) + len(b))
    return SequenceMatcher(None, a, b, autojunk=False).ratio()
