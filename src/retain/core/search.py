"""The card browser's query language.

kafka leader            free text: every word must appear (front, back, extra, tags); text,
                        tags, deck ids and field values compare case-blind and in any Unicode
                        form (a decomposed "é" finds a composed one; `fold`)
"in-sync replica"       a phrase
deck:kafka  deck:k*     deck id (a trailing * matches a prefix); deck:"Group Name" a group's decks, deck:"Deck Name" a deck by its name
tag:throughput          tag
is:due|new|learning|review|suspended|buried|leech
                        (is:due: a review card or learning step due now, as `retain due`
                        and the home screen count it: a review card whose note a session
                        holds back today is not, `core.due.held_notes`)
kind:cloze              basic, reversed, cloze or typed
prop:r<0.9              current retrievability (probability of recall now, 0-1, with the
                        deck's preset weights when the caller gives them): < <= > >= =
-term                   negation of any term above
a OR b                  either side (binds looser than the implicit AND)
(a OR b) c, -(a b)      parentheses group terms; a word whose own parentheses balance
                        (`f(x)`, `(optional)`) is text, and so is a quoted phrase

A query holds at most `MAX_TERMS` terms: each term is a pass over every card (a pasted
10,000-character query of 5,000 words froze the browser for 52 s at 50k cards).
"""

from __future__ import annotations

import operator
import re
import unicodedata
from collections.abc import Callable, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from retain.core.due import note_of
from retain.core.model import KINDS, Unit, group_label
from retain.core.state import LEARNING, RELEARNING, REVIEW, CardState, buried_on, set_aside

__all__ = [
    "IS_VALUES",
    "MAX_TERMS",
    "DayOf",
    "GroupOf",
    "HeldNotes",
    "LearnUntil",
    "ParametersFor",
    "Query",
    "QueryError",
    "asks_due",
    "compile_query",
    "fold",
    "haystack",
]

IS_VALUES = ("due", "new", "learning", "review", "suspended", "buried", "leech")
Pred = Callable[[Unit, CardState | None, datetime, date, str], bool]
ParametersFor = Callable[[str], Sequence[float] | None]  # deck id -> its preset's FSRS weights
GroupOf = Callable[[str], str]  # deck id -> its group's name ("" when it has none)
DayOf = Callable[[datetime], date]  # a moment -> its study day (`StudyDay.of`)
LearnUntil = Callable[[datetime], datetime]  # now -> the learn-ahead cut-off (`StudyDay.learn_until`)
HeldNotes = Callable[
    [datetime], AbstractSet[str]
]  # now -> the notes a session holds back (`core.due.held_notes`)
_PROP_RE = re.compile(r"r(<=|>=|<|>|=)(\d++(?:\.\d++)?|\.\d++)\Z")  # possessive: linear
_NO_TIME = timedelta(0)
_COMPARE: dict[str, Callable[[float, float], bool]] = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
    "=": lambda r, x: abs(r - x) < 0.005,  # as shown: two decimals
}


class QueryError(ValueError):
    """A query that cannot be understood; the message says what to write instead."""


def fold(text: str) -> str:
    """`text` as searches compare it: case folded (`ß` as `ss`) and NFKC-normalised, so the
    same letters match whichever way a file or a keyboard encoded them (a decomposed `é`, as
    macOS and some Anki decks write it, a ligature `ﬁ`, full-width `ａ`)."""
    if text.isascii():
        return text.lower()
    return unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", text).casefold())


def _glob(pattern: str) -> Callable[[str], bool]:
    """A case-blind match of `pattern`, where `*` stands for any text, in linear time.

    Each piece between stars is found leftmost after the one before (the first is a
    prefix, the last a suffix): a regex `a.*a.*a.*b` backtracks polynomially on "aaaa…".
    """
    if "*" not in pattern:
        whole = fold(pattern)
        return lambda value: fold(value) == whole
    head, *middle, tail = fold(pattern).split("*")
    pieces = [p for p in middle if p]
    least = len(head) + len(tail)

    def match(value: str) -> bool:
        text = fold(value)
        if len(text) < least or not text.startswith(head) or not text.endswith(tail):
            return False
        at, end = len(head), len(text) - len(tail)
        for piece in pieces:
            found = text.find(piece, at, end)
            if found < 0:
                return False
            at = found + len(piece)
        return True

    return match


