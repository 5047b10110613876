"""Character diffs of a typed answer against the expected one, and their similarity.

Moved here from `core.typed`: difflib on short pairs, a linear common-ends
diff and similarity on long ones (difflib is cubic on repetitive text).

Two answers the checks take as the same (`same_answer`: equal once `normalise`d, the
verdict's form) have a diff that marks nothing. Others are compared a character at a time,
each character with what joins it on screen (combining marks, a half-width `ﾟ`, Hangul jamo,
emoji sequences: `_graphemes`), in the checks' form (`unify_styles`, case folded).
"""

from __future__ import annotations

import unicodedata
from difflib import SequenceMatcher

from retain.core.answer.normalise import common_ends, normalise, starts_a_word_dash, unify_styles
from retain.core.answer.variants import same_compound
from retain.core.answer.verdict import DiffPart

__all__ = ["agreed_parts", "char_diff", "merge_parts", "same_answer", "similarity"]

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


def same_answer(typed: str, expected: str) -> bool:
    """Whether the text checks take `typed` as `expected` itself: equal once `normalise`d (or a
    compound written with or without its hyphen); two answers of punctuation alone, equal as
    written but for case and quote styles."""
    a, b = normalise(typed), normalise(expected)
    if a and b:
        return a == b or same_compound(a, b)
    if a or b or not typed.strip():
        return False
    return unify_styles(typed).strip().casefold() == unify_styles(expected).strip().casefold()


def agreed_parts(typed: str, expected: str) -> tuple[tuple[DiffPart, ...], tuple[DiffPart, ...]]:
    """The diff of an answer that is right: both texts whole, nothing wrong or missing."""
    return merge_parts([DiffPart(typed, "same")]), merge_parts([DiffPart(expected, "same")])


def char_diff(
    typed: str, expected: str, *, correct: bool = False
) -> tuple[tuple[DiffPart, ...], tuple[DiffPart, ...]]:
    """(typed parts: same / wrong, expected parts: same / missing), compared case-insensitively.

    An answer that is right (`correct`, or `same_answer`) has nothing wrong or missing, however
    it is written (`ﾊﾟﾝ` for `パン`, `the Raft.` for `Raft`, decomposed Hangul)."""
    if correct or same_answer(typed, expected):
        return agreed_parts(typed, expected)
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


# Hangul jamo by their part in a syllable (Unicode's Hangul_Syllable_Type), for `_graphemes`.
_LEADS = ((0x1100, 0x115F), (0xA960, 0xA97C))
_VOWELS = ((0x1160, 0x11A7), (0xD7B0, 0xD7C6))
_TAILS = ((0x11A8, 0x11FF), (0xD7CB, 0xD7FB))
_ZWJ = "\u200d"


def _hangul(ch: str) -> str:
    """`L`, `V`, `T`, `LV`, `LVT` (a syllable with or without a tail), or "" for other characters."""
    cp = ord(ch)
    if 0xAC00 <= cp <= 0xD7A3:
        return "LV" if (cp - 0xAC00) % 28 == 0 else "LVT"
    for kind, ranges in (("L", _LEADS), ("V", _VOWELS), ("T", _TAILS)):
        if any(lo <= cp <= hi for lo, hi in ranges):
            return kind
    return ""


def _regional(ch: str) -> bool:
    return 0x1F1E6 <= ord(ch) <= 0x1F1FF  # a flag is two of these


def _joins(cluster: str, ch: str) -> bool:
    """Whether `ch` belongs with the characters of `cluster` on screen: Unicode's extended
    grapheme cluster rules (marks, joiners, emoji modifiers and tags, Hangul syllables, flags),
    and a character whose compatibility form is a mark (the half-width `ﾞ` and `ﾟ`, which NFKC
    composes with the kana before them)."""
    last = cluster[-1]
    if ch == _ZWJ or last == _ZWJ or unicodedata.category(ch)[0] == "M":
        return True
    cp = ord(ch)
    if 0x1F3FB <= cp <= 0x1F3FF or 0xE0020 <= cp <= 0xE007F:  # skin tones, emoji tags
        return True
    before, this = _hangul(last), _hangul(ch)
    if this and before:
        return (
            (before == "L" and this in ("L", "V", "LV", "LVT"))
            or (before in ("LV", "V") and this in ("V", "T"))
            or (before in ("LVT", "T") and this == "T")
        )
    if _regional(ch) and _regional(last):
        return sum(1 for c in cluster if _regional(c)) % 2 == 1
    if cp < 0x80:
        return False
    form = unicodedata.normalize("NFKC", ch)
    return bool(form) and unicodedata.category(form[0])[0] == "M"


def _graphemes(text: str) -> list[str]:
    """`text` cut into what shows as one character each (`e` + U+0301, `ﾊﾟ`, `한` as jamo)."""
    clusters: list[str] = []
    for ch in text:
        if clusters and _joins(clusters[-1], ch):
            clusters[-1] += ch
        else:
            clusters.append(ch)
    return clusters


def _clusters(text: str) -> tuple[list[str], list[str]]:
    """`text` as what shows as one character each (`_graphemes`), and the form each is compared
    in: the answer checks' (`unify_styles`: full-width `８` is `8`, `’` is `'`, `ﾊﾟ` is `パ`,
    jamo are their syllable), case-folded. A cluster whose form is longer (`½` is `1/2`, `ß` is
    `ss`, `—` before a word is `--`) is followed by empty ones, one for each more character of
    its form."""
    if text.isascii() and "`" not in text:
        return list(text), list(text.lower())
    shown: list[str] = []
    keys: list[str] = []
    at = 0
    for cluster in _graphemes(text):
        key = "--" if starts_a_word_dash(text, at) else _key(cluster)
        at += len(cluster)
        shown.append(cluster)
        keys.append(key[:1] if len(key) > 1 else key)
        for extra in key[1:]:
            shown.append("")
            keys.append(extra)
    return shown, keys


def _key(cluster: str) -> str:
    key = unicodedata.normalize("NFKC", unify_styles(cluster).casefold())
    return key if key else cluster  # an invisible character stays itself: shown, and marked


def similarity(a: str, b: str) -> float:
    """0..1: how much of two answers is shared (difflib's ratio, or 2·LCS/(|a|+|b|) when long)."""
    if not a and not b:
        return 1.0
    if len(a) + len(b) > _FINE:
        head, tail = common_ends(a, b)  # long answers: only their common ends (linear)
        return 2.0 * (head + tail) / (len(a) + len(b))
    return SequenceMatcher(None, a, b, autojunk=False).ratio()
