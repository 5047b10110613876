"""Answer checks for typed cards: one normalisation for all, and a mode per card (`match`).

`check_answer` is the entry point; `core.typed.check_typed` is the old name.
Modes: text (the default), `set`, `command`, `number`, `regex`. Every mode's
verdict carries the rating the study screen's Enter takes.
"""

from __future__ import annotations

from collections.abc import Sequence

from retain.core.answer.spec import AnswerSpec
from retain.core.answer.verdict import DiffPart, TypedCheck

__all__ = ["AnswerSpec", "DiffPart", "TypedCheck", "check_answer", "clear_caches"]


def check_answer(
    answer: str, expected: str, accept: Sequence[str] = (), spec: AnswerSpec | None = None
) -> TypedCheck:
    """Check a typed answer against the card's back (Markdown allowed) and its accepted answers."""
    match = spec.match if spec is not None else ""
    if spec is None or not match:
        from retain.core.answer.textmode import check_text

        return check_text(answer, expected, accept)
    if match == "set":
        from retain.core.answer.sets import check_set

        return check_set(answer, expected, accept, spec)
    if match == "command":
        from retain.core.answer.command import check_command

        return check_command(answer, expected, accept, spec)
    if match == "number":
        from retain.core.answer.number import check_number

        return check_number(answer, expected, accept, spec)
    if match == "regex":
        from retain.core.answer.regex import check_regex

        return check_regex(answer, expected, accept, spec.pattern)
    from retain.core.answer.textmode import check_text

    return check_text(answer, expected, accept)


def clear_caches() -> None:
    """Forget the cached normalisations and the cards' backs read as shown, as sets or as commands, so the next
    check pays what a card's first check pays (for benchmarks). Compiled regexes stay."""
    from retain.core.answer import command, sets, textmode
    from retain.core.answer.normalise import fold_accents, normalise

    textmode._plain.cache_clear()
    textmode.spelled_acronym.cache_clear()
    normalise.cache_clear()
    fold_accents.cache_clear()
    sets._target.cache_clear()
    command._target.cache_clear()
