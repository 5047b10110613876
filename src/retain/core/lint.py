"""Author lint rules for `retain check`: warnings about cards that teach badly.

Each warning is a `LintProblem`: at its card's line, and naming the field it is about (and, in
a string, the character): `store.lintspots` puts it at that place in the deck file.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from retain.core.answer import check_answer
from retain.core.answer.normalise import normalise
from retain.core.answer.sets import split_items
from retain.core.answer.shown import PARSE_BUDGET, needs_parser, shown_text
from retain.core.answer.textmode import MAX_ACCEPTED, MAX_ANSWER, plain_answer, targets
from retain.core.answer.variants import same_compound
from retain.core.cloze import render_all, scan
from retain.core.deckfile import quoted
from retain.core.lintchoice import Choices
from retain.core.lintmarks import read_inline
from retain.core.model import Card, Deck, Problem
from retain.core.typed import answer_spec

__all__ = ["MAX_BACK", "LintProblem", "lint_deck", "lint_library"]

MAX_BACK = 200
MAX_LINT_DELETIONS = 200
MAX_MARK_CHECKS = 4  # answers of a card in another mode than text put to the answer check (`_Marks`)
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


def _fold(word: str) -> str:
    """A word without a plural `s`, so `partitions` meets `partition`."""
    return word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith("ss") else word


def _words(text: str) -> set[str]:
    """The telling words of a text, three letters or more, common words left out. A compound is one
    word (`kafka-topics.sh`, `--create`, `/metrics`): in a command or a path the form is the answer."""
    return {_fold(w) for w in _WORD_RE.findall(text.lower()) if len(w) >= 3 and w not in _COMMON}


class _Field:
    """A card's field as the rules read it, each form made once: its words (`_words`) and its
    normal form (`_norm`). A rule that read the front again for each accepted answer took
    minutes on one card with a long front and many entries (the editor runs the lint on each
    change); every rule of a card shares one `_Field` per field instead."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._padded: str | None = None
        self._words: set[str] | None = None
        self._choices: Choices | None = None

    @property
    def words(self) -> set[str]:
        if self._words is None:
            self._words = _words(self.text)
        return self._words

    def contains(self, needle: str) -> bool:
        """Whether `needle` is written out whole in the field, word for word."""
        needle = _norm(needle)
        if len(needle) < 3:
            return False
        if self._padded is None:
            self._padded = f" {_norm(self.text)} "
        return f" {needle} " in self._padded

    def offers(self, answer: str) -> bool:
        """Whether the field holds `answer` only as an option to choose (`TCP or UDP?`)."""
        if self._choices is None:
            self._choices = Choices(self.text)
        return self._choices.offers(answer)


def _gives_away(question: _Field, answer: str) -> bool:
    """Whether the question shows the answer: written out whole, or every telling word of a short
    answer in any order (`State locking` in "Which kind of locking protects the state?"); not
    when it only lists the answer among the options to choose from (`TCP or UDP?`)."""
    words = _words(answer)
    shown = (0 < len(words) <= MAX_ANSWER_WORDS and words <= question.words) or question.contains(answer)
    return shown and not question.offers(answer)


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


def _block_changes(shown: str, inline: str) -> bool:
    """Whether a one-line answer shows otherwise (`shown`) than read as inline Markdown (`inline`)
    because Markdown reads a block marker at its start as a heading, a list item or a quote
    (`# of partitions` shows `of partitions`), so that the answer check, which compares what is
    shown, would not take the text as written."""
    shown, meant = normalise(shown), normalise(inline)
    return shown != meant and not same_compound(shown, meant)


class _Marks:
    """Whether typing an answer as its author means it counts for the card (another accepted answer
    may take it). In the text mode, as the answer check takes a typed answer as right
    (`textmode.check_text`): equal, once normalised, to one of the card's answers as they show
    (`targets`, made once per card), or the same hyphenated compound; a card of another mode asks
    the answer check itself, at most `MAX_MARK_CHECKS` times (each check reads every answer)."""

    def __init__(self, card: Card) -> None:
        self.card = card
        self.spec = answer_spec(card)
        self.left = MAX_MARK_CHECKS
        self._taken: set[str] | None = None

    def count(self, meant: str) -> bool:
        if self.spec.match:
            if self.left <= 0:
                return True  # (advice only: the first ones said it)
            self.left -= 1
            return check_answer(meant, self.card.back, self.card.accept, self.spec).correct
        if self._taken is None:
            self._taken = {normalise(t) for t in targets(self.card.back, self.card.accept)}
        typed = normalise(meant)
        if typed in self._taken:
            return True
        return any(same_compound(typed, t) for t in self._taken if "-" in typed or "-" in t)


