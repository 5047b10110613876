"""What a reader hands to the importer: decks, staged media files and review history."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from retain.core.model import Deck
from retain.core.state import CardState, EventKind

__all__ = ["Bundle", "Review"]


@dataclass(frozen=True, slots=True)
class Review:
    """One past journal event of a unit (a rating, suspend, ...), without its id.

    `after` is the unit's state after it (None: back to new), as in `Event`.
    """

    key: str  # "deck/card[:variant]"
    time: datetime  # aware UTC
    after: CardState | None
    before: CardState | None = None
    kind: EventKind = "review"
    rating: int = 0  # 1..4 for reviews
    duration_ms: int = 0


@dataclass(slots=True)
class Bundle:
    """Decks read from one file. `media` maps content-hash names to staged files."""

    format: str
    decks: list[Deck] = field(default_factory=list)
    media: dict[str, Path] = field(default_factory=dict)
    reviews: list[Review] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    texts: dict[str, str] = field(default_factory=dict)  # deck id -> original TOML to keep verbatim
    keeps: dict[str, str] = field(default_factory=dict)  # deck id -> `DECK.anki.json` text (see ankikeep)

    @property
    def card_count(self) -> int:
        return sum(len(d.cards) for d in self.decks)
