"""The card browser's query language.

kafka leader            free text: every word must appear (front, back, extra, tags)
"in-sync replica"       a phrase
deck:kafka  deck:k*     deck id (a trailing * matches a prefix; a group's decks match the group name)
tag:throughput          tag
is:due|new|learning|review|suspended|buried|leech
kind:cloze              basic, reversed, cloze or typed
-term                   negation of any term above
a OR b                  either side (binds looser than the implicit AND)
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from retain.core.model import KINDS, Unit
from retain.core.state import LEARNING, RELEARNING, REVIEW, CardState

__all__ = ["IS_VALUES", "Query", "QueryError", "compile_query", "haystack"]

IS_VALUES = ("due", "new", "learning", "review", "suspended", "buried", "leech")
Pred = Callable[[Unit, CardState | None, datetime, date, str], bool]


class QueryError(ValueError):
    """A query that cannot be understood; the message says what to write instead."""


def _glob(pattern: str) -> Callable[[str], bool]:
    rx = re.compile("^" + ".*".join(re.escape(p) for p in pattern.lower().split("*")) + "$")
    return lambda value: bool(rx.match(value.lower()))


def _is(value: str) -> Pred:
    def pred(u: Unit, s: CardState | None, now: datetime, today: date, hay: str) -> bool:
        if value == "new":
            return s is None or s.is_new
        if s is None:
            return False
        buried = s.buried_until is not None and s.buried_until > today.isoformat()
        if value == "suspended":
            return s.suspended
        if value == "buried":
            return buried
        if value == "leech":
            return s.leech
        if value == "learning":
            return s.state in (LEARNING, RELEARNING)
        if value == "review":
            return s.state == REVIEW
        return not s.is_new and s.due is not None and s.due <= now and not s.suspended and not buried

    return pred


def _term(token: str) -> Pred:
    field, sep, value = token.partition(":")
    if sep and field in ("deck", "tag", "is", "kind"):
        if not value:
            raise QueryError(f"`{field}:` needs a value, like {field}:{'kafka' if field == 'deck' else 'x'}")
        if field == "deck":
            match = _glob(value)
            return lambda u, s, n, t, h: match(u.deck_id)
        if field == "tag":
            match = _glob(value)
            return lambda u, s, n, t, h: any(match(tag) for tag in u.tags)
        if field == "kind":
            if value not in KINDS:
                raise QueryError(f"kind:{value} is unknown; use one of {', '.join(KINDS)}")
            return lambda u, s, n, t, h: u.kind == value
        if value not in IS_VALUES:
            raise QueryError(f"is:{value} is unknown; use one of {'|'.join(IS_VALUES)}")
        return _is(value)
    needle = token.lower()
    return lambda u, s, n, t, h: needle in h


def haystack(unit: Unit) -> str:
    """The lower-cased text free-text terms search; callers compute it once per unit."""
    return "\n".join((unit.key, unit.front, unit.back, unit.extra, " ".join(unit.tags))).lower()


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


def compile_query(text: str) -> Query:
    try:
        tokens = shlex.split(text, posix=True)
    except ValueError:
        raise QueryError('unbalanced quote in the search; close the "phrase"') from None
    groups: list[tuple[tuple[bool, Pred], ...]] = []
    current: list[tuple[bool, Pred]] = []
    for token in tokens:
        if token == "OR":
            if not current:
                raise QueryError("OR needs a term on each side")
            groups.append(tuple(current))
            current = []
            continue
        negated = token.startswith("-") and len(token) > 1
        current.append((negated, _term(token[1:] if negated else token)))
    if current:
        groups.append(tuple(current))
    elif groups:
        raise QueryError("OR needs a term on each side")
    return Query(text, tuple(groups))