def _is(
    value: str,
    learn_until: LearnUntil | None = None,
    day_of: DayOf | None = None,
    held: HeldNotes | None = None,
) -> Pred:
    last: list[datetime] = []  # [now, its cut-off]: one search asks at one `now` for every card
    last_held: list[tuple[datetime, AbstractSet[str]]] = []  # (now, the notes held back then)

    def cut_off(now: datetime) -> datetime:
        if learn_until is None:
            return now
        if not last or last[0] != now:
            last[:] = [now, learn_until(now)]
        return last[1]

    def held_at(now: datetime) -> AbstractSet[str]:
        if held is None:
            return frozenset()
        if not last_held or last_held[0][0] != now:
            last_held[:] = [(now, held(now))]
        return last_held[0][1]

    def pred(u: Unit, s: CardState | None, now: datetime, today: date, hay: str) -> bool:
        if value == "new":
            return s is None or s.is_new
        if s is None:
            return False
        if value == "suspended":
            return s.suspended
        if value == "buried":  # buried until a later study day (a suspended card too)
            return buried_on(s.buried_until, today.isoformat())
        if value == "leech":
            return s.leech
        if value == "learning":
            return s.state in (LEARNING, RELEARNING)
        if value == "review":
            return s.state == REVIEW
        # Due now, as `retain due`, the home screen and a session count it: a review card is due
        # all its study day (`day_of`: a card due at 20:00 today is due at noon) unless its note
        # is held back for another day (`held`: a sibling in a learning step due today, or rated
        # today); a learning step counts when due by the learn-ahead cut-off (`learn_until`, not
        # past the study day's end), as a session serves it.
        if s.is_new or s.due is None or set_aside(s.suspended, s.buried_until, today.isoformat()):
            return False
        if s.state in (LEARNING, RELEARNING):
            return s.due <= cut_off(now)
        due = s.due <= now or (day_of is not None and day_of(s.due) <= day_of(now))
        return due and note_of(u.key) not in held_at(now)

    return pred


def _prop(value: str, parameters_for: ParametersFor | None) -> Pred:
    """`prop:r<0.9`: cards whose current retrievability compares so (never-reviewed cards never match)."""
    found = _PROP_RE.match(value[:1].lower() + value[1:])  # `prop:R<0.9` too
    limit = float(found.group(2)) if found else -1.0
    if found is None or not 0.0 <= limit <= 1.0:
        raise QueryError(
            f"prop:{_shown(value)} is unknown; use prop:r<0.9 (current recall, 0-1; < <= > >= =)"
        )
    from retain.core.scheduler import retrievability  # py-fsrs: only when a query asks for it

    compare = _COMPARE[found.group(1)]
    weights = parameters_for or (lambda _deck: None)

    def pred(u: Unit, s: CardState | None, now: datetime, today: date, hay: str) -> bool:
        if s is None or s.is_new or s.last_review is None or s.stability is None:
            return False
        return compare(retrievability(s, now, weights(u.deck_id)), limit)

    return pred


_FIELD_RE = re.compile(r"(?i)(?:deck|tag|is|kind|prop):")


def _text(needle: str) -> Pred:
    needle = fold(needle)
    return lambda u, s, n, t, h: needle in h


def _term(
    token: str,
    parameters_for: ParametersFor | None = None,
    group_of: GroupOf | None = None,
    name_of: GroupOf | None = None,
    learn_until: LearnUntil | None = None,
    day_of: DayOf | None = None,
    held: HeldNotes | None = None,
) -> Pred:
    field, sep, value = token.partition(":")
    field = field.lower() if _FIELD_RE.match(token) else field  # `DECK:kafka` as `deck:kafka`
    if sep and field == "prop":
        if not value:
            raise QueryError("`prop:` needs a value, like prop:r<0.9")
        return _prop(value, parameters_for)
    if sep and field in ("deck", "tag", "is", "kind"):
        if not value:
            raise QueryError(f"`{field}:` needs a value, like {field}:{'kafka' if field == 'deck' else 'x'}")
        if field == "deck":
            match = _glob(value)
            if group_of is None and name_of is None:
                return lambda u, s, n, t, h: match(u.deck_id)
            named = _glob(group_label(value))  # a group's or deck's name in any spacing, as the deck list
            labels = [f for f in (group_of, name_of) if f is not None]
            under = _glob(
                group_label(value) + "::*"
            )  # a group under it: Anki's `deck:Lang` has Lang::Spanish
            return lambda u, s, n, t, h: (
                match(u.deck_id)
                or any(named(group_label(label(u.deck_id))) for label in labels)
                or (group_of is not None and under(group_label(group_of(u.deck_id))))
            )
        if field == "tag":
            match = _glob(value)
            return lambda u, s, n, t, h: any(match(tag) for tag in u.tags)
        word = value.lower()  # `kind:Cloze`, `is:Due`: values in any case, as field names
        if field == "kind":
            if word not in KINDS:
                raise QueryError(f"kind:{_shown(value)} is unknown; use one of {', '.join(KINDS)}")
            return lambda u, s, n, t, h: u.kind == word
        if word not in IS_VALUES:
            raise QueryError(f"is:{_shown(value)} is unknown; use one of {'|'.join(IS_VALUES)}")
        return _is(word, learn_until, day_of, held)
    return _text(token)


