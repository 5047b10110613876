"""`retain check [PATH...] [--fix]`: validate decks, print `file:line:col: severity: message`."""

from __future__ import annotations

import argparse
import os
from operator import attrgetter
from pathlib import Path
from typing import TYPE_CHECKING

from retain.commands.output import err, out, out_lines, report
from retain.core.fixids import add_missing_ids
from retain.core.gcpause import gc_paused
from retain.core.ids import is_valid_id
from retain.core.lint import lint_deck, lint_library
from retain.core.model import Problem
from retain.interop.progress import TerminalStatus
from retain.store.decks.library import (
    DeckEntry,
    DeckWalk,
    Library,
    deck_files,
    hidden_line,
    load_paths,
    not_loaded_reason,
    real_path,
    walk_decks,
)
from retain.store.files import (
    MAX_DECK_BYTES,
    ReadError,
    atomic_write,
    over_deck_limit_reason,
    read_only,
    read_text_limited,
)
from retain.store.lintspots import placed
from retain.store.media import file_media_problems
from retain.store.oserror import os_error_text

if TYPE_CHECKING:
    from retain.store.home import Home

__all__ = ["add_arguments", "run"]

_BOM = b"\xef\xbb\xbf"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "paths", nargs="*", metavar="PATH", help="deck files or folders (default: the library)"
    )
    parser.add_argument("--fix", action="store_true", help="write missing card ids into the files")


def _config_warnings(entries: list[DeckEntry]) -> list[str]:
    """What every start says of config.toml (a deck naming an undefined preset, a preset no deck
    uses, a sync tool's conflict copy), its [exam.<name>] entries whose dates are past, and its
    [exam.<name>] entries matching a group only loosely, when two do, and its [exam.<name>] and
    [decks.<id>] entries naming nothing in the library (not said while a deck file is broken)."""
    from datetime import UTC, datetime

    from retain.core.studyday import StudyDay
    from retain.store.config import missing_folders, unknown_decks
    from retain.store.exam_config import exam_clashes, exam_decks, past_exams
    from retain.store.home import open_home
    from retain.store.localzone import local_timezone

    home = open_home()
    said = [*home.config.warnings, *missing_folders(home.config)]
    if home.config.exams or home.config.deck_overrides or home.config.groups:
        today = StudyDay(home.config.rollover_hour, local_timezone()).today(datetime.now(UTC))
        if all(e.deck is not None for e in entries):  # a broken file's deck id is unknown: no typo guessed
            pairs = [(e.deck.id, e.deck.group) for e in entries if e.deck is not None]
            followed = exam_decks(
                (e.deck.id, e.deck.group, e.deck.name) for e in entries if e.deck is not None
            )
            said += past_exams(home.config.exams, today, followed)
            said += exam_clashes(home.config.exams, followed, today)
            said += unknown_decks(home.config, pairs, passed=today)
        else:
            said += past_exams(home.config.exams, today)
    return [f"{home.paths.config_file}: warning: {m}" for m in said]


def _entries(paths: list[str]) -> tuple[list[DeckEntry], list[Problem]]:
    """The entries to check, and a warning for each deck file the library passes over on purpose
    (`_not_loaded`)."""
    from retain.store.home import open_home

    home = open_home()
    if not paths:
        whole = home.library()
        return whole.entries, [hidden_line(p) for p in whole.hidden]
    named = [Path(raw) for raw in paths]
    walks = _library_walks(home)
    # A file of the library gets the app's verdict: read with the library's other files, whose
    # deck ids it may not take (their own problems are not reported).
    files = {real_path(p) for walk in walks for p in walk.files}
    library = home.library(cards=False) if _any_in_library(named, files) else None
    return load_paths(named, library), _not_loaded(named, walks)


def _not_loaded(named: list[Path], walks: list[DeckWalk]) -> list[Problem]:
    """A warning for each hidden deck file under a named folder (never checked), and for each
    named file in a deck folder whose name the library does not load (`not_loaded_reason`)."""
    folders = {real for walk in walks for real in walk.folders}
    said: list[Problem] = []
    for raw in named:
        if raw.is_dir():
            said += (hidden_line(p) for p in walk_decks(raw).hidden)
        elif (reason := not_loaded_reason(raw, folders)) is not None:
            said.append(Problem(str(raw), 1, 1, reason, "warning"))
    return list(dict.fromkeys(said))


