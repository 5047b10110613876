"""Author lint rules for `retain check`: warnings about cards that teach badly.

Each warning is a `LintProblem`: at its card's line, and naming the field it is about (and, in
a string, the character): `store.lintspots` puts it at that place in the deck file.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from retain.core.answer.normalise import normalise
from retain.core.answer.shown import PARSE_BUDGET, inline_text, needs_parser, shown_text
from retain.core.answer.textmode import MAX_ACCEPTED
from retain.core.answer.variants import same_compound
from retain.core.cloze import render_all, scan
from retain.core.deckfile import quoted
from retain.core.model import Card, Deck, Problem

__all__ = ["MAX_BACK", "LintProblem", "lint_deck", "lint_library"]

MAX_BACK = 200
MAX_LINT_DELETIONS = 200
MAX_ANSWER_WORDS = 4  # a longer answer sharing every word with its question is an explanation, not a leak
_SENTENCE_RE = re.compile(r"[.!?](?:\s+|$)")
_WORD_RE = re.compile(r"[\w/+-]+(?:\.[\w/+-]+)*+")  # possessive: no memory per part
_ASIDE_RE = re.compile(r"\([^()]*\)")
# Words too common to give an answer away when the question has them too.
_COMMON = frozenset(
    (  # noqa: SIM905 (a list of 40 words reads better as words)
        "the and for with from into onto its your you are was were has have had that this these those "
        "what which who whom how why when where does did can could not but all any each one per via"
    ).split()
)


def _norm(text: str) -> str:
    return " ".join(_WORD_RE.findall(text.lower()))


def _contains(haystack: str, needle: str) -> bool:
    needle = _norm(needle)
    return len(needle) >= 3 and f" {needle} " in f" {_norm(haystack)} "


def _fold(word: str) -> str:
    """A word without a plural `s`, so `partitions` meets `partition`."""
    return word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith("ss") else word


def _words(text: str) -> set[str]:
    """The telling words of a text, three letters or more, common words left out. A compound is one
    word (`kafka-topics.sh`, `--create`, `/metrics`): in a command or a path the form is the answer."""
    return {_fold(w) for w in _WORD_RE.findall(text.lower()) if len(w) >= 3 and w not in _COMMON}


def _gives_away(question: str, question_words: set[str], answer: str) -> bool:
    """Whether the question shows the answer: written out whole, or every telling word of a short
    answer in any order (`State locking` in "Which kind of locking protects the state?");
    `question_words` is `_words(question)`."""
    words = _words(answer)
    return (0 < len(words) <= MAX_ANSWER_WORDS and words <= question_words) or _contains(question, answer)


def _sentences(text: str) -> int:
    return len([s for s in _SENTENCE_RE.split(text.strip()) if len(s.split()) >= 2])


@dataclass(frozen=True, slots=True)
class LintProblem(Problem):
    """A lint warning, at its card's line; `key` names the card's field it is about, `value` its
    string (empty: an array, placed at the key) and `offset` the character in it."""

    key: str = ""
    value: str = ""
    offset: int = 0


def _warn(deck: Deck, card: Card, message: str, key: str, offset: int = 0) -> Problem:
    value = getattr(card, key, "")
    return LintProblem(
        deck.path or deck.id,
        card.line or 1,
        1,
        message,
        "warning",
        key,
        value if isinstance(value, str) else "",
        offset,
    )


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
    answers = (
        ("the back", card.back, "back"),
        *(("accept entry", a, "accept") for a in card.accept[:MAX_ACCEPTED]),
    )
    for label, text, key in answers:
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
                key,
            )


def _lint_accepted(deck: Deck, card: Card) -> Iterable[Problem]:
    """Accepted answers the question shows: typing words of the question would count as knowing."""
    left, shown, question = PARSE_BUDGET, [], _words(card.front)
    for text in card.accept[:MAX_ACCEPTED]:
        if left <= 0:
            break
        left -= len(text)
        if _gives_away(card.front, question, text):
            shown.append(text)
    if shown:
        entries = ", ".join(quoted(t) for t in shown[:3]) + (
            f" and {len(shown) - 3} more" if len(shown) > 3 else ""
        )
        said = "entry" if len(shown) == 1 else "entries"
        yield _warn(
            deck,
            card,
            f"{card.id!r}: accept {said} {entries} appear{'s' if len(shown) == 1 else ''} in the question",
            "accept",
        )


def _lint_cloze(deck: Deck, card: Card) -> Iterable[Problem]:
    found = scan(card.text)
    if len(found) > MAX_LINT_DELETIONS:  # advice only: not worth quadratic time on a huge card
        return
    gaps: dict[int, list[tuple[str, str, int]]] = {}
    for start, _, number, answer, hint in found:
        if _norm(answer):
            gaps.setdefault(number, []).append((answer, hint or "", start))
    if not gaps:
        return
    for n, front, _back in render_all(card.text, found):
        if n not in gaps:
            continue
        visible = front
        for _, hint, _start in gaps[
            n
        ]:  # a hint is judged on its own below, not as the sentence around the gap
            if hint:  # `\[hint\]` where Markdown could read `[hint]` as a link
                visible = visible.replace(f"\\[{hint}\\]", "[...]").replace(f"[{hint}]", "[...]")
        haystack = f" {_norm(front)} "
        seen = _words(visible)
        for answer, hint, start in gaps[n]:
            needle, words = _norm(answer), _words(answer)
            if (len(needle) >= 3 and f" {needle} " in haystack) or (words and words <= seen):
                yield _warn(
                    deck,
                    card,
                    f"{card.id!r}: cloze c{n} answer {quoted(answer)} is visible elsewhere",
                    "text",
                    start,
                )
                break
            if hint and words & _words(hint):
                yield _warn(
                    deck,
                    card,
                    f"{card.id!r}: cloze c{n} hint {quoted(hint)} repeats its answer {quoted(answer)}",
                    "text",
                    start,
                )
                break


def _lint_card(deck: Deck, card: Card) -> Iterable[Problem]:
    if card.kind == "typed":
        yield from _lint_answers(deck, card)
    if card.kind == "cloze":
        yield from _lint_cloze(deck, card)
        return
    words = _words(card.back)
    if (len(card.back) < len(card.front) and _contains(card.front, card.back)) or (
        0 < len(words) <= MAX_ANSWER_WORDS and words <= _words(card.front)
    ):
        yield _warn(deck, card, f"{card.id!r}: the answer appears in the question", "back")
    elif card.kind == "typed":  # (the back said so already: its other spellings would only repeat it)
        yield from _lint_accepted(deck, card)
    if card.kind == "reversed":
        term = _words(_ASIDE_RE.sub(" ", card.front))  # "(Kafka)" only says which term is meant
        if len(card.front) < len(card.back) and _contains(card.back, card.front):
            yield _warn(
                deck,
                card,
                f"{card.id!r}: the reverse side shows its answer: the front appears in the back",
                "back",
            )
        elif term and term <= _words(card.back):
            yield _warn(
                deck,
                card,
                f"{card.id!r}: the reverse side shows its answer: every word of the front appears in the back",
                "back",
            )
    if len(card.back) > MAX_BACK or _sentences(card.back) >= 3:
        yield _warn(
            deck, card, f"{card.id!r}: the back states several facts; split it into atomic cards", "back"
        )


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
                said = f"{card.id!r} duplicates card {other_deck.id}/{other.id}"
                problems.append(_warn(deck, card, said, "text" if card.kind == "cloze" else "front"))
            else:
                seen.setdefault(key, (deck, card))
    return problems
