"""Normalisation every answer check shares, and the near-miss rules.

`normalise` is what decides "the same answer": NFKC, case, whitespace, quote
and dash styles, trailing punctuation and a leading article; the invisible
format and control characters a pasted answer may carry (zero-width space, bidi
marks, soft hyphen, NUL, BEL: what `core.sanitize` shows as `�`) are dropped. It is idempotent
(a hypothesis test holds it to that). Accents are not removed there: an answer
that differs from the expected one only in accents is a near miss (Hard), in
every mode, and `fold_accents` is how that is seen. A typo within a small edit
distance of a long answer is a near miss too; short answers and numbers must be
exact (`near_miss`), and so must the short words (three characters or fewer) and acronyms
(`CP`, `HTTPS`) of a longer one: `AP system` is another answer than `CP system`, not a typo of it.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Sequence
from difflib import SequenceMatcher
from functools import lru_cache

__all__ = [
    "acronyms",
    "common_ends",
    "drop_invisible",
    "edit_budget",
    "edit_distance",
    "fold_accents",
    "near_miss",
    "near_typo",
    "normalise",
    "normalise_all",
    "starts_a_word_dash",
    "unify_marks",
    "unify_styles",
]

_DASHES = "‐‑‒–—―−﹣－"
_QUOTES = str.maketrans(
    {
        **dict.fromkeys("‘’‚‛′ʼ`´", "'"),
        **dict.fromkeys("“”„‟″«»", '"'),
        **dict.fromkeys(_DASHES, "-"),
        **dict.fromkeys("⁄∕", "/"),  # the fraction slash (NFKC's `½` is `1⁄2`) and the division slash
    }
)
# An en or em dash starting a word of two letters or more: a phone's or macOS's `--` (`—force`).
# (Not the full-width or small hyphen-minus: NFKC makes them `-`, and a form NFKC gives must match.)
_LONG_DASHES = "–—―"
# Read after NFKC (which leaves these dashes alone), so every Unicode form of a text agrees.
_WORD_DASH = re.compile(rf"(?<![^\s\"'(\[{{])[{_LONG_DASHES}](?=\w\w)")


def _double_dash(m: re.Match[str]) -> str:
    """`--` for a dash before two letters (`\\w` also takes digits and `_`: they keep one dash)."""
    after = m.string[m.end() : m.end() + 2]
    return "--" if after.isalpha() else m.group()


_SPACES = re.compile(r"\s+")
# Ends that never matter (after spaces are single " "): quotes around the answer, trailing punctuation.
_LEAD_CHARS = " '\"¿¡"  # Spanish opens a question or an exclamation with `¿`, `¡`
_TRAIL_CHARS = " '\".!?;:,。、؟"  # with the ideographic full stop and comma, the Arabic question mark
_ARTICLES = ("the ", "an ", "a ")
_ARTICLE = re.compile(r"^(?:the|an|a)\s+(?=\S)")
_DIGITS = re.compile(r"\d+")
_TOKEN = re.compile(r"[^\W_]+")  # a word: letters and digits
SHORT_WORD = 3  # a word this long or shorter must be typed exactly, in an answer of any length


@lru_cache(maxsize=1)
def _invisible() -> dict[int, None]:
    """`str.translate` table dropping the format characters (Unicode category Cf, the soft hyphen
    among them) and the control characters other than spaces (Cc: NUL, BEL, ESC, DEL; a paste
    may carry them) that `sanitize` replaces as invisible."""
    from retain.core.sanitize import UNSAFE_RANGES

    return {
        cp: None
        for lo, hi in UNSAFE_RANGES
        for cp in range(lo, hi + 1)
        if unicodedata.category(chr(cp)) == "Cf"
        or (unicodedata.category(chr(cp)) == "Cc" and not chr(cp).isspace())
    }


_ASCII_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1b\x7f]")


def unify_styles(text: str) -> str:
    """Invisible format and control characters dropped, NFKC, then typographic quotes to `'`/`"`,
    a dash that starts a word of two letters or more to `--` (`—force` is what a phone makes of
    `--force`), every other dash or minus to `-`, and a fraction slash to `/` (`½` is `1/2`;
    `3½` is NFKC's `31/2`); case kept. Every mode compares in this form or `normalise`'s."""
    if text.isascii():  # NFKC leaves ASCII alone
        if not text.isprintable() and _ASCII_CONTROL.search(text) is not None:
            text = text.translate(_invisible())
        return text.translate(_QUOTES) if "`" in text else text
    text = unicodedata.normalize("NFKC", text.translate(_invisible()))
    if any(ch in _LONG_DASHES for ch in text):
        text = _WORD_DASH.sub(_double_dash, text)
    return text.translate(_QUOTES)


def drop_invisible(text: str) -> str:
    """`text` without the invisible format and control characters `unify_styles` drops (a pasted
    NUL, BEL or ESC, a zero-width space); nothing else changed."""
    if text.isascii() and (text.isprintable() or _ASCII_CONTROL.search(text) is None):
        return text
    return text.translate(_invisible())


def unify_marks(text: str) -> str:
    """Only the quote, dash and fraction-slash styles of `unify_styles` (no NFKC, nothing dropped):
    for a regex card's pattern, so its own `’` or `–` matches an answer in any style."""
    if text.isascii():
        return text.translate(_QUOTES) if "`" in text else text
    return _WORD_DASH.sub(_double_dash, text).translate(_QUOTES)


def starts_a_word_dash(text: str, at: int) -> bool:
    """Whether `text[at]` is a typographic dash that `unify_styles` reads as `--` (`—force`)."""
    ch = text[at : at + 1]
    if not ch or ch not in _LONG_DASHES:
        return False
    found = _WORD_DASH.match(text, at)
    return found is not None and _double_dash(found) == "--"


def _fold_case(text: str) -> str:
    if text.isascii():
        return text.lower()
    # casefold can leave text that NFKC composes again (U+0390): repeat until it is stable.
    for _ in range(4):
        folded = unicodedata.normalize("NFKC", text.casefold()).translate(_QUOTES)
        if folded == text:
            break
        text = folded
    return text


@lru_cache(maxsize=4096)  # a card's back and accepted answers are normalised on every check
def normalise(text: str, *, articles: bool = True) -> str:
    """The form answers are compared in: idempotent, `normalise(normalise(x)) == normalise(x)`."""
    text = _fold_case(unify_styles(text))
    text = " ".join(text.split()) if text.isascii() else _SPACES.sub(" ", text)
    while True:
        before = text
        text = text.lstrip(_LEAD_CHARS).rstrip(_TRAIL_CHARS)
        if articles and text.startswith(_ARTICLES):
            text = _ARTICLE.sub("", text)
        if text == before:
            return text


_LEADS = re.compile(r"^[ '\"]+", re.MULTILINE)
# (starting only where a run starts: from each of its characters, a run that does not end its line
# was matched to its end again, quadratic on `!!!…!x`)
_TRAILS = re.compile(r"(?<![ '\".!?;:,])[ '\".!?;:,]+$", re.MULTILINE)
_LINE_ARTICLE = re.compile(r"^(?:the|an|a) (?=[^ \n])", re.MULTILINE)
_LINE_SPACES = re.compile(r"[^\S\n]+")


def normalise_all(texts: Sequence[str]) -> list[str]:
    """`[normalise(t) for t in texts]`, for many short ASCII one-line texts (a set's items) in a
    few C-level passes over them joined; other texts go one by one."""
    if len(texts) < 8:
        return [normalise(t) for t in texts]
    joined = "\n".join(texts)
    if not joined.isascii() or joined.count("\n") != len(texts) - 1 or _ASCII_CONTROL.search(joined):
        return [normalise(t) for t in texts]
    if "`" in joined:
        joined = joined.translate(_QUOTES)
    text = _LINE_SPACES.sub(" ", joined.lower())
    while True:  # each line to its own fixed point, as `normalise` does
        before = text
        text = _LINE_ARTICLE.sub("", _TRAILS.sub("", _LEADS.sub("", text)))
        if text == before:
            return text.split("\n")


@lru_cache(maxsize=4096)
def fold_accents(text: str) -> str:
    """`normalise`d text without combining marks: `café` -> `cafe` (for the accent near miss)."""
    if text.isascii():
        return normalise(text)
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
    head, tail = common_ends(a, b)  # a typo leaves the rest alike: only the middle is compared
    a, b = a[head : len(a) - tail], b[head : len(b) - tail]
    if len(a) + len(b) > 64 and _lower_bound(a, b) > limit:
        return limit + 1
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


def _lower_bound(a: str, b: str) -> int:
    """A lower bound of the edit distance at C speed: characters one side lacks, else bigrams one
    side lacks (one edit removes at most 2 bigrams and adds at most 2: 4 in all)."""
    ca, cb = Counter(a), Counter(b)
    chars = max(sum((ca - cb).values()), sum((cb - ca).values()))
    grams = len(set(map(str.__add__, a, a[1:])) ^ set(map(str.__add__, b, b[1:])))
    return max(chars, (grams + 3) // 4)


def _prefix(a: str, b: str) -> int:
    """Length of the common prefix, by halving (slice compares run in C)."""
    low, high = 0, min(len(a), len(b))
    while low < high:
        mid = (low + high + 1) // 2
        if a[:mid] == b[:mid]:
            low = mid
        else:
            high = mid - 1
    return low


def common_ends(a: str, b: str) -> tuple[int, int]:
    """(common prefix, common suffix) lengths that do not overlap."""
    head = _prefix(a, b)
    tail = _prefix(a[head:][::-1], b[head:][::-1])
    return head, tail


def _one_swap(a: str, b: str) -> bool:
    diff = [i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y]
    return len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]]


