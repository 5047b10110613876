"""What a reader hands to the importer: decks, staged media files and review history."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Protocol, runtime_checkable

from retain.core.model import Deck
from retain.core.state import CardState, EventKind

__all__ = [
    "Bundle",
    "ChunkedReviews",
    "DeckPreset",
    "DeckReviews",
    "Review",
    "history_size",
    "review_chunks",
    "review_keys",
]


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


@runtime_checkable
class ChunkedReviews(Protocol):
    """A review history too large to hold as events all at once (a long Anki review log): it
    makes them a group of cards at a time. As a sequence it is every event, oldest first."""

    def chunks(self) -> Iterator[list[Review]]:
        """Every event, a group of cards at a time (each card's events in one chunk)."""
        ...

    def unit_keys(self) -> set[str]:
        """The unit keys the events are of."""
        ...

    def estimate(self) -> int:
        """About how many events there are (for a progress bar), without making them."""
        ...

    def size(self) -> str:
        """How large the history is, said without making its events: "117706 review-log row(s)"."""
        ...

    def late_left_out(self) -> int:
        """Review-log rows left out while the chunks were made (a value no check foresaw)."""
        ...

    def renamed(self, rename: Callable[[str], str]) -> Sequence[Review]:
        """The same history with each event's unit key passed through `rename`."""
        ...


@runtime_checkable
class DeckReviews(Protocol):
    """An export's review history read a deck at a time (`progress_moves.DecksHistory`): a
    group's whole history is never held at once. Iterated, it is every deck's in turn."""

    def of(self, deck_id: str) -> list[Review]:
        """The events of one of its decks, oldest first."""
        ...

    def __iter__(self) -> Iterator[Review]: ...

    def __bool__(self) -> bool: ...


def review_chunks(reviews: Sequence[Review]) -> Iterator[list[Review]]:
    """`reviews` a group of cards at a time: a `ChunkedReviews`' chunks, else all of them as one."""
    if isinstance(reviews, ChunkedReviews):
        yield from reviews.chunks()
    elif reviews:
        yield list(reviews)


def history_size(reviews: Sequence[Review]) -> str:
    """How large a history is, for a preview line (a long Anki log's events are not made for it)."""
    return reviews.size() if isinstance(reviews, ChunkedReviews) else f"{len(reviews)} event(s)"


def review_keys(reviews: Sequence[Review]) -> set[str]:
    return reviews.unit_keys() if isinstance(reviews, ChunkedReviews) else {r.key for r in reviews}


@dataclass(frozen=True, slots=True)
class DeckPreset:
    """The study options a deck had where it came from (an Anki options preset), as config.toml
    keys: `values` holds only keys and values retain's loader accepts (`interop.anki.deck_options`)."""

    key: str  # the preset's identity in its file (Anki's preset id), to tell two of one name apart
    name: str  # a safe preset name for config.toml: printable, no quotes or brackets, short
    values: dict[str, object] = field(default_factory=dict)


@dataclass(slots=True)
class Bundle:
    """Decks read from one file. `media` maps content-hash names to staged files."""

    format: str
    decks: list[Deck] = field(default_factory=list)
    media: dict[str, Path] = field(default_factory=dict)
    reviews: Sequence[Review] = field(default_factory=list)  # a list, or `ChunkedReviews` (Anki's log)
    warnings: list[str] = field(default_factory=list)
    texts: dict[str, str] = field(default_factory=dict)  # deck id -> original TOML to keep verbatim
    keeps: dict[str, str] = field(default_factory=dict)  # deck id -> `DECK.anki.json` text (see ankikeep)
    # ids of the decks whose id and card ids the reader made up (from the file name, the fronts):
    # no author gave them, so two unrelated files may share them (see `importer._same_deck`)
    derived: set[str] = field(default_factory=set)
    # deck id -> the options preset it had (read only with the learner's history: `--with-history`)
    presets: dict[str, DeckPreset] = field(default_factory=dict)
    # deck id -> its own options there, replacing its preset's (Anki's "This deck" ones; as `presets`)
    deck_limits: dict[str, dict[str, object]] = field(default_factory=dict)

    @property
    def has_settings(self) -> bool:
        """Whether the file brings study settings for config.toml (`deck_options_apply`)."""
        return bool(self.presets or self.deck_limits)

    @property
    def card_count(self) -> int:
        return sum(len(d.cards) for d in self.decks)
