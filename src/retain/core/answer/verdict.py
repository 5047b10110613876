"""What an answer check returns: the verdict, its diff parts and the rating it suggests."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

__all__ = ["AGAIN", "GOOD", "HARD", "DiffPart", "Mode", "PartKind", "TypedCheck", "as_mode", "rating_for"]

PartKind = Literal["same", "wrong", "missing"]
Mode = Literal["text", "set", "command", "number", "regex"]
AGAIN, HARD, GOOD = 1, 2, 3


@dataclass(frozen=True, slots=True)
class DiffPart:
    """A run of text: `same` in both, `wrong` (typed, not expected), `missing` (expected, not typed)."""

    text: str
    kind: PartKind


@dataclass(frozen=True, slots=True)
class TypedCheck:
    """The verdict on one typed answer.

    `typed_parts` rebuild `answer` (kinds same / wrong) and `expected_parts`
    rebuild `expected` (same / missing). For `set` and `command` each wrong or
    missing item or argv word is a part of its own and the text between them one
    `same` part; `missing` and `extra` name the set items or flags
    that were left out or added. `note` says anything else worth a line
    ("accents differ", "could not parse your answer: ...").
    """

    answer: str
    expected: str  # the target the answer was compared with
    correct: bool
    similarity: float  # 0..1 of the normalised strings
    typed_parts: tuple[DiffPart, ...]
    expected_parts: tuple[DiffPart, ...]
    suggested_rating: int  # 1 Again, 2 Hard, 3 Good
    mode: Mode = "text"
    missing: tuple[str, ...] = ()
    extra: tuple[str, ...] = ()
    note: str = ""


def rating_for(correct: bool, near: bool) -> int:
    """Good for a match, Hard for a near miss, Again otherwise."""
    return GOOD if correct else HARD if near else AGAIN


def as_mode(check: TypedCheck, mode: Mode) -> TypedCheck:
    """A plain-text verdict relabelled for `mode` (a card whose own mode fell back to text)."""
    return replace(check, mode=mode, missing=(), extra=())