def _library_walks(home: Home, *, bundled: bool = True) -> list[DeckWalk]:
    from retain.store.home import library_folders

    return [
        walk_decks(folder)
        for folder, origin in library_folders(home.paths, home.config)
        if bundled or origin != "bundled"
    ]


def _library_files(home: Home, *, bundled: bool = True) -> set[Path]:
    """The real path of every deck file the library reads: a deck linked into the deck folder
    (`decks/x.toml` -> a git checkout), or in a linked folder, is the library's, though its
    target is not in the folder."""
    return {real_path(path) for walk in _library_walks(home, bundled=bundled) for path in walk.files}


def _any_in_library(paths: list[Path], files: set[Path]) -> bool:
    """Whether a named file, or a deck file under a named folder, is one the library reads."""
    return any(real_path(p) in files for raw in paths for p in (deck_files(raw) if raw.is_dir() else [raw]))


def _orphans(entries: list[DeckEntry]) -> list[Problem]:
    """Warnings for studied cards an edit of these files (when they are in the library) left
    without their progress (`core.remap.orphaned_progress`). The progress is read without a lock,
    as `retain due` reads it; nothing is said while a library file is broken (its deck id is
    unknown), nor when the progress cannot be read (`retain due` says why)."""
    from datetime import UTC, datetime

    from retain.core.remap import orphaned_progress
    from retain.store.collection import Collection, CollectionError
    from retain.store.home import open_home

    home = open_home()
    # (a bundled deck is not the user's to edit: a card a new retain left out of one is no hand edit)
    files = _library_files(home, bundled=False)
    if not home.paths.state_dir.is_dir() or not any(
        e.deck is not None and real_path(e.path) in files for e in entries
    ):
        return []  # (no progress, or files outside the library: no progress is read)
    try:
        col = Collection.open(home, datetime.now(UTC), read_only=True, cards=False)
    except CollectionError:
        return []
    try:
        if col.library.broken:
            return []
        ids = {real_path(e.path): e.deck.id for e in col.library.entries if e.deck is not None}
        decks = [e.deck for e in entries if e.deck is not None and ids.get(real_path(e.path)) == e.deck.id]
        studied = {k: s.reps for k, s in col.states.items() if not s.is_new}
        return orphaned_progress(decks, (u.key for u in col.units), studied)
    finally:
        col.close()


def _sidecars(entries: list[DeckEntry]) -> list[Problem]:
    """A warning for each deck's `DECK.anki.json` (what an `.apkg` import keeps beside it) that is
    there but does not read: a re-import of its package then keeps every card it does not hold
    in the deck, and an export makes new Anki notes."""
    from retain.interop.ankikeep import KEEP_SUFFIX

    found = [
        (entry.deck.id, sidecar)
        for entry in entries
        if entry.deck is not None and entry.origin != "bundled"
        if os.path.lexists(sidecar := entry.path.parent / f"{entry.deck.id}{KEEP_SUFFIX}")
    ]
    if not found:
        return []
    from retain.interop.ankikeep import KeepError, read_keep  # (only when there is one)

    said: list[Problem] = []
    for deck_id, sidecar in found:
        try:
            read_keep(sidecar)
        except KeepError as exc:
            message = (
                f"not readable ({exc}): importing the package of {deck_id!r} again keeps every card it "
                "does not hold there, and an export makes new Anki notes; mend it"
            )
            said.append(Problem(str(sidecar), exc.line, 1, message, "warning"))
    return said


