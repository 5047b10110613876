"""`match = "set"`: comma- or line-separated items in any order; says which are missing or extra.

Each item is compared `normalise`d. An item that is only a near miss (accents,
a typo in a long item) makes the whole answer Hard; a missing or extra item
makes it Again. The card's `aliases` name other spellings of an item
(`{ "rps" = "traffic" }`), and `accept` lists other whole answers.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from retain.core.answer.normalise import edit_budget, fold_accents, near_typo, normalise
from retain.core.answer.spec import AnswerSpec
from retain.core.answer.textmode import MAX_ACCEPTED, MAX_ANSWER, plain_answer
from retain.core.answer.verdict import DiffPart, TypedCheck, rating_for

__all__ = ["MAX_ITEMS", "check_set", "split_items"]

MAX_ITEMS = 100
_PIECE = re.compile(r"[^,;\n]+")
_BULLET_STARTS = frozenset("-*+•0123456789")
_BULLET = re.compile(r"^\s*(?:[-*+•]|\d+[.)])\s+")
_AND = re.compile(r"\s+(?:and|&)\s+", re.IGNORECASE)


def _spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each non-empty item of `text`, bullets and spaces left out."""
    spans: list[tuple[int, int]] = []
    for m in _PIECE.finditer(text):  # one C-level scan; the bullet regex only where one may start
        piece = m.group()
        body = piece.strip()
        if not body:
            continue
        bullet = _BULLET.match(piece) if body[0] in _BULLET_STARTS else None
        lead = bullet.end() if bullet else len(piece) - len(piece.lstrip())
        body = piece[lead:].rstrip()
        if body:
            start = m.start() + lead
            spans.append((start, start + len(body)))
            if len(spans) >= MAX_ITEMS:
                break
    return spans


def split_items(text: str) -> list[str]:
    """The items of a set answer (Markdown marks and list bullets dropped)."""
    return [p for p in (plain_answer(text[a:b]) for a, b in _spans(text)) if p]


def _key(item: str, aliases: dict[str, str]) -> str:
    norm = normalise(item)
    return aliases.get(norm, norm)


def _compare(
    typed: list[str], expected: list[str], aliases: dict[str, str]
) -> tuple[list[str], list[int], list[int], bool]:
    """(typed item kinds "same"/"wrong", missing expected indexes, extra typed indexes, any near miss)."""
    want: dict[str, int] = {}
    for j, item in enumerate(expected):
        want.setdefault(_key(item, aliases), j)
    kinds: list[str] = []
    found: set[int] = set()
    pending: list[int] = []
    for i, item in enumerate(typed):
        hit = want.get(_key(item, aliases))
        parts = [want.get(_key(p, aliases)) for p in _AND.split(item)] if hit is None else [hit]
        if all(p is not None for p in parts):  # "a, b and c": an item whose parts are all items
            kinds.append("same")
            found.update(p for p in parts if p is not None)
        else:
            kinds.append("wrong")
            pending.append(i)
    near = False
    if pending:
        keys = {j: _key(expected[j], aliases) for j in want.values() if j not in found}
        folded = {fold_accents(k): j for j, k in keys.items()}
        by_len: dict[int, list[tuple[int, str, int]]] = {}
        for j, k in keys.items():
            budget = edit_budget(k)
            if budget:  # short items must be exact (or differ only in accents, above)
                by_len.setdefault(len(k), []).append((j, k, budget))
        for i in pending:
            key = _key(typed[i], aliases)
            close = folded.get(fold_accents(key))
            if close is None or close in found:
                window = max(2, len(key) // 8)  # items further apart in length are no typo
                close = next(
                    (
                        j
                        for n in range(len(key) - window, len(key) + window + 1)
                        for j, k, budget in by_len.get(n, ())
                        if j not in found and near_typo(key, k, budget)
                    ),
                    None,
                )
            if close is not None:
                kinds[i], near = "same", True
                found.add(close)
    missing = [j for j in want.values() if j not in found]
    extra = [i for i in pending if kinds[i] == "wrong"]
    return kinds, missing, extra, near


def _parts(
    text: str, spans: list[tuple[int, int]], marks: dict[int, str], other: str
) -> tuple[DiffPart, ...]:
    parts: list[DiffPart] = []
    at = 0
    for i, (a, b) in enumerate(spans):
        if a > at:
            parts.append(DiffPart(text[at:a], "same"))
        parts.append(DiffPart(text[a:b], "same" if marks.get(i, other) == "same" else other))  # type: ignore[arg-type]
        at = b
    if at < len(text):
        parts.append(DiffPart(text[at:], "same"))
    return tuple(p for p in parts if p.text)


def check_set(answer: str, expected: str, accept: Sequence[str], spec: AnswerSpec) -> TypedCheck:
    typed = answer[:MAX_ANSWER].strip()
    typed_spans = _spans(typed)
    typed_items = [typed[a:b] for a, b in typed_spans]
    aliases = {normalise(k): normalise(v) for k, v in spec.aliases}
    best: tuple[int, str, list[str], list[int], list[int], bool, list[tuple[int, int]]] | None = None
    for target in (expected, *accept)[:MAX_ACCEPTED]:
        shown = (
            "\n".join(split_items(target[: 4 * MAX_ANSWER]))
            if "\n" in target.strip()
            else plain_answer(target)
        )
        shown_spans = _spans(shown)
        items = [shown[a:b] for a, b in shown_spans]
        if not items:
            continue
        kinds, missing, extra, near = _compare(typed_items, items, aliases)
        cost = len(missing) + len(extra)
        if best is None or cost < best[0]:
            best = (cost, shown, kinds, missing, extra, near, shown_spans)
        if cost == 0 and not near:
            break
    if best is None or not typed_items:
        shown = best[1] if best else plain_answer(expected)
        spans = best[6] if best else _spans(shown)
        return TypedCheck(
            typed,
            shown,
            False,
            0.0,
            (DiffPart(typed, "wrong"),) if typed else (),
            _parts(shown, spans, {}, "missing"),
            1,
            "set",
            missing=tuple(shown[a:b] for a, b in spans),
        )
    cost, shown, kinds, missing, extra, near, spans = best
    correct = cost == 0 and not near
    total = len(spans) + len(typed_items)
    score = 1.0 - cost / total if total else 0.0
    note = "an item is only close (accents or a typo)" if near and cost == 0 else ""
    expected_marks = {j: "missing" for j in missing}
    return TypedCheck(
        typed,
        shown,
        correct,
        score,
        _parts(typed, typed_spans, dict(enumerate(kinds)), "wrong"),
        _parts(shown, spans, {j: "same" for j in range(len(spans)) if j not in expected_marks}, "missing"),
        rating_for(correct, near and cost == 0),
        "set",
        missing=tuple(shown[a:b] for j, (a, b) in enumerate(spans) if j in expected_marks),
        extra=tuple(typed_items[i] for i in extra),
        note=note,
    )
