"""The media warnings `retain check` gives about one card, for the card editor as you type.

The editor's other checks are core (`core.cardcheck`, no I/O); whether a file a card names is in
its deck's media folder is a question for the disk (`store.media.media_problems`), asked here,
in the UI layer, for the one card in the form: a few `stat` calls, no library reload.

The card is checked against the file it will be saved in, so the editor says what `retain check`
says after the save: a deck's own file; for a bundled deck (the first save copies it into the
deck folder, without its media) or a deck with no file yet, `DECKS/ID.toml`. A card being moved
to another deck is checked where it is now: the move re-points its references to the old deck's
media folder and copies the files (`store.decks.media_moves`).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from retain.core.cardcheck import PLACEHOLDER_ID, named
from retain.core.model import Card, Deck
from retain.store.collection import Collection
from retain.store.media import media_problems

__all__ = ["card_media_warnings", "saved_deck_file"]


def saved_deck_file(collection: Collection, deck_id: str) -> Path:
    """The file a card of `deck_id` is saved in (and its media looked for beside)."""
    entry = collection.library.entry(deck_id)
    if entry is None or entry.origin == "bundled":
        return collection.home.paths.decks_dir / f"{deck_id}.toml"
    return Path(entry.path)


def card_media_warnings(collection: Collection, deck_id: str, card: Card) -> list[str]:
    """`retain check`'s media warnings about `card` in deck `deck_id` (a card with no id yet is
    "the card", as in the editor's other messages)."""
    shown = card if card.id else replace(card, id=PLACEHOLDER_ID)
    deck = Deck(id=deck_id, name=deck_id, cards=(shown,), path=str(saved_deck_file(collection, deck_id)))
    return [named(p.message) for p in media_problems(deck)]
