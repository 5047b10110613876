"""Carry progress across an edit: which old review units live on under which new keys."""

from __future__ import annotations

from retain.core.cloze import deletions
from retain.core.model import Card

__all__ = ["unit_key_moves"]


def _answers(text: str) -> dict[int, str]:
    found: dict[int, list[str]] = {}
    for d in deletions(text):
        if d.number > 0:
            found.setdefault(d.number, []).append(" ".join(d.answer.lower().split()))
    return {n: "\x1f".join(a) for n, a in found.items()}


def unit_key_moves(deck_id: str, old: Card, new: Card) -> dict[str, str]:
    """Old unit key -> new unit key, for units whose identity moved in the edit.

    Clozes are matched by their answer text, so renumbering `{{c2::x}}` to
    `{{c1::x}}` (say, after deleting c1) moves c2's progress to c1. Numbers whose
    answer is unchanged keep their key and are not listed. A cloze whose answer
    was reworded keeps its progress when its number survives. Moves may swap
    keys, so apply them all from the states read before any is written.
    """
    if old.kind != "cloze" or new.kind != "cloze" or old.id != new.id:
        return {}
    base = f"{deck_id}/{new.id}"
    before, after = _answers(old.text), _answers(new.text)
    by_answer = {answer: n for n, answer in after.items()}
    moves: dict[str, str] = {}
    for n, answer in before.items():
        target = by_answer.get(answer)
        if target is not None and target != n:
            moves[f"{base}:c{n}"] = f"{base}:c{target}"
    return moves
