"""Edit deck files in place, keeping the author's comments, order and layout.

Appending a card adds text at the end of the file; changing or removing a card
goes through tomlkit, which rewrites only that card's table. Every save checks
that the file on disk is still the one we read: if the author changed it in
their editor meanwhile, `DeckChangedOnDisk` is raised and nothing is written.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import tomlkit
from tomlkit.items import String, StringType

from retain.core.deckfile import parse_deck
from retain.core.deckwrite import card_toml, deck_to_toml
from retain.core.model import Card, Deck
from retain.store.files import ReadError, atomic_write, read_text_limited

__all__ = ["DeckChangedOnDisk", "DeckEditError", "DeckFile", "create_deck_file"]

FIELDS = ("kind", "front", "back", "text", "extra", "accept", "tags", "source")


class DeckEditError(Exception):
    """The edit cannot be made; the message is one line for the user."""


class DeckChangedOnDisk(DeckEditError):
    """The file changed on disk since it was read; reload before saving."""


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass(slots=True)
class DeckFile:
    path: Path
    text: str
    digest: str

    @classmethod
    def load(cls, path: Path) -> DeckFile:
        try:
            text = read_text_limited(path)
        except ReadError as exc:
            raise DeckEditError(f"{path}: {exc}") from None
        return cls(path, text, _digest(path.read_bytes()))

    def changed_on_disk(self) -> bool:
        try:
            return _digest(self.path.read_bytes()) != self.digest
        except OSError:
            return True

    def deck(self) -> Deck:
        result = parse_deck(self.text, str(self.path))
        if result.deck is None:
            raise DeckEditError(str(result.errors[0]))
        return result.deck

    def _value(self, old: Any, value: str | tuple[str, ...]) -> Any:
        if isinstance(value, tuple):
            return list(value)
        if isinstance(old, String) and old.type in (StringType.MLB, StringType.MLL):
            return tomlkit.string(value, multiline=True)
        return value

    def upsert(self, card: Card) -> None:
        """Change the card with this id, or append it when the deck lacks it."""
        if card.id not in {c.id for c in self.deck().cards}:
            self.text = self.text.rstrip("\n") + "\n\n" + card_toml(card)
            return
        doc = tomlkit.parse(self.text)
        table = next(t for t in doc["cards"] if t.get("id") == card.id)
        for key in FIELDS:
            value = getattr(card, key)
            default = "basic" if key == "kind" else ("" if isinstance(value, str) else ())
            if value == default:
                if key in table:
                    del table[key]
                continue
            current = table.get(key)
            if current is not None and current == (list(value) if isinstance(value, tuple) else value):
                continue
            table[key] = self._value(current, value)
        self.text = tomlkit.dumps(doc)

    def remove(self, card_id: str) -> None:
        doc = tomlkit.parse(self.text)
        cards = doc.get("cards")
        index = next((i for i, t in enumerate(cards or []) if t.get("id") == card_id), None)
        if cards is None or index is None:
            raise DeckEditError(f"{self.path}: no card {card_id!r}")
        del cards[index]
        self.text = tomlkit.dumps(doc)

    def save(self) -> None:
        """Write atomically, unless the file changed on disk since it was read."""
        result = parse_deck(self.text, str(self.path))
        if result.errors:
            raise DeckEditError(str(result.errors[0]))
        if self.changed_on_disk():
            raise DeckChangedOnDisk(f"{self.path} changed on disk since it was read; reload it first")
        data = self.text.encode("utf-8")
        atomic_write(self.path, data)
        self.digest = _digest(data)


def create_deck_file(path: Path, deck: Deck) -> DeckFile:
    if path.exists():
        raise DeckEditError(f"{path} already exists")
    text = deck_to_toml(deck)
    atomic_write(path, text.encode("utf-8"))
    return DeckFile(path, text, _digest(text.encode("utf-8")))
