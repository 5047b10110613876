"""The default check: the typed text against the back and the `accept` alternatives, each read as
the card shows it (`plain_answer`)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from functools import lru_cache

from retain.core.answer.diff import char_diff, similarity
from retain.core.answer.normalise import fold_accents, near_miss, normalise, unify_styles
from retain.core.answer.shown import PARSE_BUDGET, as_written, needs_parser, shown_text
from retain.core.answer.variants import same_compound, variant_note
from retain.core.answer.verdict import TypedCheck, rating_for

__all__ = [
    "ASIDE_NOTE",
    "MAX_ACCEPTED",
    "MAX_ANSWER",
    "MAX_TARGETS",
    "check_text",
    "learner_forms",
    "parse_budget",
    "plain_answer",
    "spelled_acronym",
    "targets",
    "without_asides",
]

MAX_ANSWER = 500  # characters compared; longer input is cut (the diff is quadratic)
MAX_TARGETS = 16  # the back and the first accepted alternatives are diffed; the rest compared exactly
MAX_ACCEPTED = 256  # accepted answers compared at all (a hostile deck may list millions)

_SPACES = re.compile(r"\s+")
_PAREN = re.compile(r"\s*\([^()]*\)")
# An acronym in a back's closing aside: `write-ahead log (WAL)`, `in-sync replicas (ISRs)`.
_ACRONYM_ASIDE = re.compile(r"\s\(([^\W_]*[A-Z][^\W_]*[A-Z][^\W_]*)\)$")
# Before the term an acronym spells out: the back contrasts or lists (`a B-tree, not an LSM tree (LSM)`).
_CONTRAST = re.compile(
    r"[,;/&+]|\b(?:not|and|or|nor|but|vs|versus|than|unlike|except|without|instead)\b", re.IGNORECASE
)
# Words an acronym may leave out (`Federal Bureau of Investigation`), and digits it may write for them.
_SMALL = frozenset({"of", "the", "for", "to", "in", "on", "a", "an", "at", "by", "with"})
_DIGIT_WORDS = {"to": "2", "for": "4"}
_PARTS = re.compile(r"[^\W_]+")
_MAX_SOURCE = 4 * MAX_ANSWER  # characters of Markdown read for one answer (the parser is slow)


def plain_answer(markdown: str, *, parse: bool = True) -> str:
    """The expected answer as the card shows it, on one line: the back's Markdown rendered as the
    display renders it, math included (`core.answer.shown`). `*args` is `*args`, `**Raft**` is
    `Raft`, `\\#include` is `#include`, `` `__init__` `` is `__init__`, `$\\frac{1}{2}$` is `1/2`.
    Read from its first 2,000 characters; with `parse` false, as written (see `parse_budget`)."""
    return _plain(markdown[:_MAX_SOURCE]) if parse else as_written(markdown[:_MAX_SOURCE])


@lru_cache(maxsize=4096)  # a card's back and accepted answers are read on every check
def _plain(markdown: str) -> str:
    return shown_text(markdown)


def parse_budget(texts: Iterable[str]) -> Iterator[tuple[str, bool]]:
    """Each text with whether to give it to the Markdown parser: those that need it, up to
    `PARSE_BUDGET` characters in all; the others are read as written (`plain_answer(parse=False)`),
    which is what a text without Markdown shows."""
    left = PARSE_BUDGET
    for text in texts:
        head = text[:_MAX_SOURCE]
        parse = left > 0 and needs_parser(head)
        if parse:
            left -= len(head)
        yield text, parse


def targets(expected: str, accept: Sequence[str]) -> list[str]:
    """The back and the accepted answers as shown (`plain_answer`); a back's `(aside)` is optional."""
    found = [
        (_plain(t[:_MAX_SOURCE]) if parse else as_written(t[:_MAX_SOURCE]))[:MAX_ANSWER]
        for t, parse in parse_budget((expected, *accept)[:MAX_ACCEPTED])
    ]
    found = [t for t in found if t]
    if found:
        bare = _PAREN.sub("", found[0]).strip()
        if bare and bare != found[0]:
            found.append(bare)
            acronym = spelled_acronym(found[0])
            if acronym:
                found.append(acronym)
    return found or [""]


@lru_cache(maxsize=1024)  # a card's back is read on every check
def spelled_acronym(back: str) -> str:
    """The acronym of a back that is a term and its acronym, `TERM (ACRONYM)`, which is right by
    itself; else "". The aside is the back's only one, at its end, an acronym (two capitals or
    more), and it abbreviates the words right before it: each word gives its first letter, and
    may give more of its letters in order (`write-ahead log` is `WAL`, `in-sync replicas` is
    `ISRs`, `JavaScript Object Notation` is `JSON`); small words may be left out (`of`, `the`)
    or be digits (`peer-to-peer` is `P2P`). Not when the words before the term contrast or list
    (`a B-tree, not a log-structured merge-tree (LSM)`: a comma, `not`, `and`, `or`, ...): the
    aside may name another thing."""
    if back.count("(") != 1 or back.count(")") != 1:
        return ""
    found = _ACRONYM_ASIDE.search(back)
    if found is None or len(found[1]) > 12:
        return ""
    words = back[: found.start()].split()
    letters = found[1].casefold()
    for k in range(1, min(len(words), 2 * len(letters) + 2) + 1):  # the shortest term it spells
        if _spells(letters, words[-k:]):
            return "" if _CONTRAST.search(" ".join(words[:-k])) else found[1]
    return ""


