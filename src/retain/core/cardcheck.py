"""Check one card as the editor builds it: the deck parser's errors and warnings plus the author lint rules.

The card is written as a one-card deck (`core.deckwrite`) and parsed with
`core.deckfile.parse_deck`, so the editor reports exactly what `retain check`
would say about the saved file. A card that gives no review unit (a cloze
without a closed `{{c1::...}}`) would never be studied nor listed: as `retain
add` does, the parser's warnings about it are its errors (`NO_UNITS` when it has
none), so it cannot be saved. Pure: no I/O.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from retain.core.deckfile import parse_deck
from retain.core.deckwrite import deck_to_toml
from retain.core.lint import lint_deck
from retain.core.model import Card, Deck, Problem, Unit
from retain.core.units import expand_card

__all__ = ["NO_UNITS", "PLACEHOLDER_ID", "CardCheck", "check_card", "named", "split_list"]

PLACEHOLDER_ID = "new-card"
NO_UNITS = "the card gives no review units"  # (`retain add`'s words, when no warning says why)
# "cloze card 'new-card'" -> "the cloze card"; "card 'new-card'" -> "the card"
_PLACEHOLDER_RE = re.compile(rf"\b(?:(basic|reversed|cloze|typed) )?card {re.escape(repr(PLACEHOLDER_ID))}")


@dataclass(frozen=True, slots=True)
class CardCheck:
    errors: list[str]
    warnings: list[str]
    units: list[Unit]  # what the card expands into (empty when it has errors)

    @property
    def ok(self) -> bool:
        return not self.errors


def split_list(text: str, sep: str = ",") -> tuple[str, ...]:
    """`"a, b,,c"` -> ("a", "b", "c"); with sep="\\n", one item per line."""
    return tuple(dict.fromkeys(v.strip() for v in text.split(sep) if v.strip()))


def _messages(problems: list[Problem], severity: str) -> list[str]:
    return [named(p.message) for p in problems if p.severity == severity]


def named(message: str) -> str:
    """Messages about a card not saved yet speak of "the card" ("the cloze card"), not its placeholder id."""
    message = _PLACEHOLDER_RE.sub(lambda m: f"the {m[1]} card" if m[1] else "the card", message)
    return message.replace(repr(PLACEHOLDER_ID), "the card")


def check_card(deck: Deck, card: Card, taken_ids: frozenset[str] = frozenset()) -> CardCheck:
    """Errors (the card cannot be saved), warnings (it can) and its review units.

    A card the parser takes but that expands into no review unit is an error too, said by
    the parser's warnings about it (`retain add`'s rule: "has no {{c1::...}} deletions")."""
    candidate = card if card.id else replace(card, id=PLACEHOLDER_ID)
    errors: list[str] = []
    if card.id and card.id in taken_ids:
        errors.append(f"deck {deck.id!r} already has a card {card.id!r}")
    shell = Deck(id=deck.id, name=deck.name or deck.id, tags=deck.tags, cards=(candidate,))
    result = parse_deck(deck_to_toml(shell), deck.id)
    errors += _messages(result.problems, "error")
    warnings = [m for m in _messages(result.problems, "warning") if "format" not in m]
    parsed = result.deck
    if parsed is None or not parsed.cards:
        return CardCheck(errors or ["the card cannot be read"], warnings, [])
    lint = [named(p.message) for p in lint_deck(parsed)]
    if errors:
        return CardCheck(errors, warnings + lint, [])
    units = expand_card(parsed, parsed.cards[0])
    if not units:  # never studied, never listed: not to be saved
        return CardCheck(warnings or [NO_UNITS], lint, [])
    return CardCheck(errors, warnings + lint, units)
