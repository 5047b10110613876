"""The deck-edit lock lives in the store (`retain.store.decks.editlock`), where the app's
edits take it too; this name stays for older imports."""

from __future__ import annotations

from retain.store.decks.editlock import WAIT_SECONDS, DeckLockTimeout, deck_edit_lock

__all__ = ["WAIT_SECONDS", "DeckLockTimeout", "deck_edit_lock"]
