"""The deck library: bundled decks, the user's deck folder and configured folders."""

from __future__ import annotations

import errno
import os
import re
from collections import deque
from collections.abc import Callable, Iterable
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from retain.core.model import Deck, Problem
from retain.store.decks.own_files import OWN_FILE, OwnFiles, own_files
from retain.store.files import (
    ReadError,
    conflict_copy_of,
    conflict_marker_line,
    open_regular,
    read_text_limited,
)
from retain.store.index.derivedcache import FileId, file_id
from retain.store.inplace import finish_in_place_write

__all__ = [
    "MAX_DECK_FILES",
    "MAX_FOLDERS",
    "DeckEntry",
    "DeckWalk",
    "Library",
    "Origin",
    "deck_file_ids",
    "deck_files",
    "hidden_line",
    "is_deck_name",
    "load_deck_file",
    "load_library",
    "load_paths",
    "not_loaded_reason",
    "read_by_library",
    "real_path",
    "walk_decks",
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
    finished: str = ""  # the line said of a cut-short save into the file, put right as it was read

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
    hidden: list[Path] = field(default_factory=list)  # hidden deck files, not loaded (`DeckWalk.hidden`)

    @property
    def decks(self) -> list[Deck]:
        return [e.deck for e in self.entries if e.deck is not None]

    @property
    def broken(self) -> list[DeckEntry]:
        return [e for e in self.entries if e.deck is None]

    @property
    def finished_saves(self) -> list[str]:
        """One line per deck file a cut-short save was put right in (`finish_in_place_write`)."""
        return [e.finished for e in self.entries if e.finished]

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
    a loop, gives where it points (`Path.resolve` raises on a loop); one that may not be read
    (`/proc/1/cwd`, through a link to `/`), or no path at all (a NUL in it), gives the path as it
    is, made absolute."""
    try:
        return Path(os.path.realpath(path))
    except (OSError, ValueError):
        return Path(os.path.abspath(path))


def _dangling(path: Path) -> bool:
    """Whether `path` is a symbolic link to nothing: its target gone (a deck linked from a checkout
    since moved), or a loop."""
    return os.path.islink(path) and not os.path.exists(path)


def is_deck_name(name: str) -> bool:
    """Whether the library loads a file of this name: `*.toml` in any case (`Kafka.TOML`, as macOS
    and Windows match names), not hidden (`.draft.toml`, a tool's `.taplo.toml`)."""
    return not name.startswith(".") and name.casefold().endswith(".toml")


_DECK_TABLE = re.compile(rb"^[ \t]*\[[ \t]*deck[ \t]*\]", re.MULTILINE)  # a deck file's `[deck]`


def _holds_deck(path: Path) -> bool:
    """Whether the start of the regular file `path` holds a `[deck]` table (never blocks on a FIFO)."""
    try:
        with open_regular(path) as fh:
            head = fh.read(16384)
    except OSError:
        return False
    return _DECK_TABLE.search(head) is not None


@dataclass(slots=True)
class DeckWalk:
    """What `walk_decks` found under one folder."""

    # The deck files, and an entry for each folder or link that could not be walked (sorted).
    files: list[Path] = field(default_factory=list)
    unreadable: dict[Path, str] = field(default_factory=dict)  # a folder not listed: why
    hidden: list[Path] = field(default_factory=list)  # hidden `*.toml` files holding a `[deck]`
    folders: set[tuple[int, int]] = field(default_factory=set)  # (st_dev, st_ino) of each folder listed


MAX_FOLDERS = 5_000  # folders one deck folder's walk reads at most, linked ones included
MAX_DECK_FILES = 5_000  # deck files it lists at most


def walk_decks(folder: Path, own: OwnFiles | None = None) -> DeckWalk:
    """The deck files under `folder`: every `*.toml` (in any case) in it and its sub-folders, linked
    ones too, but for hidden files and folders, the progress sidecars an export wrote beside
    its deck and retain's own files (`own`; None: this process's home's, `own_files`), passed
    over without a word. Each real folder is walked once (a link loop, or two links to one
    folder, are passed over without a word), by its own path before any link's. A link to nothing named like a deck
    file or a folder (no extension), and a folder that cannot be listed, are listed too: each is
    reported as a broken deck, in one line, not left out without a word. A `folder` that is no
    folder, or that cannot be looked at (a name too long for the file system, a parent folder
    not searchable), holds nothing: `config.missing_folders` says why, once."""
    walk = DeckWalk()
    if not _is(folder.is_dir):
        return walk
    own = own_files() if own is None else own
    seen: set[tuple[int, int]] = set()  # (st_dev, st_ino) of the folders walked
    linked: deque[Path] = deque([folder])  # linked folders wait until the real tree is walked
    while linked:
        stack = [linked.popleft()]
        while stack:
            _walk_folder(stack.pop(), walk, seen, stack, linked, own)
            # (a link to `/` or a home folder: read at every start and every poll, each file parsed)
            if len(seen) > MAX_FOLDERS or len(walk.files) > MAX_DECK_FILES:
                many = (
                    f"{MAX_FOLDERS:,} folders"
                    if len(seen) > MAX_FOLDERS
                    else f"{MAX_DECK_FILES:,} deck files"
                )
                del walk.files[MAX_DECK_FILES:]
                walk.files.append(folder)
                walk.unreadable[folder] = (
                    f"over {many} under it (a link to / or to a home folder?): the rest is not read"
                )
                linked.clear()
                break
    walk.files.sort()
    walk.hidden.sort()
    return walk


def _walk_folder(
    top: Path,
    walk: DeckWalk,
    seen: set[tuple[int, int]],
    stack: list[Path],
    linked: deque[Path],
    own: OwnFiles,
) -> None:
    """List one folder into `walk`; its sub-folders onto `stack`, its linked folders onto `linked`;
    one of retain's own (`own`) not at all.
    Not os.walk, nor rglob: hidden folders (`.git`, whose objects come and go during `git gc`) are
    pruned before they are read, and a folder that vanishes while it is listed (a sync tool's
    temporary folder) is passed over."""
    try:
        st = os.stat(top)
    except OSError:
        return  # (gone meanwhile)
    key = (st.st_dev, st.st_ino)
    if key in seen or key in own.folders:
        return
    seen.add(key)
    try:
        with os.scandir(top) as listing:
            entries = list(listing)
    except (FileNotFoundError, NotADirectoryError):
        return
    except OSError as exc:
        from retain.store.oserror import os_error_text  # (it imports store.files)

        walk.files.append(top)
        walk.unreadable[top] = os_error_text(exc, name=False)
        return
    walk.folders.add(key)
    subdirs: list[str] = []
    links: list[str] = []
    for entry in entries:
        name = entry.name
        if name.startswith("."):
            if name.casefold().endswith(".toml") and _is(entry.is_file) and _holds_deck(top / name):
                walk.hidden.append(top / name)
        elif _is(entry.is_dir):
            (links if _is(entry.is_symlink) else subdirs).append(name)
        elif is_deck_name(name) and _is(entry.is_file):
            if not is_sidecar(top / name) and not own.skips_file(key, top / name):
                walk.files.append(top / name)
        elif (is_deck_name(name) or "." not in name) and _is(entry.is_symlink) and _dangling(top / name):
            walk.files.append(top / name)  # (a link to nothing, named like a deck file or a folder)
    stack.extend(top / name for name in sorted(subdirs, reverse=True))
    linked.extend(top / name for name in sorted(links))


def _is(test: Callable[[], bool]) -> bool:
    """A `DirEntry` test, False when it cannot tell (a link loop, a file gone meanwhile)."""
    try:
        return test()
    except OSError:
        return False


def deck_files(folder: Path, own: OwnFiles | None = None) -> list[Path]:
    """The deck files under `folder` and what stands for each part that cannot be walked
    (`walk_decks`), sorted: every path the library makes an entry of."""
    return walk_decks(folder, own).files


_HIDDEN_FILE = "hidden file (its name starts with '.'): not loaded as a deck; rename it to load it"


def hidden_line(path: Path) -> Problem:
    """The warning for a hidden deck file found in a deck folder (`DeckWalk.hidden`)."""
    return Problem(str(path), 1, 1, _HIDDEN_FILE, "warning")


def _below(path: Path, folders: AbstractSet[tuple[int, int]]) -> list[str] | None:
    """The names of the folders between a folder of `folders` (`DeckWalk.folders`) and the file
    `path` (there or not yet), outermost first; None when no folder of them holds it."""
    climbed: list[str] = []
    at = real_path(path.parent)  # (the file may be a link: its own name is what counts)
    while True:
        try:
            st = os.stat(at)
        except OSError:
            st = None  # (a folder not made yet)
        if st is not None and (st.st_dev, st.st_ino) in folders:
            return climbed[::-1]
        if at.parent == at:
            return None
        climbed.append(at.name)
        at = at.parent


def read_by_library(path: Path, folders: AbstractSet[tuple[int, int]]) -> bool:
    """Whether the library loads a file at `path` (there or not yet) named like a deck file, in or
    below a folder it walks (`folders`: `DeckWalk.folders`, linked folders too), in no hidden one,
    and not one of retain's own (`own_files`)."""
    below = _below(path, folders)
    if below is None or not is_deck_name(path.name) or any(n.startswith(".") for n in below):
        return False
    return not own_files().holds(path)


def not_loaded_reason(path: Path, folders: AbstractSet[tuple[int, int]]) -> str | None:
    """Why the library does not load the file `path`, in or below a folder it walks (`folders`:
    `DeckWalk.folders`): retain's own, hidden, in a hidden folder, not named `*.toml`, a progress
    sidecar. None when it loads it, or when no deck folder holds it."""
    below = _below(path, folders)
    if below is None:
        return None
    if own_files().holds(path):
        return OWN_FILE
    hidden = [name for name in below if name.startswith(".")]
    if path.name.startswith("."):
        return _HIDDEN_FILE
    if hidden:
        return f"in a hidden folder ({hidden[0]}): not loaded as a deck; move it out to load it"
    if not is_deck_name(path.name):
        return "not named *.toml: not loaded as a deck"
    if is_sidecar(path):
        return "the progress sidecar of an export, not a deck: not loaded as one"
    return None


def _unreadable_folder(path: Path, origin: Origin, reason: str) -> DeckEntry:
    message = (
        reason
        if reason.startswith("over ")
        else f"cannot read this folder ({reason}): no deck in it is loaded"
    )
    return DeckEntry(path, origin, None, [Problem(str(path), 1, 1, message)])


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
    path: Path,
    origin: Origin,
    cache_dir: Path | None,
    *,
    cards: bool,
    listed: bool,
    walk: DeckWalk | None = None,
) -> DeckEntry:
    """One deck file as an entry; `listed`: found in a folder (a conflict copy there is no deck),
    by `walk` (a folder it could not list is a broken entry)."""
    unreadable = walk.unreadable.get(path) if walk is not None else None
    if unreadable is not None:
        return _unreadable_folder(path, origin, unreadable)
    return (
        _missing_target(path, origin)
        or (_conflict_copy(path, origin) if listed else None)
        or load_deck_file(path, origin, cache_dir, cards=cards)
    )


def load_library(
    folders: Iterable[tuple[Path, Origin]],
    cache_dir: Path | None = None,
    *,
    cards: bool = True,
    own: OwnFiles | None = None,
) -> Library:
    """Load every deck file under each folder (`walk_decks`: linked folders too, retain's `own`
    files passed over), in order; a file reached through several folders once, by the folder that
    protects it most (`_kept`).

    A deck id is unique in the library (`_owners` says which file keeps it). A user deck with the
    same id as a bundled deck replaces it (a user's own edited copy); any other repeat is an error.
    """
    read: list[DeckEntry] = []
    files: dict[str, FileId | None] = {}
    hidden: list[Path] = []
    own = own_files() if own is None else own
    walks = [(folder, origin, walk_decks(folder, own)) for folder, origin in folders]
    kept = _kept(walks)
    finished: dict[Path, str] = {}
    for _folder, origin, walk in walks:
        hidden += walk.hidden
        for path in walk.files:
            _finish_save(path, origin, finished)
            files[str(path)] = file_id(path)  # before reading: a change while loading is a mismatch later
            if (path, origin) in kept:
                kept.discard((path, origin))  # (each file once, though its folder be listed twice)
                read.append(_read_entry(path, origin, cache_dir, cards=cards, listed=True, walk=walk))
    _say_finished(read, finished)
    owners = _owners(read)
    entries = [
        e
        for e in read
        if not (e.deck is not None and e.origin == "bundled" and owners[e.deck.id].origin != "bundled")
    ]  # (the user's own copy of a bundled deck replaces it)
    for entry in entries:
        _claim(owners, entry)
    return Library(entries, files, _unread(hidden, read))


def _finish_save(path: Path, origin: Origin, finished: dict[Path, str]) -> None:
    """Put right a save into `path` that a kill cut short (`inplace.finish_in_place_write`), before
    the file is read; the line said, by the file's real path, into `finished`."""
    if origin == "bundled":
        return  # (never written)
    said = finish_in_place_write(path)
    if said is not None:
        finished[real_path(path)] = said


def _say_finished(entries: Iterable[DeckEntry], finished: dict[Path, str]) -> None:
    """Each line of `finished` on the entry of its file: its `finished`, and a warning."""
    if not finished:
        return
    for entry in entries:
        real = real_path(entry.path)
        said = finished.get(real)
        if said is not None and not entry.finished:
            entry.finished = said
            message = said.removeprefix(f"{real}: ")  # (the problem names the file already)
            entry.problems.insert(0, Problem(str(entry.path), 1, 1, message, "warning"))


# How much an origin protects its files: a bundled deck is never written, a configured deck
# folder's is never overwritten by an import, the user's deck folder's is the user's to replace.
_PROTECTION: dict[Origin, int] = {"bundled": 3, "folder": 2, "user": 1, "path": 0}


def _kept(walks: Iterable[tuple[Path, Origin, DeckWalk]]) -> set[tuple[Path, Origin]]:
    """The path, and origin, each deck file is loaded by: a file reached through several folders
    (a configured deck folder also linked into the user's, nested deck folders listed twice) takes
    the origin that protects it most (`_PROTECTION`), then a path with no link below its folder,
    then the first in order; so it is one entry, shown by one path, whichever folder comes first."""
    best: dict[Path, tuple[tuple[int, bool, int], Path, Origin]] = {}
    order = 0
    for folder, origin, walk in walks:
        top = real_path(folder)
        for path in walk.files:
            real = real_path(path)
            rank = (-_PROTECTION[origin], real != top / path.relative_to(folder), order)
            order += 1
            if real not in best or rank < best[real][0]:
                best[real] = (rank, path, origin)
    return {(path, origin) for _rank, path, origin in best.values()}


def _unread(hidden: list[Path], read: list[DeckEntry]) -> list[Path]:
    """The hidden deck files no entry reads (a deck file may be a link to one), each once."""
    loaded = {real_path(e.path) for e in read}
    shown: dict[Path, Path] = {}
    for path in hidden:
        shown.setdefault(real_path(path), path)
    return sorted(path for real, path in shown.items() if real not in loaded)


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
    finished = {
        real: e.finished for real, e in verdicts.items() if e.finished
    }  # (said by the library's load)
    for raw in paths:
        folder = _is(raw.is_dir)  # (a name too long: read as a file, which says why it cannot be)
        walk = walk_decks(raw) if folder else None
        for path in walk.files if walk is not None else [raw]:
            real = real_path(path)
            if real in seen:
                continue
            seen.add(real)
            _finish_save(path, "path", finished)
            entry = _read_entry(path, "path", None, cards=True, listed=folder, walk=walk)
            verdict = verdicts.get(real)
            if verdict is None:
                alone.append(entry)
            else:
                ruled.append(_as_in_library(entry, verdict))
            entries.append(entry)
    _say_finished(entries, finished)
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


def deck_file_ids(
    folders: Iterable[tuple[Path, Origin]], own: OwnFiles | None = None
) -> dict[str, FileId | None]:
    """Identity (inode, mtime_ns, size) of every deck file `load_library` would read, by path."""
    own = own_files() if own is None else own
    return {str(path): file_id(path) for folder, _origin in folders for path in deck_files(folder, own)}
