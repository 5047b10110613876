"""Author lint rules for `retain check`: warnings about cards that teach badly."""

from __future__ import annotations

import re
from collections.abc import Iterable

from retain.core.answer.normalise import normalise
from retain.core.answer.shown import PARSE_BUDGET, inline_text, needs_parser, shown_text
from retain.core.answer.textmode import MAX_ACCEPTED
from retain.core.answer.variants import same_compound
from retain.core.cloze import render_all, scan
from retain.core.deckfile import quoted
from retain.core.model import Card, Deck, Problem

__all__ = ["MAX_BACK", "lint_deck", "lint_library"]

MAX_BACK = 200
MAX_LINT_DELETIONS = 200
_SENTENCE_RE = re.compile(r"[.!?](?:\s+|$)")
_WORD_RE = re.compile(r"[\w/+-]+(?:\.[\w/+-]+)*+")  # possessive: no memory per part


def _norm(text: str) -> str:
    return " ".join(_WORD_RE.findall(text.lower()))


def _contains(haystack: str, needle: str) -> bool:
    needle = _norm(needle)
    return len(needle) >= 3 and f" {needle} " in f" {_norm(haystack)} "


def _sentences(text: str) -> int:
    return len([s for s in _SENTENCE_RE.split(text.strip()) if len(s.split()) >= 2])


def _warn(deck: Deck, card: Card, message: str) -> Problem:
    return Problem(deck.path or deck.id, card.line or 1, 1, message, "warning")


def _shown_otherwise(text: str) -> str | None:
    """What a one-line answer shows when Markdown reads a block marker at its start as a heading,
    a list item or a quote (`# of partitions` shows `of partitions`) and the answer check, which
    compares what is shown, would not take the text as written; else None."""
    if "\n" in text or "\r" in text or len(text) > PARSE_BUDGET or not needs_parser(text):
        return None
    shown = shown_text(text)
    meant = normalise(inline_text(text))
    if normalise(shown) == meant or same_compound(normalise(shown), meant):
        return None
    return shown


def _lint_answers(deck: Deck, card: Card) -> Iterable[Problem]:
    # Only the answers the check reads (`MAX_ACCEPTED`), up to `PARSE_BUDGET` characters parsed.
    left = PARSE_BUDGET
    for label, text in (("the back", card.back), *(("accept entry", a) for a in card.accept[:MAX_ACCEPTED])):
        if left <= 0:
            return
        left -= len(text)
        shown = _shown_otherwise(text)
        if shown is not None:
            yield _warn(
                deck,
                card,
                f"{card.id!r}: {label} {quoted(text)} shows as {quoted(shown)}: Markdown reads its start as a "
                "heading, list or quote, so typing it as written would not count; put a backslash "
                "before the mark (\\#)",
            )


def _lint_card(deck: Deck, card: Card) -> Iterable[Problem]:
    if card.kind == "typed":
        yield from _lint_answers(deck, card)
    if card.kind == "cloze":
        found = scan(card.text)
        if len(found) > MAX_LINT_DELETIONS:  # advice only: not worth quadratic time on a huge card
            return
        needles: dict[int, list[tuple[str, str]]] = {}
        for _, _, number, answer, _ in found:
            needle = _norm(answer)
            if len(needle) >= 3:
                needles.setdefault(number, []).append((needle, answer))
        if not needles:
            return
        for n, front, _back in render_all(card.text, found):
            if n not in needles:
                continue
            haystack = f" {_norm(front)} "
            for needle, answer in needles[n]:
                if f" {needle} " in haystack:
                    yield _warn(
                        deck, card, f"{card.id!r}: cloze c{n} answer {quoted(answer)} is visible elsewhere"
                    )
                    break
        return
    if len(card.back) < len(card.front) and _contains(card.front, card.back):
        yield _warn(deck, card, f"{card.id!r}: the answer appears in the question")
    if card.kind == "reversed" and len(card.front) < len(card.back) and _contains(card.back, card.front):
        yield _warn(
            deck, card, f"{card.id!r}: the reverse side shows its answer: the front appears in the back"
        )
    if len(card.back) > MAX_BACK or _sentences(card.back) >= 3:
        yield _warn(deck, card, f"{card.id!r}: the back states several facts; split it into atomic cards")


def lint_deck(deck: Deck) -> list[Problem]:
    return [p for card in deck.cards for p in _lint_card(deck, card)]


def lint_library(decks: Iterable[Deck]) -> list[Problem]:
    """Duplicate cards across decks: the same question in two decks."""
    seen: dict[str, tuple[Deck, Card]] = {}
    problems: list[Problem] = []
    for deck in decks:
        for card in deck.cards:
            key = _norm(card.text if card.kind == "cloze" else card.front)
            if not key:
                continue
            if key in seen and seen[key][0].id != deck.id:
                other_deck, other = seen[key]
                problems.append(_warn(deck, card, f"{card.id!r} duplicates card {other_deck.id}/{other.id}"))
            else:
                seen.setdefault(key, (deck, card))
    return problems
