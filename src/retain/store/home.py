"""Open a retain home: paths, config and the deck library, in one place."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from retain.core.model import Deck
from retain.store.config import Config, load_config
from retain.store.decks.library import Library, Origin, load_deck_file, load_library
from retain.store.decks.own_files import own_files
from retain.store.paths import Paths, bundled_decks_dir, get_paths

__all__ = ["Home", "library_folders", "open_home"]


def library_folders(paths: Paths, config: Config) -> list[tuple[Path, Origin]]:
    """The folders the library reads, in order. A folder may hold retain's own files (its data
    folder inside a synced deck folder): every walk of them passes those over (`own_files`)."""
    folders: list[tuple[Path, Origin]] = [(paths.decks_dir, "user")]
    folders += [(f, "folder") for f in config.deck_folders]
    bundled = bundled_decks_dir()
    if bundled is not None:
        folders.append((bundled, "bundled"))
    return folders


@dataclass(slots=True)
class Home:
    paths: Paths
    config: Config

    def library(self, *, cards: bool = True) -> Library:
        """Every deck; `cards=False`: without their cards (which decks and groups there are)."""
        folders = library_folders(self.paths, self.config)
        return load_library(folders, self.paths.cache_dir, cards=cards, own=own_files(self.paths))

    def with_cards(self, library: Library, deck_ids: list[str]) -> list[Deck]:
        """The decks `deck_ids` of a `library(cards=False)`, read again with their cards."""
        entries = {e.deck.id: e for e in library.entries if e.deck is not None}
        out: list[Deck] = []
        for deck_id in deck_ids:
            entry = load_deck_file(entries[deck_id].path, entries[deck_id].origin, self.paths.cache_dir)
            if entry.deck is not None:
                out.append(entry.deck)
        return out


def open_home(env: dict[str, str] | None = None) -> Home:
    """Raises ConfigError for a bad config.toml."""
    paths = get_paths(env)
    return Home(paths, load_config(paths.config_file))