def haystack(unit: Unit) -> str:
    """The folded text (`fold`) free-text terms search; callers compute it once per unit.

    A cloze's front is taken as the browser and the study screen show it: `[...]` without
    the backslashes that keep Markdown from reading it as a link, so `[...]` finds it."""
    front = unit.front
    if unit.kind == "cloze" and "\\[" in front:
        front = front.replace("\\[", "[").replace("\\]", "]")
    return fold("\n".join((unit.key, front, unit.back, unit.extra, " ".join(unit.tags))))


@dataclass(frozen=True, slots=True)
class Query:
    text: str
    groups: tuple[tuple[tuple[bool, Pred], ...], ...]  # OR of ANDs of (negated, predicate)

    def matches(
        self, unit: Unit, state: CardState | None, now: datetime, today: date, hay: str | None = None
    ) -> bool:
        if not self.groups:
            return True
        text = haystack(unit) if hay is None else hay
        return any(
            all(neg != pred(unit, state, now, today, text) for neg, pred in group) for group in self.groups
        )


# A quoted term: group openers (`(`, `-(`), an optional `-`, an optional `field:`, a "double-quoted
# phrase", then group closers, and a space or the end.
_QUOTED_RE = re.compile(r'((?:-?\()*)(-?)((?:[A-Za-z]+:)?)"([^"]*)"(\)*)(?=\s|$)')
_BARE_RE = re.compile(r"\S+")
_SPACE_RE = re.compile(r"\s*")
_OPEN, _CLOSE = "(", ")"
MAX_DEPTH = 32  # parentheses nested in one query
MAX_TERMS = 32  # terms in one query (each a pass over the cards: 32 take ~1 s at most at 50k)
_SHOWN = 40  # characters of a term quoted in an error message


def _shown(value: str) -> str:
    """`value` for an error message: one line, cut at `_SHOWN` characters."""
    value = " ".join(value.split())
    return value if len(value) <= _SHOWN else value[: _SHOWN - 1] + "…"


# (kind, negated, term, quoted): kind is "term", or "(" / ")" for a group's parentheses.
_Token = tuple[str, bool, str, bool]


def _openers(prefix: str) -> list[_Token]:
    """The `(` and `-(` openers of `prefix` (`--(`: a negated group, as `--x` negates `-x`)."""
    return [(_OPEN, part.startswith("-"), "", False) for part in prefix.split("(")[:-1]]


def _bare(token: str, depth: int) -> list[_Token]:
    """A bare word: parentheses at its ends open or close groups unless they balance in the word
    itself (`f(x)`, `(optional)` are text; `(deck:a)` is a group: a field is never text)."""
    out: list[_Token] = []
    body = token
    while body.startswith(("(", "-(")) and (
        body.count("(") > body.count(")") or _FIELD_RE.match(body.lstrip("-(")) is not None
    ):
        negated = body.startswith("-")
        body = body[2:] if negated else body[1:]
        out.append((_OPEN, negated, "", False))
        depth += 1
        if depth > MAX_DEPTH:
            raise QueryError(f"parentheses nest more than {MAX_DEPTH} deep")
    closers = 0
    while (
        body.endswith(")")
        and depth > closers
        and (body.count(")") > body.count("(") or _FIELD_RE.match(body.lstrip("-")) is not None)
    ):
        body = body[:-1]
        closers += 1
    if body:
        if body.count('"') % 2:
            raise QueryError('unbalanced quote in the search; close the "phrase"')
        body = body.replace('"', "")
        negated = body.startswith("-") and len(body) > 1
        out.append(("term", negated, body[1:] if negated else body, False))
    out += [(_CLOSE, False, "", False)] * closers
    return out


def _tokens(text: str) -> list[_Token]:
    """The terms and group parentheses of `text`, left to right, in one pass. Only double quotes
    make a phrase: an apostrophe (`Consul's`) or a backslash (`C:\\`) is text, and a quoted
    `"--from"` is the text `--from`, never a negation (a shell-style split lost the quotes
    before that was decided)."""
    out: list[_Token] = []
    depth = 0
    pos = _SPACE_RE.match(text).end()  # type: ignore[union-attr]  # (\\s* always matches)
    while pos < len(text):
        m = _BARE_RE.match(text, pos)
        assert m is not None  # (pos is at a non-space)
        quoted = _QUOTED_RE.match(text, pos) if '"' in m[0] else None  # (its opening quote is in m)
        if quoted is not None:
            m = quoted
            found = _openers(m[1])
            found.append(("term", m[2] == "-", m[3] + m[4], True))
            found += [(_CLOSE, False, "", False)] * len(m[5])
        else:
            found = _bare(m[0], depth)
        for token in found:
            depth += 1 if token[0] == _OPEN else -1 if token[0] == _CLOSE else 0
            if depth < 0:
                raise QueryError('a `)` closes no `(`; quote text with parentheses: "a)"')
            if depth > MAX_DEPTH:
                raise QueryError(f"parentheses nest more than {MAX_DEPTH} deep")
        out += found
        pos = _SPACE_RE.match(text, m.end()).end()  # type: ignore[union-attr]
    if depth:
        raise QueryError("a `(` is never closed; close the group with `)`")
    terms = sum(
        1 for kind, negated, token, quoted in out if kind == "term" and not _is_or(token, negated, quoted)
    )
    if terms > MAX_TERMS:
        raise QueryError(f"a search holds at most {MAX_TERMS} terms; this one has {terms:,}")
    return out


