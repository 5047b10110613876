"""`match = "set"`: comma- or line-separated items in any order; says which are missing or extra.

Each item is compared `normalise`d. An item that is only a near miss (accents,
a typo in a long item) makes the whole answer Hard; a missing or extra item
makes it Again. The card's `aliases` name other spellings of an item
(`{ "rps" = "traffic" }`), and `accept` lists other whole answers.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import islice

from retain.core.answer.normalise import edit_budget, fold_accents, near_typo, normalise, normalise_all
from retain.core.answer.shown import as_written, needs_parser, shown_lines
from retain.core.answer.spec import AnswerSpec
from retain.core.answer.textmode import MAX_ACCEPTED, MAX_ANSWER, parse_budget, plain_answer, without_asides
from retain.core.answer.variants import compound_forms, initials, variant_note
from retain.core.answer.verdict import DiffPart, TypedCheck, rating_for

__all__ = ["MAX_ITEMS", "check_set", "split_items"]

MAX_ITEMS = 100
_BULLET = re.compile(r"^\s*(?:[-*+•]|\d+[.)])\s+")
_AND = re.compile(r"\s+(?:and|&)\s+", re.IGNORECASE)
# The conjunction of an Oxford comma ("a, b, and c"): dropped from a typed item that is no item.
_LEADING_AND = re.compile(r"(?:and|or|&)\s+(?=\S)", re.IGNORECASE)
_ASIDE = re.compile(r"\s*\([^()]*\)$")  # an item's `(aside)` at its end is optional


# One item: from the start of the text or after a separator (`_SEP`), spaces and an optional
# list bullet (`-`, `*`, `+`, `•`, `1.`, `1)`) with the spaces after it, taken whole (atomic: a
# bullet with nothing after it is no item, not an item "-"), then the body (group 1) up to its last
# character that is not a space. One C-level search finds every item; `\s` and `str.strip` agree
# on what a space is.
# Separators: `,` `;` and a line break, and the commas and semicolons of CJK input methods
# (full-width `，` `；`, ideographic `、`) and of Arabic script (`،` `؛`).
_SEP = ",;\n，；、،؛"
_ITEM = re.compile(
    rf"(?<![^{_SEP}])(?>[^\S\n]*(?:(?:[-*+•]|(?=[0-9])\d+[.)])[^\S\n]+)?)([^{_SEP}]*[^{_SEP}\s])"
)


def _spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each non-empty item of `text`, bullets and spaces left out."""
    return [m.span(1) for m in islice(_ITEM.finditer(text), MAX_ITEMS)]


def split_items(text: str, *, parse: bool = True) -> list[str]:
    """The items of a set answer as the card shows them (its Markdown read first, as
    `plain_answer` reads it, so `&amp;` is one item `&`), list bullets dropped; with `parse`
    false, as written."""
    text = text[: 4 * MAX_ANSWER]
    spans = _spans(text)
    if parse and needs_parser("\n".join(text[a:b] for a, b in spans)):  # more than list bullets
        text = shown_lines(text)
        spans = _spans(text)
    return [p for p in (as_written(text[a:b]) for a, b in spans) if p]


def _key(item: str, aliases: dict[str, str]) -> str:
    norm = normalise(item)
    return aliases.get(norm, norm)


def _alias_table(aliases: tuple[tuple[str, str], ...]) -> dict[str, str]:
    return {normalise(k): normalise(v) for k, v in aliases}


@dataclass(frozen=True, slots=True)
class _Target:
    """A card's back (or an accepted answer) read as a set, once per card: `_target` is cached."""

    shown: str
    spans: tuple[tuple[int, int], ...]
    keys: tuple[str, ...]  # each item normalised, aliases applied
    want: dict[str, int]  # key -> the first item with it (read only)
    bare: dict[str, int]  # key without its `(aside)` -> the first item with it, when it has one
    compound: dict[str, int]  # a hyphenated key written apart or joined -> its item

    def find(self, key: str) -> int | None:
        hit = self.want.get(key)
        if hit is None:
            hit = self.bare.get(key)
        if hit is None and (self.compound or "-" in key):  # `fault tolerant` for `fault-tolerant`
            for form in compound_forms(key):
                hit = self.want.get(form)
                if hit is None:
                    hit = self.compound.get(form)
                if hit is not None:
                    break
        return hit


@lru_cache(maxsize=1024)
def _target(target: str, aliases: tuple[tuple[str, str], ...], parse: bool = True) -> _Target | None:
    shown = (
        "\n".join(split_items(target, parse=parse))
        if "\n" in target.strip()
        else plain_answer(target, parse=parse)
    )
    spans = _spans(shown)
    if not spans:
        return None
    table = _alias_table(aliases)
    keys = tuple(normalise_all([shown[a:b] for a, b in spans]))
    if table:
        keys = tuple(table.get(k, k) for k in keys)
    want: dict[str, int] = {}
    for j, key in enumerate(keys):
        want.setdefault(key, j)
    bare: dict[str, int] = {}
    for j, (a, b) in enumerate(spans):
        item = shown[a:b]
        if item.endswith(")"):
            stripped = _ASIDE.sub("", item)
            if stripped and stripped != item:
                key = normalise(stripped)
                if key not in want:
                    bare.setdefault(table.get(key, key), j)
    compound: dict[str, int] = {}
    for j, key in enumerate(keys):
        if "-" in key:
            for form in compound_forms(key)[1:]:
                compound.setdefault(form, j)
    return _Target(shown, tuple(spans), keys, want, bare, compound)


