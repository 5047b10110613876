"""`retain` with no command: the deck list as text (the TUI replaces this)."""

from __future__ import annotations

import argparse

from retain.core.units import expand_deck
from retain.store.home import open_home

__all__ = ["run"]


def run(args: argparse.Namespace) -> int:
    library = open_home().library()
    for deck in library.decks:
        group = f"{deck.group} / " if deck.group else ""
        print(f"{group}{deck.name} ({deck.id}): {len(expand_deck(deck))} cards")
    for entry in library.broken:
        print(f"broken: {entry.error}")
    return 0