def _spells(letters: str, words: Sequence[str]) -> bool:
    """Whether `letters` are the words' initials (`_gives`), the first word's included."""
    states = {0}  # how many letters the words so far give
    for n, word in enumerate(words):
        parts = _PARTS.findall(word.casefold())  # `peer-to-peer`: `peer`, `2to`, `peer`
        core = "".join(_DIGIT_WORDS.get(p, "") + p if j else p for j, p in enumerate(parts))
        after: set[int] = set()
        for i in states:
            if n and (not core or core in _SMALL):
                after.add(i)  # left out
            after.update(_gives(core, letters, i))
        if not after:
            return False
        states = after
    return len(letters) in states


def _gives(core: str, letters: str, i: int) -> Iterator[int]:
    """Where `letters[i:]` may go on after a word: its first letter (or the `x` of `ex-`, the
    digit of `to`, `for`), then any of its later letters in order."""
    if i >= len(letters) or not core:
        return
    if _DIGIT_WORDS.get(core) == letters[i]:
        yield i + 1
        return
    if letters[i] == core[0]:
        rest = core[1:]
    elif letters[i] == "x" and core.startswith("ex"):
        rest = core[2:]
    else:
        return
    i += 1
    yield i
    at = 0
    while i < len(letters):
        at = rest.find(letters[i], at) + 1
        if not at:
            return
        i += 1
        yield i


# The learner's own aside: words in brackets after a space (`CoreDNS (kube-dns)`; not `f(x)`).
_ASIDE = re.compile(r"\s+\([^()]*\)(?=$|[\s.,;:!?])")
# A leading `in` (`in the state file` for "Where ...?"): ignored like an article, on the typed side only.
_LEADING_IN = re.compile(r"^in\s+(?=\S)", re.IGNORECASE)
ASIDE_NOTE = "your words in brackets were not checked"


def without_asides(typed: str) -> str:
    """`typed` without the learner's asides in brackets (`CoreDNS (kube-dns)` -> `CoreDNS`)."""
    return _ASIDE.sub("", typed).strip() if "(" in typed else typed


def learner_forms(typed: str) -> list[tuple[str, str]]:
    """Other readings of a typed answer tried when it is not right as typed, each with its note:
    without the learner's asides in brackets (never the aside alone: `(CoreDNS)` is no answer,
    and `wrong (CoreDNS)` is `wrong`), and without a leading `in`, and without both."""
    forms: list[tuple[str, str]] = []
    bare = without_asides(typed)
    if bare != typed and normalise(bare):
        forms.append((bare, ASIDE_NOTE))
    for text, note in [(typed, ""), *forms]:
        lead = _LEADING_IN.match(unify_styles(text))
        if lead is not None and normalise(without := unify_styles(text)[lead.end() :]):
            forms.append((without, note))
    return forms


def _judge(typed: str, norm_typed: str, everything: list[str]) -> tuple[str, bool, bool]:
    """(target, correct, near) of one reading of the typed answer. The target is the spelling the
    answer matched or was close to; for a miss, the card's own answer (`everything[0]`, the back),
    never the `accept` spelling that looks most like it: that would show two answers."""
    exact = next((t for t in everything if normalise(t) == norm_typed), None)
    if exact is None and norm_typed:  # `fault tolerant`, `faulttolerant` for `fault-tolerant`
        exact = next((t for t in everything if same_compound(norm_typed, normalise(t))), None)
    if not norm_typed and typed:  # only punctuation: a back of `?` or `...` is compared as written
        bare = unify_styles(typed).casefold()
        exact = next(
            (t for t in everything if not normalise(t) and unify_styles(t).strip().casefold() == bare), None
        )
    if exact is not None and (norm_typed or typed):
        return exact, True, False
    if not norm_typed:
        return everything[0], False, False
    folded = fold_accents(typed)
    # Accents first (they are the same answer), then a typo in a long answer.
    accent = next((t for t in everything if fold_accents(t) == folded), None)
    if accent is not None:
        return accent, False, True
    variant = next(
        (t for t in everything[:MAX_TARGETS] if variant_note(norm_typed, normalise(t), typed, t)),
        None,
    )
    if variant is not None:  # a plural, a British or American spelling: close, and said so
        return variant, False, True
    # The card's acronyms, wherever it writes them in capitals: `cp system` in `accept` is `CP system`.
    written = " ".join(everything[:MAX_TARGETS])
    close = next(
        (t for t in everything[:MAX_TARGETS] if near_miss(norm_typed, normalise(t), typed, written)),
        None,
    )
    if close is not None:
        return close, False, True
    return everything[0], False, False


def _note(typed: str, norm_typed: str, target: str) -> str:
    """What makes a near miss near: accents, a plural or a spelling (else "")."""
    if fold_accents(typed) == fold_accents(target):
        return "accents differ"
    return variant_note(norm_typed, normalise(target), typed, target)


def check_text(answer: str, expected: str, accept: Sequence[str] = ()) -> TypedCheck:
    typed = _SPACES.sub(" ", answer[:MAX_ANSWER]).strip()
    norm_typed = normalise(typed)
    everything = targets(expected, accept)
    target, correct, near = _judge(typed, norm_typed, everything)
    note = _note(typed, norm_typed, target) if near else ""
    if not correct and norm_typed:
        # The learner's own aside in brackets, a leading `in`: the rest is the answer.
        for form, why in learner_forms(typed):
            norm_form = normalise(form)
            found, right, close = _judge(form, norm_form, everything)
            if right or (close and not near):
                target, correct, near = found, right, close
                note = "; ".join(n for n in (why, _note(form, norm_form, found) if close else "") if n)
                if right:
                    break
    score = similarity(norm_typed, normalise(target)) if norm_typed else 0.0
    typed_parts, expected_parts = char_diff(typed, target, correct=correct)
    return TypedCheck(
        typed, target, correct, score, typed_parts, expected_parts, rating_for(correct, near), note=note
    )
