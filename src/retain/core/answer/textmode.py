"""The default check: the typed text against the back and the `accept` alternatives."""

from __future__ import annotations

import re
from collections.abc import Sequence
from difflib import SequenceMatcher

from retain.core.answer.diff import char_diff, similarity
from retain.core.answer.normalise import fold_accents, near_miss, normalise
from retain.core.answer.verdict import TypedCheck, rating_for

__all__ = ["MAX_ACCEPTED", "MAX_ANSWER", "MAX_TARGETS", "check_text", "plain_answer", "targets"]

MAX_ANSWER = 500  # characters compared; longer input is cut (the diff is quadratic)
MAX_TARGETS = 16  # the back and the first accepted alternatives are diffed; the rest compared exactly
MAX_ACCEPTED = 256  # accepted answers compared at all (a hostile deck may list millions)

_MD_MARKS = re.compile(r"`+|~~")
# `*` and `_` runs that open or close emphasis (not inside a word like snake_case, not "a * b").
_EMPHASIS = re.compile(r"(?<!\w)[*_]+(?=[^\s*_])|(?<=[^\s*_])[*_]+(?!\w)")
# A run of marks longer than any emphasis is dropped first: the emphasis pattern tries each
# position of a run, so a 20,000-star answer took 20 s; runs of at most 32 keep it linear.
_LONG_RUN = re.compile(r"[*_]{33,}")
# A code span on one line (linear: each try stops at the next backquote).
_CODE_SPAN = re.compile(r"`([^`\n]+)`")
_SPACES = re.compile(r"\s+")
_PAREN = re.compile(r"\s*\([^()]*\)")


def _unmarked(text: str) -> str:
    return _EMPHASIS.sub("", _LONG_RUN.sub("", _MD_MARKS.sub("", text)))


def plain_answer(markdown: str) -> str:
    """The expected answer without Markdown emphasis or code marks, on one line. Inside a code span
    `*` and `_` are text: `` `__init__` `` is `__init__`."""
    text = markdown
    if any(mark in text for mark in "`~*_"):
        if "`" in text:
            out: list[str] = []
            at = 0
            for m in _CODE_SPAN.finditer(text):
                out += (_unmarked(text[at : m.start()]), m[1])
                at = m.end()
            text = "".join(out) + _unmarked(text[at:])
        else:
            text = _unmarked(text)
    return _SPACES.sub(" ", text).strip()


def targets(expected: str, accept: Sequence[str]) -> list[str]:
    """The back and the accepted answers as plain text; a back's `(aside)` is optional."""
    found = [plain_answer(t[: 4 * MAX_ANSWER])[:MAX_ANSWER] for t in (expected, *accept)[:MAX_ACCEPTED]]
    found = [t for t in found if t]
    if found:
        bare = _PAREN.sub("", found[0]).strip()
        if bare and bare != found[0]:
            found.append(bare)
    return found or [""]


def _closest(norm_typed: str, candidates: list[str]) -> str:
    """The most similar target (ties: the earliest), by difflib's cheap upper bound of similarity."""
    best, score = candidates[0], -1.0
    if len(candidates) == 1:
        return best
    for t in candidates:
        matcher = SequenceMatcher(None, norm_typed, normalise(t), autojunk=False)
        quick = matcher.quick_ratio()
        if quick > score:
            best, score = t, quick
    return best


def check_text(answer: str, expected: str, accept: Sequence[str] = ()) -> TypedCheck:
    typed = _SPACES.sub(" ", answer[:MAX_ANSWER]).strip()
    norm_typed = normalise(typed)
    everything = targets(expected, accept)
    exact = next((t for t in everything if normalise(t) == norm_typed), None)
    if not norm_typed:
        target, correct, near = everything[0], False, False
    elif exact is not None:
        target, correct, near = exact, True, False
    else:
        target, correct, near = everything[0], False, False
        folded = fold_accents(typed)
        # Accents first (they are the same answer), then a typo in a long answer.
        accent = next((t for t in everything if fold_accents(t) == folded), None)
        if accent is not None:
            target, near = accent, True
        else:
            close = next((t for t in everything[:MAX_TARGETS] if near_miss(norm_typed, normalise(t))), None)
            if close is not None:
                target, near = close, True
            else:
                target = _closest(norm_typed, everything[:MAX_TARGETS])
    score = similarity(norm_typed, normalise(target)) if norm_typed else 0.0
    typed_parts, expected_parts = char_diff(typed, target)
    note = "accents differ" if near and fold_accents(typed) == fold_accents(target) else ""
    return TypedCheck(
        typed, target, correct, score, typed_parts, expected_parts, rating_for(correct, near), note=note
    )
