"""Groups as Anki nests decks: `Lang` holds `Lang::Spanish` and `Lang::Spanish::Verbs`.

A name is split at each `::` (Anki's rule), compared as `core.model.group_key`
compares names. A group holds the groups under it whether or not a deck names it
itself (an imported Anki package's deeper decks are groups named with `::`), and
the deck that is Anki's parent deck of a group (the deck "Spanish" of group "Lang"
is `Lang::Spanish` in Anki, with cards of its own).
"""

from __future__ import annotations

from collections.abc import Iterable

from retain.core.model import group_key, group_label

__all__ = ["GroupTree", "enclosing"]


def enclosing(key: str) -> list[str]:
    """`key` (a group's name, as compared or as spelled) and the groups enclosing it, nearest
    first, each as `key` spells that part: `lang::spanish::verbs`, `lang::spanish`, `lang`."""
    parts = key.split("::")
    return [name for i in range(len(parts), 0, -1) if (name := "::".join(parts[:i]))]


class GroupTree:
    """The groups of the library's (deck id, group[, deck name]) rows: `keys`, every group a
    deck names and every group enclosing one (as compared); `spelled`, each as the deck list
    spells it (its own decks' spelling, else as its first subgroup spells that part)."""

    def __init__(self, decks: Iterable[tuple[str, ...]]) -> None:
        self.rows = [(row[0], group_key(row[1]) if row[1] else "", row) for row in decks]
        self.spelled: dict[str, str] = {}
        under: list[str] = []  # labels of groups with a group above them
        for _deck, key, row in self.rows:
            if key and key not in self.spelled:
                label = group_label(row[1])
                self.spelled[key] = label
                if "::" in label:
                    under.append(label)
        for label in under:
            parts = label.split("::")
            for i in range(len(parts) - 1, 0, -1):
                part = "::".join(parts[:i])
                key = part.casefold()  # (casefolding keeps every `:`: the key's parts are the label's)
                if key == group_key(part):  # (not `Lang ` of `Lang :: X`: no group's name)
                    self.spelled.setdefault(key, part)
        self.keys = frozenset(k for k in self.spelled if k)

    def path(self, row: tuple[str, ...], key: str) -> str:
        """Where a deck (its row, its group's key) sits in the tree: its place in Anki's tree
        (`core.model.anki_path`) when that is a group of the library (the deck is that group's
        parent deck), else its group's key."""
        if len(row) > 2:
            name = group_key(row[2] or row[0])
            own = f"{key}::{name}" if key else name
            if own in self.keys:
                return own
        return key
