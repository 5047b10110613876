"""The native format: a retain deck file (`.toml`), plus an optional progress sidecar."""

from __future__ import annotations

from pathlib import Path

from retain.core.deckfile import parse_deck
from retain.core.deckwrite import deck_to_toml
from retain.core.model import Deck
from retain.interop.bundle import Bundle
from retain.interop.errors import InteropError
from retain.interop.history import history_from_toml, sidecar_path
from retain.interop.limits import Limits
from retain.interop.textfile import read_text

__all__ = ["deck_file_text", "read_native"]


def deck_file_text(deck: Deck) -> str:
    """The deck's own file, comments and all, when it still parses to this deck; else a fresh one."""
    if deck.path:
        try:
            text = read_text(Path(deck.path), Limits())
        except InteropError:
            text = ""
        result = parse_deck(text, deck.path) if text else None
        ok = result is not None and result.deck is not None and not result.errors
        if (
            ok
            and result
            and result.deck
            and result.deck.id == deck.id
            and len(result.deck.cards) == len(deck.cards)
        ):
            return text
    return deck_to_toml(deck)


def read_native(path: Path, limits: Limits, *, with_history: bool = False) -> Bundle:
    text = read_text(path, limits)
    result = parse_deck(text, str(path))
    if result.deck is None or result.errors:
        first = result.errors[0] if result.errors else None
        raise InteropError(f"not a valid deck file: {first}" if first else "not a valid deck file")
    deck = result.deck
    bundle = Bundle("toml", [deck], texts={deck.id: text})
    bundle.warnings += [str(p) for p in result.warnings]
    side = Path(sidecar_path(str(path)))
    if with_history and side.is_file():
        reviews, warnings = history_from_toml(read_text(side, limits), {deck.id}, limits.max_notes * 20)
        bundle.reviews, bundle.warnings = reviews, bundle.warnings + warnings
    return bundle
