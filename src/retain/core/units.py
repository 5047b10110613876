"""Expand deck entries into schedulable review units."""

from __future__ import annotations

from retain.core.cloze import cloze_numbers, render_all
from retain.core.model import Card, Deck, Unit

__all__ = ["card_unit_keys", "expand_card", "expand_deck"]


def card_unit_keys(deck_id: str, card: Card) -> list[str]:
    base = f"{deck_id}/{card.id}"
    if card.kind == "reversed":
        return [base, f"{base}:reverse"]
    if card.kind == "cloze":
        return [f"{base}:c{n}" for n in cloze_numbers(card.text)]
    return [base]


def expand_card(deck: Deck, card: Card) -> list[Unit]:
    tags = tuple(dict.fromkeys(deck.tags + card.tags))
    base = f"{deck.id}/{card.id}"

    def unit(key: str, variant: str, front: str, back: str) -> Unit:
        return Unit(
            key,
            deck.id,
            card.id,
            variant,
            card.kind,
            front,
            back,
            card.extra,
            card.accept,
            tags,
            card.match,
            card.pattern,
            card.accept_range,
            card.tolerance,
            card.aliases,
        )

    if card.kind == "reversed":
        return [
            unit(base, "", card.front, card.back),
            unit(f"{base}:reverse", "reverse", card.back, card.front),
        ]
    if card.kind == "cloze":
        # One scan of the text for all numbers (rendering each number from scratch was quadratic).
        return [unit(f"{base}:c{n}", f"c{n}", front, back) for n, front, back in render_all(card.text)]
    return [unit(base, "", card.front, card.back)]


def expand_deck(deck: Deck) -> list[Unit]:
    return [u for card in deck.cards for u in expand_card(deck, card)]
