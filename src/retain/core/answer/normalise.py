"""Normalisation every answer check shares, and the near-miss rules.

`normalise` is what decides "the same answer": NFKC, case, whitespace, quote
and dash styles, trailing punctuation and a leading article. It is idempotent
(a hypothesis test holds it to that). Accents are not removed there: an answer
that differs from the expected one only in accents is a near miss (Hard), in
every mode, and `fold_accents` is how that is seen. A typo within a small edit
distance of a long answer is a near miss too; short answers and numbers must be
exact (`near_miss`).
"""

from __future__ import annotations

import re
import unicodedata

__all__ = [
    "edit_budget",
    "edit_distance",
    "fold_accents",
    "near_miss",
    "normalise",
    "unify_styles",
]

_QUOTES = str.maketrans(
    {
        **dict.fromkeys("‘’‚‛′ʼ`´", "'"),
        **dict.fromkeys("“”„‟″«»", '"'),
        **dict.fromkeys("‐‑‒–—―−﹣－", "-"),
    }
)
_SPACES = re.compile(r"\s+")
# Ends that never matter: spaces, quotes around the answer, trailing punctuation.
_LEAD = re.compile(r"^[\s'\"]+")
_TRAIL = re.compile(r"[\s'\".!?;:,]+$")
_ARTICLE = re.compile(r"^(?:the|an|a)\s+(?=\S)")
_DIGITS = re.compile(r"\d+")


def unify_styles(text: str) -> str:
    """NFKC, then typographic quotes to `'`/`"` and every dash or minus to `-` (case kept)."""
    return unicodedata.normalize("NFKC", text).translate(_QUOTES)


def _fold_case(text: str) -> str:
    # casefold can leave text that NFKC composes again (U+0390): repeat until it is stable.
    for _ in range(4):
        folded = unicodedata.normalize("NFKC", text.casefold()).translate(_QUOTES)
        if folded == text:
            break
        text = folded
    return text


def normalise(text: str, *, articles: bool = True) -> str:
    """The form answers are compared in: idempotent, `normalise(normalise(x)) == normalise(x)`."""
    text = _fold_case(unify_styles(text))
    text = _SPACES.sub(" ", text)
    while True:
        before = text
        text = _TRAIL.sub("", _LEAD.sub("", text))
        if articles:
            text = _ARTICLE.sub("", text)
        if text == before:
            return text


def fold_accents(text: str) -> str:
    """`normalise`d text without combining marks: `café` -> `cafe` (for the accent near miss)."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return normalise(stripped)


def edit_budget(expected: str) -> int:
    """Typos forgiven as a near miss: none under 5 characters, 1 under 10, then one per 10."""
    n = len(expected)
    if n < 5:
        return 0
    if n < 10:
        return 1
    return max(2, n // 10)


def edit_distance(a: str, b: str, limit: int) -> int:
    """Levenshtein distance (an adjacent swap counts 1), or `limit + 1` when it is over `limit`.

    Myers' bit-parallel algorithm (Hyyrö's form) on Python integers: about
    len(a) big-integer steps, so a 500-character answer costs well under 1 ms.
    """
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    if a == b:
        return 0
    if len(a) < len(b):
        a, b = b, a
    m = len(b)
    if m == 0:
        return len(a) if len(a) <= limit else limit + 1
    peq: dict[str, int] = {}
    for i, ch in enumerate(b):
        peq[ch] = peq.get(ch, 0) | (1 << i)
    full = (1 << m) - 1
    top = 1 << (m - 1)
    pv, mv, score = full, 0, m
    for ch in a:
        eq = peq.get(ch, 0)
        xv = eq | mv
        xh = (((eq & pv) + pv) ^ pv) | eq
        ph = mv | (~(xh | pv) & full)
        mh = pv & xh
        if ph & top:
            score += 1
        elif mh & top:
            score -= 1
        ph = ((ph << 1) | 1) & full
        mh = (mh << 1) & full
        pv = mh | (~(xv | ph) & full)
        mv = ph & xv
    if score == 2 and len(a) == len(b) and _one_swap(a, b):
        return 1
    return score if score <= limit else limit + 1


def _one_swap(a: str, b: str) -> bool:
    diff = [i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y]
    return len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]]


def near_miss(typed: str, expected: str) -> bool:
    """Two `normalise`d answers that are not equal: same but for accents, or a typo in a long answer.

    Numbers must be exact: when the digits differ it is never a near miss.
    """
    if not typed or not expected:
        return False
    if fold_accents(typed) == fold_accents(expected):
        return True
    if _DIGITS.findall(typed) != _DIGITS.findall(expected):
        return False
    budget = edit_budget(expected)
    return budget > 0 and edit_distance(typed, expected, budget) <= budget