def _compare(typed: list[str], target: _Target, aliases: dict[str, str]) -> tuple[list[int], list[int], str]:
    """(missing expected indexes, extra typed indexes, why an item is only close: "" for none)."""
    want = target.want
    found: set[int] = set()
    pending: list[tuple[int, str]] = []  # (typed index, key) of the items that are no item
    for i, (item, key) in enumerate(zip(typed, normalise_all(typed), strict=True)):
        if aliases:
            key = aliases.get(key, key)
        hit = target.find(key)
        if hit is None:
            conjunction = _LEADING_AND.match(item.lstrip())
            if conjunction is not None:  # "a, b, and c"
                item = item.lstrip()[conjunction.end() :]
                key = _key(item, aliases)
                hit = target.find(key)
        if hit is None and "(" in item:  # `Traffic (RPS)`: the learner's aside is not checked
            bare = without_asides(item)
            if bare != item and normalise(bare):
                hit = target.find(_key(bare, aliases))
        if hit is not None:
            found.add(hit)
            continue
        parts = [target.find(_key(p, aliases)) for p in _AND.split(item)]
        if len(parts) > 1 and None not in parts:  # "a, b and c": an item whose parts are all items
            found.update(p for p in parts if p is not None)
        else:
            pending.append((i, key))
    near = ""
    extra: list[int] = []
    if pending:
        keys = {j: target.keys[j] for j in want.values() if j not in found}
        folded = {fold_accents(k): j for j, k in keys.items()}
        by_len: dict[int, list[tuple[int, str, int]]] = {}
        for j, k in keys.items():
            budget = edit_budget(k)
            if budget:  # short items must be exact (or differ only in accents, above)
                by_len.setdefault(len(k), []).append((j, k, budget))
        firsts = {j: initials(k) for j, k in keys.items()}
        for i, key in pending:
            why = "accents or a typo"
            first = initials(key)
            close = folded.get(fold_accents(key))
            if close is None or close in found:  # a plural, a British or American spelling
                close = None
                for j, k in keys.items():
                    if j in found or (firsts[j] != first and "-" not in k and "-" not in key):
                        continue  # (`resign` for `re-sign` keeps fewer initials: `variant_note` says why)
                    variant = variant_note(key, k, typed[i], target.shown)
                    if variant:
                        close, why = j, variant
                        break
            if close is None:
                window = max(2, len(key) // 8)  # items further apart in length are no typo
                close = next(
                    (
                        j
                        for n in range(len(key) - window, len(key) + window + 1)
                        for j, k, budget in by_len.get(n, ())
                        if j not in found and near_typo(key, k, budget, typed[i], target.shown)
                    ),
                    None,
                )
            if close is not None:
                near = near or why
                found.add(close)
            else:
                extra.append(i)
    missing = [j for j in want.values() if j not in found]
    return missing, extra, near


def _parts(
    text: str, spans: Sequence[tuple[int, int]], marked: Collection[int], kind: str
) -> tuple[DiffPart, ...]:
    """The diff of one side: each `marked` item as its own part of `kind`, everything between them
    as one "same" part (a right answer is a single part)."""
    parts: list[DiffPart] = []
    at = 0
    for i in sorted(marked):
        a, b = spans[i]
        if a > at:
            parts.append(DiffPart(text[at:a], "same"))
        parts.append(DiffPart(text[a:b], kind))  # type: ignore[arg-type]
        at = b
    if at < len(text):
        parts.append(DiffPart(text[at:], "same"))
    return tuple(parts)


def check_set(answer: str, expected: str, accept: Sequence[str], spec: AnswerSpec) -> TypedCheck:
    typed = answer[:MAX_ANSWER].strip()
    typed_spans = _spans(typed)
    typed_items = [typed[a:b] for a, b in typed_spans]
    aliases = _alias_table(spec.aliases)
    best: tuple[int, _Target, list[int], list[int], str] | None = None
    for text, parse in parse_budget((expected, *accept)[:MAX_ACCEPTED]):
        target = _target(text, spec.aliases, parse)
        if target is None:
            continue
        missing, extra, near = _compare(typed_items, target, aliases)
        cost = len(missing) + len(extra)
        # An accepted answer is shown only for an answer that has an item of it: one that has
        # none is compared with the card's own answer (the first), not the shortest alternative.
        shares = len(extra) < len(typed_items)
        if best is None or (cost < best[0] and shares):
            best = (cost, target, missing, extra, near)
        if cost == 0 and not near:
            break
    if best is None or not typed_items:
        shown = best[1].shown if best else plain_answer(expected)
        spans = best[1].spans if best else tuple(_spans(shown))
        return TypedCheck(
            typed,
            shown,
            False,
            0.0,
            (DiffPart(typed, "wrong"),) if typed else (),
            _parts(shown, spans, range(len(spans)), "missing"),
            1,
            "set",
            missing=tuple(shown[a:b] for a, b in spans),
        )
    cost, target, missing, extra, near = best
    shown, spans = target.shown, target.spans
    correct = cost == 0 and not near
    total = len(spans) + len(typed_items)
    score = 1.0 - cost / total if total else 0.0
    note = f"an item is only close ({near})" if near and cost == 0 else ""
    return TypedCheck(
        typed,
        shown,
        correct,
        score,
        _parts(typed, typed_spans, extra, "wrong"),
        _parts(shown, spans, missing, "missing"),
        rating_for(correct, bool(near) and cost == 0),
        "set",
        missing=tuple(shown[spans[j][0] : spans[j][1]] for j in sorted(missing)),
        extra=tuple(typed_items[i] for i in extra),
        note=note,
    )
