"""Find the writable file for a deck: user decks in place, bundled decks as a user copy."""

from __future__ import annotations

import shutil
from pathlib import Path

from retain.core.ids import is_valid_id
from retain.core.model import Deck
from retain.store.decks.deckedit import DeckEditError, DeckFile, create_deck_file
from retain.store.home import Home

__all__ = ["writable_deck_file"]


def writable_deck_file(home: Home, deck_id: str, *, create: bool = False, name: str = "") -> DeckFile:
    """The deck's file, ready to edit.

    Bundled decks live inside the installed package, so the first edit copies the
    file into the user's deck folder; the copy then replaces the bundled deck.
    """
    if not is_valid_id(deck_id):
        raise DeckEditError(f"deck id {deck_id!r} is invalid: use lowercase letters, digits and '-'")
    entry = home.library().entry(deck_id)
    target = home.paths.decks_dir / f"{deck_id}.toml"
    if entry is None:
        if not create:
            raise DeckEditError(f"no deck {deck_id!r}; see `retain due` for the deck ids")
        if target.exists():
            raise DeckEditError(f"{target} exists but is broken; run `retain check {target}`")
        target.parent.mkdir(parents=True, exist_ok=True)
        return create_deck_file(target, Deck(id=deck_id, name=name or deck_id))
    if entry.origin == "bundled":
        if target.exists():
            raise DeckEditError(f"{target} exists but does not hold deck {deck_id!r}")
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(entry.path, target)
        return DeckFile.load(target)
    return DeckFile.load(Path(entry.path))
