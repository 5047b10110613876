"""`match = "regex"`: a fully anchored RE2 pattern (linear time: a hostile deck cannot hang the app)."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import re2

from retain.core.answer.diff import similarity
from retain.core.answer.normalise import fold_accents, normalise, unify_marks, unify_styles
from retain.core.answer.textmode import check_text, plain_answer
from retain.core.answer.verdict import DiffPart, TypedCheck, as_mode, rating_for

__all__ = ["MAX_REGEX_ANSWER", "MAX_REPEATS", "Pattern", "RegexError", "check_regex", "compile_pattern"]

MAX_REGEX_ANSWER = 10_000  # characters of an answer a pattern is run on
_MAX_MEM = (
    2 << 20
)  # bytes RE2 may use for one compiled pattern (RE2 falls back to its NFA past it: still linear)


class RegexError(ValueError):
    """The pattern does not compile (RE2's message) or is too big."""


@dataclass(frozen=True, slots=True)
class Pattern:
    regex: Any  # re2._Regexp

    def matches(self, text: str) -> bool:
        """Whether the whole text matches, as typed or `normalise`d (case never matters).

        An answer over `MAX_REGEX_ANSWER` characters never matches (it is not cut to fit).
        """
        if len(text) > MAX_REGEX_ANSWER:
            return False
        trimmed = " ".join(unify_styles(text).split())
        if self.regex.fullmatch(trimmed) is not None:
            return True
        norm = normalise(trimmed)
        return norm != trimmed and self.regex.fullmatch(norm) is not None


_COUNTED = re.compile(r"(?<!\\)\{(\d{1,6})(?:,(\d{0,6}))?\}")
MAX_REPEATS = 1_000  # counted repetitions ({n,m}) in one pattern, added up: they bound RE2's compile time


@lru_cache(maxsize=32)
def compile_pattern(pattern: str) -> Pattern:
    """The pattern compiled by RE2, or RegexError with RE2's message (or ours for too many repeats)."""
    repeats = sum(int(m[2] or m[1]) for m in _COUNTED.finditer(pattern))
    if repeats > MAX_REPEATS:
        raise RegexError(f"its counted repetitions ({{n,m}}) add up to {repeats}; at most {MAX_REPEATS}")
    options = re2.Options()
    options.log_errors = False  # RE2 would print to stderr, over the TUI
    options.case_sensitive = False
    options.never_capture = True  # no groups wanted: RE2 can use its DFA (10 kB: 3 ms -> microseconds)
    options.max_mem = _MAX_MEM
    try:
        compiled = re2.compile(pattern, options)
    except re2.error as exc:
        detail = exc.args[0] if exc.args else "invalid pattern"
        message = detail.decode("utf-8", "replace") if isinstance(detail, bytes) else str(detail)
        raise RegexError(message) from None
    unified = unify_marks(pattern)  # answers are matched with their quote and dash styles unified
    if unified != pattern:
        with contextlib.suppress(re2.error):  # else the pattern as written (it compiles)
            compiled = re2.compile(unified, options)
    return Pattern(compiled)


def check_regex(answer: str, expected: str, accept: Sequence[str], pattern: str) -> TypedCheck:
    """The answer is right when it matches the pattern, or the back or an accepted answer."""
    try:
        regex = compile_pattern(pattern)
    except RegexError as exc:
        base = check_text(answer, expected, accept)
        return TypedCheck(
            base.answer,
            base.expected,
            base.correct,
            base.similarity,
            base.typed_parts,
            base.expected_parts,
            base.suggested_rating,
            "regex",
            note=f"the card's pattern is broken: {exc}",
        )
    typed = " ".join(answer[: MAX_REGEX_ANSWER + 1].split())
    if typed and regex.matches(typed):
        shown = plain_answer(expected)
        parts = (DiffPart(typed, "same"),), (DiffPart(shown, "same"),) if shown else ()
        return TypedCheck(typed, shown, True, 1.0, parts[0], parts[1], 3, "regex")
    base = check_text(answer, expected, accept)
    if base.correct or not typed:
        return as_mode(base, "regex")
    accents = regex.matches(fold_accents(typed))  # matches once its accents are dropped
    near = base.suggested_rating == 2 or accents
    note = base.note or ("accents differ" if accents else "")
    score = similarity(normalise(typed), normalise(base.expected))
    return TypedCheck(
        base.answer,
        base.expected,
        False,
        score,
        base.typed_parts,
        base.expected_parts,
        rating_for(False, near),
        "regex",
        note=note,
    )