def _lint_answers(deck: Deck, card: Card) -> Iterable[Problem]:
    """Typed answers Markdown shows otherwise than their author means, so that typing them as meant
    would not count: a block marker at the start (`# of partitions`), or `_` or `*` marks meant as
    characters (`__init__` shows a bold `init`: `core.lintmarks`). Only the answers the check reads
    (`MAX_ACCEPTED`), up to `PARSE_BUDGET` characters; each answer's Markdown is read once."""
    left, marks = PARSE_BUDGET, _Marks(card)
    answers = (
        ("the back", card.back, "back"),
        *(("accept entry", a, "accept") for a in card.accept[:MAX_ACCEPTED]),
    )
    for label, text, key in answers:
        if left <= 0:
            return
        left -= len(text)
        if "\n" in text or "\r" in text or len(text) > PARSE_BUDGET or not needs_parser(text):
            continue
        # (as the check reads it, and from its cache: the check of the card's answers reads them again)
        shown = plain_answer(text) if len(text) <= 4 * MAX_ANSWER else shown_text(text)
        inline, kept = read_inline(text)
        if _block_changes(shown, inline):
            yield _warn(
                deck,
                card,
                f"{card.id!r}: {label} {quoted(text)} shows as {quoted(shown)}: Markdown reads its start as a "
                "heading, list or quote, so typing it as written would not count; put a backslash "
                "before the mark (\\#)",
                key,
            )
        elif kept is not None and not marks.count(kept.meant):
            yield _warn(
                deck,
                card,
                f"{card.id!r}: {label} {quoted(text)} shows as {quoted(shown)}: Markdown reads its "
                f"{kept.marks} as emphasis, so typing {kept.meant} would not count; {kept.advice}",
                key,
            )


def _lint_accepted(deck: Deck, card: Card, front: _Field) -> Iterable[Problem]:
    """Accepted answers the question shows: typing words of the question would count as knowing."""
    left, shown = PARSE_BUDGET, []
    for text in card.accept[:MAX_ACCEPTED]:
        if left <= 0:
            break
        left -= len(text)
        if _gives_away(front, text):
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


def _lint_set_accepted(deck: Deck, card: Card) -> Iterable[Problem]:
    """A set card's accepted answers with fewer items than its back: an accepted answer is a
    whole answer, so typing that part alone counts as right (`accept = ["latency"]` for the
    four golden signals; a list split at its commas, as `retain add --accept` once did)."""
    want = len(split_items(card.back))
    if want < 2:
        return
    left, short = PARSE_BUDGET, []
    for text in card.accept[:MAX_ACCEPTED]:
        if left <= 0:
            break
        left -= len(text)
        if 0 < len(split_items(text)) < want:
            short.append(text)
    if len(short) == 1:
        said = (
            f"accept entry {quoted(short[0])} has fewer items than the back ({len(split_items(short[0]))} "
            f"of {want}): an accepted answer is a whole answer, so typing it alone counts as right; "
            "list every item in it"
        )
    elif short:
        entries = ", ".join(quoted(t) for t in short[:3]) + (
            f" and {len(short) - 3} more" if len(short) > 3 else ""
        )
        said = (
            f"accept entries {entries} have fewer items than the back ({want}): an accepted answer is "
            "a whole answer, so typing one alone counts as right; list every item in each"
        )
    else:
        return
    yield _warn(deck, card, f"{card.id!r}: {said}", "accept")


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
        if card.match == "set" and card.accept:
            yield from _lint_set_accepted(deck, card)
    if card.kind == "cloze":
        yield from _lint_cloze(deck, card)
        return
    front, back = _Field(card.front), _Field(card.back)
    words = back.words
    if (
        (len(card.back) < len(card.front) and front.contains(card.back))
        or (0 < len(words) <= MAX_ANSWER_WORDS and words <= front.words)
    ) and not front.offers(card.back):
        yield _warn(deck, card, f"{card.id!r}: the answer appears in the question", "back")
    elif card.kind == "typed":  # (the back said so already: its other spellings would only repeat it)
        yield from _lint_accepted(deck, card, front)
    if card.kind == "reversed":
        term = _words(_ASIDE_RE.sub(" ", card.front))  # "(Kafka)" only says which term is meant
        if len(card.front) < len(card.back) and back.contains(card.front):
            yield _warn(
                deck,
                card,
                f"{card.id!r}: the reverse side shows its answer: the front appears in the back",
                "back",
            )
        elif term and term <= back.words:
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
