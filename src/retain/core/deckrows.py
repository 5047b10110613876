"""Rows of the home screen's deck list: groups with their decks, and summed counts (no Textual here)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from retain.core.due import Counts, DueCounts
from retain.core.model import group_key, group_label

__all__ = ["DeckLike", "DeckRow", "deck_rows"]


class DeckLike(Protocol):
    """A deck as the list shows it: a `core.model.Deck`, or a `store.homesummary.DeckInfo` at launch."""

    @property
    def id(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def group(self) -> str: ...


@dataclass(frozen=True, slots=True)
class DeckRow:
    key: str  # "deck:<id>" or "group:<name>"
    label: str
    depth: int  # 0 for a group or an ungrouped deck, 1 for a deck inside a group
    deck_ids: tuple[str, ...]
    new: int = 0
    learning: int = 0
    review: int = 0
    cards: int = 0

    @property
    def is_group(self) -> bool:
        return self.key.startswith("group:")

    @property
    def due(self) -> int:
        return self.new + self.learning + self.review


def _deck_row(deck: DeckLike, depth: int, counts: Mapping[str, Counts], cards: Mapping[str, int]) -> DeckRow:
    c = counts.get(deck.id, Counts())
    return DeckRow(
        f"deck:{deck.id}",
        deck.name or deck.id,
        depth,
        (deck.id,),
        c.new,
        c.learning,
        c.review,
        cards.get(deck.id, 0),
    )


def deck_rows(
    decks: Sequence[DeckLike],
    counts: Mapping[str, Counts],
    cards: Mapping[str, int],
) -> list[DeckRow]:
    """Groups (sorted by name) each followed by their decks; ungrouped decks among them.

    `counts` maps a deck id to its due `Counts` now; `cards` to its number of review units. A
    group's counts are what studying it serves: its decks' summed, held to the group's room
    under `[groups]` limits (`DueCounts.served`), so they may be less than the sum of its rows.
    """
    groups: dict[str, list[DeckLike]] = {}  # by the group's key: its name in any case and spacing
    top: list[tuple[str, str, DeckLike | None]] = []
    for deck in decks:
        label = group_label(deck.group)
        if label:
            key = group_key(label)  # one group, as `core.model.decks_in_group` finds it
            if key not in groups:
                groups[key] = []
                top.append((key, label, None))
            groups[key].append(deck)
        else:
            top.append(((deck.name or deck.id).casefold(), "", deck))
    rows: list[DeckRow] = []
    for key, group, single in sorted(top, key=lambda t: t[0]):
        if single is not None:
            rows.append(_deck_row(single, 0, counts, cards))
            continue
        members = [
            _deck_row(d, 1, counts, cards)
            for d in sorted(groups[key], key=lambda d: (d.name or d.id).casefold())
        ]
        ids = tuple(r.deck_ids[0] for r in members)
        if isinstance(counts, DueCounts):
            served = counts.served(ids)
        else:
            served = Counts(
                sum(r.new for r in members), sum(r.learning for r in members), sum(r.review for r in members)
            )
        rows.append(
            DeckRow(
                f"group:{group}",
                group,
                0,
                ids,
                served.new,
                served.learning,
                served.review,
                sum(r.cards for r in members),
            )
        )
        rows.extend(members)
    return rows