def _fix(path: Path) -> int:
    """Write the card ids missing in the deck file at `path`; how many were written. A file that
    cannot take them (read-only, too big, a write that fails) gets one line and stays as it was:
    its cards without an id are then reported as errors."""
    try:
        text = read_text_limited(path)
    except ReadError:
        return 0
    new_text, count = add_missing_ids(text)
    if not count:
        return 0
    ids = f"{count} card id{'s' if count != 1 else ''}"
    missing = f"{count} missing card id{'s' if count != 1 else ''}"
    said = read_only(
        path, to=f"to add its {missing}", unsaved=f"its {missing} {'are' if count != 1 else 'is'} not added"
    )
    if said:  # the author's "do not change this": a rename would still replace it
        out(said)
        return 0
    try:
        with path.open("rb") as fh:
            bom = fh.read(3) == _BOM  # the reader drops it; --fix keeps every byte it did not add
    except OSError:
        bom = False
    data = (_BOM if bom else b"") + new_text.encode("utf-8")
    if len(data) > MAX_DECK_BYTES:
        out(f"{path}: cannot add {ids}: it {over_deck_limit_reason(len(data))}")
        return 0
    try:
        atomic_write(path, data, keep_hard_links=True)
    except OSError as exc:  # (a read-only folder, a full disk, an edit landing meanwhile)
        out(f"{path}: cannot add {ids}: {os_error_text(exc, name=False)}")
        return 0
    report(f"{path}: added {ids}")
    return count


def _fix_all(entries: list[DeckEntry]) -> int:
    """`_fix` each file, while no `retain add` is between reading a deck and writing it back."""
    from retain.store.decks.editlock import deck_edit_lock
    from retain.store.paths import get_paths

    with deck_edit_lock(get_paths().cache_dir):
        return sum(_fix(e.path) for e in entries)


# Files `retain import` reads but that are no deck file: parsed as TOML they gave "not UTF-8
# text; save the file as UTF-8" (an .apkg) or "TOML syntax: Invalid statement" (a .csv).
_IMPORTED: dict[str, str] = {
    ".apkg": "an Anki package",
    ".colpkg": "an Anki collection backup",
    ".csv": "a CSV file",
    ".tsv": "a TSV file",
    ".txt": "a text file",
    ".md": "a Markdown file",
}


def _quoted(path: Path) -> str:
    """`path` as a shell word, for a command to copy: `'my cards.csv'`, not `my cards.csv`; and
    `./-x.csv`, not `-x.csv`, which the command would read as an option."""
    import shlex

    text = str(path)
    return shlex.quote(f"./{text}" if text.startswith("-") else text)


def _deck_file(raw: str, library: Library) -> Path | None:
    """The file of the deck a PATH that names nothing means (`retain check kafka`): a loaded
    deck's id, or a deck whose file does not load (`deckref.broken_deck`); None: no deck."""
    from retain.commands.deckref import broken_deck

    entry = library.entry(raw) if is_valid_id(raw) else None
    if entry is None:
        found = broken_deck(library.broken, raw)
        entry = found[0] if found is not None else None
    return None if entry is None else entry.path


def _missing(raw: str, library: Library) -> str:
    """The line for a PATH that names nothing, when one named nothing at all: a deck id
    (`retain check kafka`) gets its file, a deck whose file does not load its error too."""
    from retain.commands.deckref import broken_deck_line

    line = f"retain check: no such file or folder: {raw}"
    entry = library.entry(raw) if is_valid_id(raw) else None
    if entry is not None:
        return f"{line}; it is a deck id: check that deck with `retain check {_quoted(entry.path)}`"
    broken = broken_deck_line(library.broken, raw)
    return f"{line}; {broken}" if broken is not None else line


def _a_path(raw: str) -> bool:
    """Whether a PATH argument is written as a path (`decks/x.toml`), never a deck's id."""
    return "/" in raw or os.sep in raw or raw.casefold().endswith(".toml")


def _library() -> Library | None:
    """The library, to find the decks named for paths; None when config.toml is invalid (the
    check of the files named does not need it)."""
    from retain.store.config import ConfigError
    from retain.store.home import open_home

    try:
        return open_home().library(cards=False)
    except ConfigError:
        return None


