"""Typed-answer cards: the entry point the study screen calls; the checks live in `core.answer`.

`check_typed` compares what the learner typed with the card's back and its
`accept` alternatives, in the card's `match` mode, and suggests a rating:
Good for a match, Hard for a near miss, Again otherwise.
"""

from __future__ import annotations

from collections.abc import Sequence

from retain.core.answer import check_answer
from retain.core.answer.normalise import normalise
from retain.core.answer.spec import AnswerSpec
from retain.core.answer.textmode import MAX_ANSWER, plain_answer
from retain.core.answer.verdict import DiffPart, PartKind, TypedCheck
from retain.core.model import Card, Unit

__all__ = [
    "MAX_ANSWER",
    "AnswerSpec",
    "DiffPart",
    "PartKind",
    "TypedCheck",
    "answer_spec",
    "check_typed",
    "check_unit",
    "normalize_answer",
    "plain_answer",
]


def normalize_answer(text: str) -> str:
    """The form answers are compared in (`core.answer.normalise.normalise`)."""
    return normalise(text)


def answer_spec(item: Card | Unit) -> AnswerSpec:
    return AnswerSpec(item.match, item.pattern, item.accept_range, item.tolerance, item.aliases)


def check_typed(
    answer: str, expected: str, accept: Sequence[str] = (), spec: AnswerSpec | None = None
) -> TypedCheck:
    return check_answer(answer, expected, accept, spec)


def check_unit(answer: str, unit: Unit) -> TypedCheck:
    """Check an answer to a typed review unit, in the mode its card declares."""
    return check_answer(answer, unit.back, unit.accept, answer_spec(unit))