def near_miss(typed: str, expected: str, typed_raw: str = "", expected_raw: str = "") -> bool:
    """Two `normalise`d answers that are not equal: same but for accents, or a typo in a long answer.

    Numbers must be exact: when the digits differ it is never a near miss. So must short words and
    acronyms (`near_typo`); the raw texts (before case was folded) tell the acronyms.
    """
    if not typed or not expected:
        return False
    if fold_accents(typed) == fold_accents(expected):
        return True
    return near_typo(typed, expected, edit_budget(expected), typed_raw, expected_raw)


def near_typo(typed: str, expected: str, budget: int, typed_raw: str = "", expected_raw: str = "") -> bool:
    """Within `budget` typos, the digits alike, and no typo in a short word or an acronym
    (`near_miss` without the accents)."""
    if budget == 0 or abs(len(typed) - len(expected)) > budget:
        return False
    if _DIGITS.findall(typed) != _DIGITS.findall(expected):
        return False
    within = _within_one(typed, expected) if budget == 1 else edit_distance(typed, expected, budget) <= budget
    return within and _typo_in_long_words(typed, expected, typed_raw, expected_raw)


def acronyms(text: str) -> frozenset[str]:
    """The words of `text` written in capitals (two letters or more: `CP`, `HTTPS`, `K8S`),
    case-folded."""
    return frozenset(
        w.casefold() for w in _TOKEN.findall(text) if w.isupper() and sum(c.isalpha() for c in w) >= 2
    )


