"""Carry progress across an edit: which old review units live on under which new keys."""

from __future__ import annotations

from collections import defaultdict

from retain.core.cloze import deletions
from retain.core.model import Card

__all__ = ["unit_key_moves"]


def _answers(text: str) -> dict[int, str]:
    found: dict[int, list[str]] = {}
    for d in deletions(text):
        if d.number > 0:
            found.setdefault(d.number, []).append(" ".join(d.answer.lower().split()))
    return {n: "\x1f".join(sorted(a)) for n, a in found.items()}  # (its deletions in any order)


def _by_answer(answers: dict[int, str]) -> dict[str, list[int]]:
    grouped: dict[str, list[int]] = defaultdict(list)
    for n, answer in answers.items():
        grouped[answer].append(n)
    return grouped


def _renumbered(before: dict[int, str], after: dict[int, str]) -> dict[int, int]:
    """Old number -> new number, for deletions whose answer now sits under another number.

    A number with the same answer before and after stays put and takes part in no
    move (two deletions may share an answer: `{{c1::Paris}} .. {{c2::Paris}}`).
    The rest are paired by answer only when the pairing is unambiguous: one old and
    one new number with that answer. So no two old numbers ever land on one new one.
    """
    kept = {n for n, answer in before.items() if after.get(n) == answer}
    old = _by_answer({n: a for n, a in before.items() if n not in kept})
    new = _by_answer({n: a for n, a in after.items() if n not in kept})
    pairs: dict[int, int] = {}
    for answer, sources in old.items():
        targets = new.get(answer, [])
        if len(sources) == 1 and len(targets) == 1 and sources[0] != targets[0]:
            pairs[sources[0]] = targets[0]
    return pairs


def unit_key_moves(deck_id: str, old: Card, new: Card) -> dict[str, str]:
    """Old unit key -> new unit key, for units whose identity moved in the edit.

    Clozes are matched by their answer text, so renumbering `{{c2::x}}` to
    `{{c1::x}}` (say, after deleting c1) moves c2's progress to c1. A number whose
    answer is unchanged keeps its key and is neither moved nor moved onto. A cloze
    whose answer was reworded keeps its progress when its number survives. Moves
    may swap keys, so apply them all from the states read before any is written.
    """
    if old.kind != "cloze" or new.kind != "cloze" or old.id != new.id:
        return {}
    base = f"{deck_id}/{new.id}"
    pairs = _renumbered(_answers(old.text), _answers(new.text))
    return {f"{base}:c{n}": f"{base}:c{m}" for n, m in pairs.items()}