def _named_decks(paths: list[str]) -> list[str] | None:
    """`paths` with each that names nothing but a deck (its id, or a file that does not load)
    made that deck's file, said on stderr; None, with a line for each, when one names nothing."""
    missing = [raw for raw in paths if not Path(raw).exists()]
    if not missing:
        return paths
    library = _library() if any(not _a_path(raw) for raw in missing) else None
    files = {raw: None if library is None or _a_path(raw) else _deck_file(raw, library) for raw in missing}
    if any(path is None for path in files.values()):
        for raw in missing:
            said = f"retain check: no such file or folder: {raw}"
            err(said if library is None or _a_path(raw) else _missing(raw, library))
        return None
    for raw, path in files.items():
        err(f"retain check: {raw} is a deck: checking its file {path}")
    return [str(files[raw]) if raw in files else raw for raw in paths]


def _not_a_deck(path: Path) -> Problem | None:
    """A file named on the command line that `retain import` reads rather than `check`."""
    what = _IMPORTED.get(path.suffix.lower())
    if what is None or not path.is_file():
        return None
    return Problem(
        str(path),
        1,
        1,
        f"{what}, not a deck file (.toml): see what an import would make of it with "
        f"`retain import {_quoted(path)} --dry-run`",
    )


def run(args: argparse.Namespace) -> int:
    paths = _named_decks(args.paths)
    if paths is None:
        return 2
    args.paths = paths
    from retain.store.decks.editlock import DeckLockTimeout

    with gc_paused():  # every deck's cards and problems live to the end: collections only cost time
        try:
            return _check(args)
        except DeckLockTimeout as exc:
            err(f"retain check: {exc}")
            return 1


def _check(args: argparse.Namespace) -> int:
    not_decks = [p for p in (_not_a_deck(Path(raw)) for raw in args.paths) if p is not None]
    paths = [raw for raw in args.paths if _not_a_deck(Path(raw)) is None]
    if not_decks:
        out_lines(not_decks)
        if not paths:  # (not the library: only files that are no decks were named)
            err(f"{len(not_decks)} file(s) named are not deck files")
            return 1
    with TerminalStatus("checking the decks"):  # seconds on a big library: a spinner on a terminal
        entries, passed_over = _entries(paths)
        # --fix mends every file, not just the first; a file with nothing missing is left untouched.
        if args.fix and _fix_all(entries):
            entries, passed_over = _entries(paths)
        decks = [e.deck for e in entries if e.deck is not None]
        extra = placed(
            [p for e in entries if e.deck is not None for p in lint_deck(e.deck)] + lint_library(decks)
        )
        extra += [
            p
            for e in entries
            if e.deck is not None
            for p in file_media_problems(e.deck, left_out=e.left_out > 0)
        ]
        extra += _orphans(entries)
        damaged = _sidecars(entries)  # (no deck file's problem: after the files' lines)
    by_path: dict[str, list[Problem]] = {}
    for p in extra + passed_over:
        by_path.setdefault(p.path, []).append(p)
    skipped = {p.path for p in passed_over}  # files the library does not load: never "ok"
    errors = warnings = clean = 0  # clean: files that load with no error (a bad card is one)
    for entry in entries:
        mine = sorted(entry.problems + by_path.pop(str(entry.path), []), key=attrgetter("line", "col"))
        out_lines(mine)
        found = sum(1 for p in mine if p.severity == "error")
        errors += found
        warnings += len(mine) - found
        clean += entry.deck is not None and not found and str(entry.path) not in skipped
    alone = [p for p in passed_over if p.path in by_path]  # (hidden files under a folder: no entry)
    alone += damaged
    out_lines(alone)
    warnings += len(alone)
    if not args.paths:
        for warning in _config_warnings(entries):
            out(warning)
            warnings += 1
    if not entries:
        err("no deck files found")
    summary = f"{len(entries)} deck file(s): {clean} ok, {errors} error(s), {warnings} warning(s)"
    if not_loaded := sum(1 for e in entries if str(e.path) in skipped):
        summary += f"; {not_loaded} not loaded by the library (see the warning)"
    if not_decks:
        summary += f"; {len(not_decks)} file(s) named are not deck files"
    err(summary)
    return 1 if errors or not_decks else 0
