"""Turn cards read from a foreign format into a valid retain `Deck`, dropping what cannot be one."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from retain.core.cloze import cloze_numbers, nesting_problem
from retain.core.ids import is_valid_id
from retain.core.model import Card, Deck
from retain.interop.errors import LimitError
from retain.interop.limits import Limits

__all__ = ["card_problem", "make_deck", "with_cards"]


def card_problem(card: Card, limits: Limits) -> str:
    """Why this card cannot go into a deck file, or '' when it can."""
    if not is_valid_id(card.id):
        return f"invalid id {card.id!r}"
    if card.kind == "cloze":
        if not card.text.strip():
            return "cloze note with empty text"
        nested = nesting_problem(card.text)
        if nested is not None:  # (one left open around another: the import could not flatten it)
            return f"{nested[1]} (retain has no nested clozes)"
        if not cloze_numbers(card.text):
            return "cloze note without {{c1::...}} deletions"
    elif not card.front.strip():
        return "empty front"
    elif card.kind == "typed" and not card.back.strip():
        return "type-in note with an empty answer"
    longest = max(len(card.front), len(card.back), len(card.text), len(card.extra))
    if longest > limits.max_field_chars:
        raise LimitError(
            f"card {card.id!r} has a field of {longest} characters; the field limit is {limits.max_field_chars}"
        )
    return ""


def make_deck(
    deck_id: str,
    name: str,
    cards: Iterable[tuple[str, Card]],
    warnings: list[str],
    limits: Limits,
    **meta: object,
) -> Deck:
    """`cards` are (where, card) pairs; `where` names the row or note in warnings.

    Deck tags are dropped from card tags (cards inherit them). Without `tags`
    in `meta`, tags that every card carries become deck tags: that is how deck
    tags travel through formats that only have card tags.
    """
    kept: list[Card] = []
    seen: set[str] = set()
    for where, card in cards:
        problem = card_problem(card, limits)
        if not problem and card.id in seen:
            problem = f"duplicate id {card.id!r}"
        if problem:
            warnings.append(f"{where} skipped: {problem}")
            continue
        seen.add(card.id)
        kept.append(card)
    deck_tags = meta.get("tags")
    if isinstance(deck_tags, tuple):
        kept = [replace(c, tags=tuple(t for t in c.tags if t not in deck_tags)) for c in kept]
    elif kept:
        common = [t for t in kept[0].tags if all(t in c.tags for c in kept[1:])]
        if common:
            meta["tags"] = tuple(common)
            kept = [replace(c, tags=tuple(t for t in c.tags if t not in common)) for c in kept]
    return Deck(id=deck_id, name=name or deck_id, cards=tuple(kept), **meta)  # type: ignore[arg-type]


def with_cards(decks: list[tuple[str, Deck]], warnings: list[str], unit: str) -> list[Deck]:
    """The decks (each from `make_deck`, with the name it is shown by) that have a card. One whose
    every `unit` (row, note) was skipped, each with its warning, is left out, not written as an
    empty deck (beside an installed deck of its name, a second, empty one): in one more warning
    line when another deck is imported, and with none left the import is refused ("nothing to
    import"), that refusal line saying it."""
    kept = [deck for _, deck in decks if deck.cards]
    if kept:
        warnings.extend(
            f"deck {shown!r} left out: every {unit} of it was skipped"
            for shown, deck in decks
            if not deck.cards
        )
    return kept
