"""The deck library: bundled decks, the user's deck folder and configured folders."""

from __future__ import annotations

import errno
import os
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
    "real_path",
]

Origin = Literal["user", "folder", "bundled", "path"]


@dataclass(slots=True)
class DeckEntry:
    """One deck file: loaded (`deck` set) or broken (`deck` is None, `problems` say why)."""

    path: Path
    origin: Origin
    deck: Deck | None
    problems: list[Problem] = field(default_factory=list)
    left_out: int = 0  # the file's cards its deck does not hold (an error each: `ParseResult.left_out`)

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

        deck, problems, left_out = load_deck_cached(path, cache_dir, cards=cards)
        return _merge_conflict(DeckEntry(path, origin, deck, problems, left_out))
    from retain.core.deckfile import parse_deck

    try:
        text = read_text_limited(path)
    except ReadError as exc:
        return DeckEntry(path, origin, None, [Problem(str(path), exc.line, exc.col, str(exc))])
    result = parse_deck(text, str(path))
    return _merge_conflict(DeckEntry(path, origin, result.deck, result.problems, result.left_out), text)


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


def real_path(path: Path) -> Path:
    """`path` with every symbolic link followed, as far as they lead: a link whose target is gone, or
    a loop, gives where it points (`Path.resolve` raises on a loop)."""
    return Path(os.path.realpath(path))


def _dangling(path: Path) -> bool:
    """Whether `path` is a symbolic link to nothing: its target gone (a deck linked from a checkout
    since moved), or a loop."""
    return os.path.islink(path) and not os.path.exists(path)


def deck_files(folder: Path) -> list[Path]:
    """The `*.toml` deck files under `folder` (hidden files and folders left out, and the progress
    sidecars an export wrote beside its deck), sorted. A link to nothing (its target gone, or a
    loop) is listed: the deck it held is reported broken, not left out without a word."""
    if not folder.is_dir():
        return []
    found: list[Path] = []
    # os.walk, not rglob: hidden folders (`.git`, whose objects come and go during `git gc`) are
    # pruned before they are read, and a folder that vanishes while it is listed (a sync tool's
    # temporary folder) is passed over, where rglob raised FileNotFoundError and stopped the
    # command. Linked folders are not walked into (no loops), as with rglob.
    for top, dirs, files in os.walk(folder):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        for name in files:
            if name.endswith(".toml") and not name.startswith("."):
                p = Path(top, name)
                if (p.is_file() or _dangling(p)) and not is_sidecar(p):
                    found.append(p)
    return sorted(found)


def _missing_target(path: Path, origin: Origin) -> DeckEntry | None:
    """A deck file that is a link to nothing is broken, saying where it pointed."""
    if not _dangling(path):
        return None
    try:
        target = os.readlink(path)
    except OSError:
        target = "?"
    try:
        os.stat(path)
    except OSError as exc:
        loop = exc.errno == errno.ELOOP
    else:
        loop = False  # (its target came back a moment ago: the next load reads it)
    message = f"{'symbolic link loop' if loop else 'link target missing'} ({target}): fix or remove the link"
    return DeckEntry(path, origin, None, [Problem(str(path), 1, 1, message)])


def _read_entry(
    path: Path, origin: Origin, cache_dir: Path | None, *, cards: bool, listed: bool
) -> DeckEntry:
    """One deck file as an entry; `listed`: found in a folder (a conflict copy there is no deck)."""
    return (
        _missing_target(path, origin)
        or (_conflict_copy(path, origin) if listed else None)
        or load_deck_file(path, origin, cache_dir, cards=cards)
    )


def load_library(
    folders: Iterable[tuple[Path, Origin]], cache_dir: Path | None = None, *, cards: bool = True
) -> Library:
    """Load every `*.toml` deck under each folder, in order.

    A deck id is unique in the library (`_owners` says which file keeps it). A user deck with the
    same id as a bundled deck replaces it (a user's own edited copy); any other repeat is an error.
    """
    read: list[DeckEntry] = []
    files: dict[str, FileId | None] = {}
    seen_paths: set[Path] = set()
    for folder, origin in folders:
        for path in deck_files(folder):
            files[str(path)] = file_id(path)  # before reading: a change while loading is a mismatch later
            real = real_path(path)
            if real in seen_paths:
                continue
            seen_paths.add(real)
            read.append(_read_entry(path, origin, cache_dir, cards=cards, listed=True))
    owners = _owners(read)
    entries = [
        e
        for e in read
        if not (e.deck is not None and e.origin == "bundled" and owners[e.deck.id].origin != "bundled")
    ]  # (the user's own copy of a bundled deck replaces it)
    for entry in entries:
        _claim(owners, entry)
    return Library(entries, files)


