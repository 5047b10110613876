"""config.toml's `[groups."X"]` limits over groups as Anki nests them (`core.grouptree`).

A group holds the groups under it: `Lang` holds `Lang::Spanish` and `Lang::Spanish::Verbs`
(an imported Anki package's deeper decks are groups named with `::`), whether or not a deck
names `Lang` itself, and the deck that is Anki's parent deck of a group (the deck "Spanish" of
group "Lang" is `Lang::Spanish` in Anki, with cards of its own), as `core.model.decks_in_group`
has them for `retain export`, `review` and `stats`. A name is split at each `::` (Anki's
rule), compared as `core.model.group_key` compares names.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from retain.core.due import NestedLimit
from retain.core.grouptree import GroupTree, enclosing
from retain.core.model import group_label
from retain.core.settings import GroupLimit

__all__ = ["limit_owners"]


def limit_owners(limits: Mapping[str, GroupLimit], decks: Iterable[tuple[str, ...]]) -> dict[str, GroupLimit]:
    """Deck id -> the limits of its nearest group with a `[groups]` table (`limits`, by group
    key), a `NestedLimit` whose `parent` is the next enclosing group's when one has limits too;
    decks under no limited group are left out (`store.config.Config.group_limits`)."""
    tree = GroupTree(decks)
    made: dict[str, GroupLimit | None] = {}

    def limit_of(key: str) -> GroupLimit | None:
        """The limits of the nearest group with a table at or above `key` (one object per group)."""
        if key in made:
            return made[key]
        chain = enclosing(key)
        found = next((k for k in chain if k in limits and k in tree.keys), None)
        out: GroupLimit | None = None
        if found is not None:
            if found != key:
                out = limit_of(found)
            else:
                limit = limits[found]
                parent = limit_of(chain[1]) if len(chain) > 1 else None
                name = tree.spelled.get(found, group_label(limit.name))
                out = (
                    GroupLimit(found, name, limit.new_per_day, limit.reviews_per_day)
                    if parent is None
                    else NestedLimit(found, name, limit.new_per_day, limit.reviews_per_day, parent)
                )
        made[key] = out
        return out

    out: dict[str, GroupLimit] = {}
    for deck_id, key, row in tree.rows:
        path = tree.path(row, key)
        limit = limit_of(path) if path else None
        if limit is not None:
            out[deck_id] = limit
    return out