def _is_or(token: str, negated: bool, quoted: bool) -> bool:
    """Whether a term token is the `OR` between alternatives (a quoted "OR" or `-OR` is text)."""
    return token == "OR" and not quoted and not negated


def asks_due(text: str) -> bool:
    """Whether the query `text` has an `is:due` term (a caller may then prepare what it reads)."""
    try:
        tokens = _tokens(text)
    except QueryError:
        return False
    # (as `compile_query` reads them: a quoted token is a term when it starts with a field)
    return any(
        kind == "term" and token.lower() == "is:due" and (not quoted or _FIELD_RE.match(token) is not None)
        for kind, _negated, token, quoted in tokens
    )


def _group(groups: tuple[tuple[tuple[bool, Pred], ...], ...]) -> Pred:
    """A parenthesised group as one term: its OR of ANDs."""

    def pred(u: Unit, s: CardState | None, now: datetime, today: date, hay: str) -> bool:
        return any(all(neg != p(u, s, now, today, hay) for neg, p in group) for group in groups)

    return pred


class _Level:
    """The OR of ANDs being read at one depth of parentheses."""

    __slots__ = ("current", "groups", "negated")

    def __init__(self, negated: bool = False) -> None:
        self.negated = negated
        self.groups: list[tuple[tuple[bool, Pred], ...]] = []
        self.current: list[tuple[bool, Pred]] = []

    def alternative(self) -> None:
        if not self.current:
            raise QueryError("OR needs a term on each side")
        self.groups.append(tuple(self.current))
        self.current = []

    def done(self) -> tuple[tuple[tuple[bool, Pred], ...], ...]:
        if self.current:
            self.groups.append(tuple(self.current))
        elif self.groups:
            raise QueryError("OR needs a term on each side")
        return tuple(self.groups)


def _window(ahead: timedelta) -> LearnUntil:
    """The cut-off of a plain learn-ahead window, with no study day to stop at."""
    return lambda now: now + ahead


def compile_query(
    text: str,
    parameters_for: ParametersFor | None = None,
    group_of: GroupOf | None = None,
    day_of: DayOf | None = None,
    *,
    name_of: GroupOf | None = None,
    learn_ahead: timedelta = _NO_TIME,
    learn_until: LearnUntil | None = None,
    held: HeldNotes | None = None,
) -> Query:
    """The query of `text`; `parameters_for(deck_id)` gives a deck's preset weights (for prop:r),
    `group_of(deck_id)` its group's name and `name_of(deck_id)` its own (`deck:` then matches
    those names as well as an id: `deck:"Apache Kafka"`, as the deck list shows it),
    `day_of` gives a moment's study day: `is:due` is a review due by the end of today's study day
    (without `day_of`: by `now`), a learning step due by the learn-ahead cut-off `learn_until(now)`
    (`StudyDay.learn_until`: within the learn-ahead, not past the study day's end; without it:
    within `learn_ahead`), as `retain due`, the home screen and a session count them; `held(now)`
    gives the notes whose review units wait for another day (`core.due.held_notes`), which `is:due` then
    leaves out as those counts do. Parentheses group terms: `(a OR b) c`, `-(a b)`."""
    if learn_until is None and learn_ahead:
        learn_until = _window(learn_ahead)
    levels = [_Level()]
    for kind, negated, token, quoted in _tokens(text):
        level = levels[-1]
        if kind == _OPEN:
            levels.append(_Level(negated))
            continue
        if kind == _CLOSE:
            inner = levels.pop()
            groups = inner.done()
            if not groups:
                raise QueryError("empty parentheses; put terms between ( and )")
            levels[-1].current.append((inner.negated, _group(groups)))
            continue
        if _is_or(token, negated, quoted):
            level.alternative()
            continue
        if quoted and not _FIELD_RE.match(token):  # a phrase: text, even with a `:` in it
            level.current.append((negated, _text(token)))
            continue
        level.current.append(
            (negated, _term(token, parameters_for, group_of, name_of, learn_until, day_of, held))
        )
    return Query(text, levels[0].done())