def _named_after(entry: DeckEntry, deck_id: str) -> bool:
    """Whether the file is called `<deck id>.toml` (in any case, as macOS and Windows match names)."""
    return entry.path.name.casefold() == f"{deck_id}.toml"


def _owners(entries: list[DeckEntry]) -> dict[str, DeckEntry]:
    """The file that keeps each deck id: a user's file before a bundled one; then the file named
    after the deck, so a copy (`kafka copy.toml`, `kafka 2.toml`, `kafka-old.toml`), which often
    sorts first, never takes the deck from `kafka.toml`, however the copy was made or when; then
    the first in order. The choice depends only on the files there, so it is the same every run."""
    claims: dict[str, list[DeckEntry]] = {}
    for e in entries:
        if e.deck is not None:
            claims.setdefault(e.deck.id, []).append(e)
    return {
        deck_id: min(
            found, key=lambda e: (e.origin == "bundled", not _named_after(e, deck_id))
        )  # (min keeps the first of equals)
        for deck_id, found in claims.items()
    }


def _claim(owners: dict[str, DeckEntry], entry: DeckEntry) -> None:
    """A deck whose id another file keeps (`_owners`) makes the entry broken, naming that file."""
    deck = entry.deck
    if deck is None:
        return
    owner = owners.get(deck.id, entry)
    if owner is entry:
        return
    entry.problems.insert(
        0, Problem(str(entry.path), 1, 1, f"deck id {deck.id!r} is already used by {owner.path}")
    )
    entry.deck = None


def load_paths(paths: Iterable[Path], library: Library | None = None) -> list[DeckEntry]:
    """The deck files named (a folder: every deck file under it), each read once, in order.

    As in the library, a deck id is unique: of named files holding one deck id, one keeps it
    (`_owners`) and the others are broken, saying which file has it. A file `library` loads gets
    the library's verdict: refused there (its id kept by another library file, a conflict copy),
    it is broken here too, with the library's reason; the library's other files are not reported.
    """
    entries: list[DeckEntry] = []
    alone: list[DeckEntry] = []  # the files no library loads
    ruled: list[DeckEntry] = []  # the files the library gave its verdict on
    seen: set[Path] = set()
    verdicts = {real_path(e.path): e for e in library.entries} if library is not None else {}
    for raw in paths:
        folder = raw.is_dir()
        for path in deck_files(raw) if folder else [raw]:
            real = real_path(path)
            if real in seen:
                continue
            seen.add(real)
            entry = _read_entry(path, "path", None, cards=True, listed=folder)
            verdict = verdicts.get(real)
            if verdict is None:
                alone.append(entry)
            else:
                ruled.append(_as_in_library(entry, verdict))
            entries.append(entry)
    owners = _owners(alone)
    owners.update((e.deck.id, e) for e in ruled if e.deck is not None)  # (the library's choice stands)
    for entry in entries:
        _claim(owners, entry)
    return entries


def _as_in_library(entry: DeckEntry, verdict: DeckEntry) -> DeckEntry:
    """`entry` (a file as read on its own) made broken when the library refused the same file,
    with the library's reason said of the path as named."""
    if entry.deck is None or verdict.deck is not None:
        return entry
    reasons = [p for p in verdict.problems if p.severity == "error"][:1]
    entry.problems[:0] = [Problem(str(entry.path), p.line, p.col, p.message) for p in reasons]
    entry.deck = None
    return entry


def deck_file_ids(folders: Iterable[tuple[Path, Origin]]) -> dict[str, FileId | None]:
    """Identity (inode, mtime_ns, size) of every deck file `load_library` would read, by path."""
    return {str(path): file_id(path) for folder, _origin in folders for path in deck_files(folder)}
