"""Rows of the home screen's deck list: groups with their decks, and summed counts (no Textual here)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol, cast

from retain.core.due import Counts, DueCounts
from retain.core.grouptree import GroupTree
from retain.core.model import anki_path, group_key, group_label

if TYPE_CHECKING:
    from retain.core.model import Deck

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
    deck_ids: tuple[str, ...]  # a group: its own decks (as listed under it), then the rest of its tree
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


def _trees(decks: Sequence[DeckLike], keys: set[str]) -> dict[str, list[DeckLike]]:
    """Group key (of `keys`) -> the decks studying that group serves, as `core.model.decks_in_group`
    has them: its own, those of every group under it (`Lang::Spanish` of `Lang`) and its parent
    deck in Anki's tree (the deck "Spanish" of group "Lang" for `Lang::Spanish`). One pass over the
    decks, not one per group: a 1000-deck Anki import has hundreds of groups."""
    trees: dict[str, list[DeckLike]] = {key: [] for key in keys}
    for deck in decks:
        key = group_key(deck.group) if deck.group else ""
        # `key` and every prefix of it followed by "::" (`decks_in_group`'s `startswith(under)`)
        for cut in [i for i in range(1, len(key)) if key.startswith("::", i)] + [len(key)]:
            tree = trees.get(key[:cut])
            if tree is not None:
                tree.append(deck)
    for deck in decks:  # a parent deck: its place in Anki's tree is the group's name
        tree = trees.get(anki_path(cast("Deck", deck)))  # (it reads only `id`, `name`, `group`)
        if tree and all(d.id != deck.id for d in tree):
            tree.append(deck)
    return trees


def deck_rows(
    decks: Sequence[DeckLike],
    counts: Mapping[str, Counts],
    cards: Mapping[str, int],
) -> list[DeckRow]:
    """Groups (sorted by name) each followed by their own decks; ungrouped decks among them.

    `counts` maps a deck id to its due `Counts` now; `cards` to its number of review units. A
    group's row is what studying it serves (`retain review GROUP`): every deck of its tree
    (`core.model.decks_in_group`: `Lang` holds `Lang::Spanish`'s decks and the parent deck,
    which keep their own rows too, as in Anki), summed, held to the rooms of its `[groups]`
    limits (`DueCounts.served`), so a capped group's row may be less than the sum of its rows.
    A group that only encloses others (`Lang` of `Lang::French` and `Lang::Spanish`) has its
    row too, just before them, with no deck rows of its own.
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
    tree = GroupTree((d.id, d.group) for d in decks)
    for key in tree.keys - groups.keys():  # a group only above others: `Lang` of `Lang::Spanish`
        groups[key] = []
        top.append((key, tree.spelled[key], None))
    trees = _trees(decks, set(groups))
    rows: list[DeckRow] = []
    for key, group, single in sorted(top, key=lambda t: t[0]):
        if single is not None:
            rows.append(_deck_row(single, 0, counts, cards))
            continue
        members = [
            _deck_row(d, 1, counts, cards)
            for d in sorted(groups[key], key=lambda d: (d.name or d.id).casefold())
        ]
        own = [r.deck_ids[0] for r in members]  # first: "c" (add card) on a group opens its first
        listed = set(own)
        rest = sorted(
            (d for d in trees[key] if d.id not in listed),
            key=lambda d: (group_key(d.group), (d.name or d.id).casefold()),
        )
        ids = tuple(dict.fromkeys([*own, *(d.id for d in rest)]))
        if isinstance(counts, DueCounts):
            served = counts.served(ids)
        else:
            parts = [counts.get(d, Counts()) for d in ids]
            served = Counts(
                sum(c.new for c in parts), sum(c.learning for c in parts), sum(c.review for c in parts)
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
                sum(cards.get(d, 0) for d in ids),
            )
        )
        rows.extend(members)
    return rows
