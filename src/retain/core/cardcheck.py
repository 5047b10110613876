"""Check one card as the editor builds it: the deck parser's errors and warnings plus the author lint rules.

The card is written as a one-card deck (`core.deckwrite`) and parsed with
`core.deckfile.parse_deck`, so the editor reports exactly what `retain check`
would say about the saved file. Pure: no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from retain.core.deckfile import parse_deck
from retain.core.deckwrite import deck_to_toml
from retain.core.lint import lint_deck
from retain.core.model import Card, Deck, Problem, Unit
from retain.core.units import expand_card

__all__ = ["PLACEHOLDER_ID", "CardCheck", "check_card", "named", "split_list"]

PLACEHOLDER_ID = "new-card"


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
    """Messages about a card not saved yet speak of "the card", not its placeholder id."""
    return message.replace(f"card {PLACEHOLDER_ID!r}", "the card").replace(repr(PLACEHOLDER_ID), "the card")


def check_card(deck: Deck, card: Card, taken_ids: frozenset[str] = frozenset()) -> CardCheck:
    """Errors (the card cannot be saved), warnings (it can) and its review units."""
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
    warnings += [named(p.message) for p in lint_deck(parsed)]
    return CardCheck(errors, warnings, expand_card(parsed, parsed.cards[0]) if not errors else [])
