"""The deck library: bundled decks, the user's deck folder and configured folders."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from retain.core.model import Deck, Problem
from retain.store.files import ReadError, conflict_copy_of, conflict_marker_line, read_text_limited
from retain.store.index.derivedcache import FileId, file_id

__all__ = [
    "DeckEntry",
    "Library",
    "Origin",
    "deck_file_ids",
    "deck_files",
    "load_deck_file",
    "load_library",
    "load_paths",
]

Origin = Literal["user", "folder", "bundled", "path"]


@dataclass(slots=True)
class DeckEntry:
    """One deck file: loaded (`deck` set) or broken (`deck` is None, `problems` say why)."""

    path: Path
    origin: Origin
    deck: Deck | None
    problems: list[Problem] = field(default_factory=list)

    @property
    def broken(self) -> bool:
        return self.deck is None

    @property
    def error(self) -> str:
        errs = [p for p in self.problems if p.severity == "error"]
        return str(errs[0]) if errs else ""


@dataclass(slots=True)
class Library:
    entries: list[DeckEntry]
    # Every deck file found, with its identity taken before it was read (`deck_file_ids`).
    files: dict[str, FileId | None] = field(default_factory=dict)

    @property
    def decks(self) -> list[Deck]:
        return [e.deck for e in self.entries if e.deck is not None]

    @property
    def broken(self) -> list[DeckEntry]:
        return [e for e in self.entries if e.deck is None]

    def get(self, deck_id: str) -> Deck | None:
        for deck in self.decks:
            if deck.id == deck_id:
                return deck
        return None

    def entry(self, deck_id: str) -> DeckEntry | None:
        for e in self.entries:
            if e.deck is not None and e.deck.id == deck_id:
                return e
        return None


def load_deck_file(
    path: Path, origin: Origin = "path", cache_dir: Path | None = None, *, cards: bool = True
) -> DeckEntry:
    if cache_dir is not None:
        from retain.store.decks.deckcache import load_deck_cached

        deck, problems = load_deck_cached(path, cache_dir, cards=cards)
        return _merge_conflict(DeckEntry(path, origin, deck, problems))
    from retain.core.deckfile import parse_deck

    try:
        text = read_text_limited(path)
    except ReadError as exc:
        return DeckEntry(path, origin, None, [Problem(str(path), exc.line, exc.col, str(exc))])
    result = parse_deck(text, str(path))
    return _merge_conflict(DeckEntry(path, origin, result.deck, result.problems), text)


def _merge_conflict(entry: DeckEntry, text: str | None = None) -> DeckEntry:
    """A broken deck whose file holds merge conflict markers says so first (the TOML error,
    "Invalid statement", does not tell a person what happened)."""
    if not entry.broken:
        return entry
    if text is None:
        try:
            text = read_text_limited(entry.path)
        except ReadError:
            return entry
    line = conflict_marker_line(text)
    if line is not None:
        message = (
            f"unresolved merge conflict (a `<<<<<<<`/`=======`/`>>>>>>>` marker at line {line}): "
            "keep the lines you want, delete the markers and save"
        )
        entry.problems.insert(0, Problem(str(entry.path), line, 1, message))
    return entry


def _conflict_copy(path: Path, origin: Origin) -> DeckEntry | None:
    """A sync tool's conflict copy of a deck file (`tiny.sync-conflict-….toml`, `tiny (… conflicted
    copy …).toml`) is never loaded: it holds the deck's id, and (sorting first) would take the deck
    from the file it copies. It is listed as broken, saying what it is."""
    original = conflict_copy_of(path, beside=True)
    if original is None:
        return None
    message = (
        f"a conflict copy of {original} left by a sync tool; it is not loaded: "
        f"move what you want to keep into {original}, then delete this file"
    )
    return DeckEntry(path, origin, None, [Problem(str(path), 1, 1, message)])


SIDECAR_SUFFIX = ".progress.toml"  # `retain export --with-progress` writes NAME.progress.toml
_SIDECAR_KEY = re.compile(rb'^[ \t]*deck[ \t]*=[ \t]*"', re.MULTILINE)  # a sidecar's `deck = "id"`


def is_sidecar(path: Path) -> bool:
    """Whether `path` is an exported progress sidecar, not a deck: named `*.progress.toml`, with a
    top-level `deck = "id"` near its start (a deck file's `deck` is a table). Unreadable: no."""
    if not path.name.lower().endswith(SIDECAR_SUFFIX):
        return False
    try:
        with path.open("rb") as fh:
            head = fh.read(4096)
    except OSError:
        return False
    return _SIDECAR_KEY.search(head) is not None


def deck_files(folder: Path) -> list[Path]:
    """The `*.toml` deck files under `folder` (hidden files and folders left out, and the progress
    sidecars an export wrote beside its deck), sorted."""
    if not folder.is_dir():
        return []
    return sorted(
        p
        for p in folder.rglob("*.toml")
        if p.is_file()
        and not any(part.startswith(".") for part in p.relative_to(folder).parts)
        and not is_sidecar(p)
    )


def load_library(
    folders: Iterable[tuple[Path, Origin]], cache_dir: Path | None = None, *, cards: bool = True
) -> Library:
    """Load every `*.toml` deck under each folder, in order.

    A deck id is unique in the library. A user deck with the same id as a bundled
    deck replaces it (a user's own edited copy); any other repeat is an error.
    """
    entries: list[DeckEntry] = []
    files: dict[str, FileId | None] = {}
    owners: dict[str, DeckEntry] = {}
    seen_paths: set[Path] = set()
    for folder, origin in folders:
        for path in deck_files(folder):
            files[str(path)] = file_id(path)  # before reading: a change while loading is a mismatch later
            real = path.resolve()
            if real in seen_paths:
                continue
            seen_paths.add(real)
            entry = _conflict_copy(path, origin) or load_deck_file(path, origin, cache_dir, cards=cards)
            deck = entry.deck
            if (
                deck is not None
                and origin == "bundled"
                and deck.id in owners
                and owners[deck.id].origin != "bundled"
            ):
                continue  # the user's own copy of a bundled deck replaces it
            _claim(owners, entry)
            entries.append(entry)
    return Library(entries, files)


def _claim(owners: dict[str, DeckEntry], entry: DeckEntry) -> None:
    """Record the entry's deck id; a deck id another file has makes the entry broken."""
    deck = entry.deck
    if deck is None:
        return
    first = owners.get(deck.id)
    if first is None:
        owners[deck.id] = entry
        return
    entry.problems.insert(
        0, Problem(str(entry.path), 1, 1, f"deck id {deck.id!r} is already used by {first.path}")
    )
    entry.deck = None


def load_paths(paths: Iterable[Path]) -> list[DeckEntry]:
    """The deck files named (a folder: every deck file under it), each read once, in order.

    As in the library, a deck id is unique: a later file holding a deck id already
    read is broken, and says which file has it.
    """
    entries: list[DeckEntry] = []
    owners: dict[str, DeckEntry] = {}
    seen: set[Path] = set()
    for raw in paths:
        folder = raw.is_dir()
        for path in deck_files(raw) if folder else [raw]:
            real = path.resolve()
            if real in seen:
                continue
            seen.add(real)
            entry = (_conflict_copy(path, "path") if folder else None) or load_deck_file(path)
            _claim(owners, entry)
            entries.append(entry)
    return entries


def deck_file_ids(folders: Iterable[tuple[Path, Origin]]) -> dict[str, FileId | None]:
    """Identity (inode, mtime_ns, size) of every deck file `load_library` would read, by path."""
    return {str(path): file_id(path) for folder, _origin in folders for path in deck_files(folder)}
