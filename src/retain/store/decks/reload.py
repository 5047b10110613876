"""What a reload of the library did to the decks a study session holds: a deck whose file does
not load right now (a syntax error mid-edit) keeps its cards, and one whose file now holds another
id is, to the learner, the same deck under a new id."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from pathlib import Path

from retain.store.decks.library import DeckEntry, real_path

__all__ = ["deck_changes", "files_by_deck"]


def files_by_deck(entries: Iterable[DeckEntry]) -> dict[str, Path]:
    """Each loaded deck's file (links followed), by deck id."""
    return {e.deck.id: real_path(e.path) for e in entries if e.deck is not None}


def deck_changes(
    before: Mapping[str, Path], entries: Iterable[DeckEntry], decks: Collection[str]
) -> tuple[set[str], dict[str, str]]:
    """What a reload did to the decks whose files were `before` (`files_by_deck`), now that the
    library holds `entries`: (the decks missing now whose file is there but does not load, a
    syntax error mid-edit: their cards stay; {a deck of `decks` -> its new id}, for one whose
    file now holds a deck of another id, not one of `decks`: to the learner the same deck). A deck
    missing otherwise (its file deleted or moved away) is in neither: its cards leave."""
    entries = list(entries)
    now = files_by_deck(entries)
    at = {path: deck_id for deck_id, path in now.items()}
    broken = {real_path(e.path) for e in entries if e.deck is None}
    held: set[str] = set()
    renamed: dict[str, str] = {}
    for deck_id, path in before.items():
        if deck_id in now:
            continue
        if path in broken:
            held.add(deck_id)
        elif deck_id in decks and (new := at.get(path)) is not None and new not in decks:
            renamed[deck_id] = new
    return held, renamed