def _typo_in_long_words(typed: str, expected: str, typed_raw: str, expected_raw: str) -> bool:
    """Whether every word that differs between two `normalise`d answers is a long word, not an
    acronym: a short word (`of`, `AP`) or an acronym typed otherwise is another word, not a typo.
    Words only run together or apart (`leaderelection`) differ in no letter. The typed text's
    capitals count only when it has small letters too (not typed with caps lock on)."""
    a, b = _TOKEN.findall(typed), _TOKEN.findall(expected)
    if a == b:
        return True
    kept = acronyms(expected_raw)
    if any(c.islower() for c in typed_raw):
        kept |= acronyms(typed_raw)
    for op, i1, i2, j1, j2 in SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            continue
        words = a[i1:i2] + b[j1:j2]
        if "".join(a[i1:i2]) == "".join(b[j1:j2]):
            continue
        if any(len(w) <= SHORT_WORD or w in kept for w in words):
            return False
    return True


def _within_one(a: str, b: str) -> bool:
    """One substitution, insertion, deletion or adjacent swap apart (linear, no tables)."""
    head = _prefix(a, b)
    a, b = a[head:], b[head:]
    if len(a) < len(b):
        a, b = b, a
    if len(a) == len(b):
        return a[1:] == b[1:] or (len(a) >= 2 and a[0] == b[1] and a[1] == b[0] and a[2:] == b[2:])
    return len(a) == len(b) + 1 and a[1:] == b
