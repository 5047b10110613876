"""Export a deck or a whole group: one file holding them all (.apkg keeps the `Group::Deck`
hierarchy), or a folder with one `.toml` file per deck.

    jobs = plan_export(decks_in_group(library.decks, "Distributed Systems"), "out/")
    written = run_export(jobs, now=now, progress_of=lambda ids: collection_decks_progress(coll, ids, now))

A target that is an existing folder, ends in `/`, or has no extension is a folder.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from retain.core.clock import DEFAULT_ROLLOVER_HOUR
from retain.core.model import Deck, decks_in_group, group_names
from retain.core.settings import StudySettings
from retain.core.state import CardState
from retain.interop.bundle import DeckReviews, Review
from retain.interop.errors import InteropError
from retain.interop.exporter import EXPORT_SUFFIXES, export_decks, export_paths
from retain.interop.history import sidecar_path
from retain.interop.progress import ProgressFn, no_progress
from retain.interop.typed_path import typed_path
from retain.store.decks.library import DeckEntry, Origin, read_by_library, walk_decks
from retain.store.paths import same_file

__all__ = [
    "PROGRESS_SUFFIXES",
    "ExportJob",
    "bare_name_refused",
    "decks_in_group",
    "group_names",
    "is_folder_target",
    "job_paths",
    "plan_export",
    "progress_refused",
    "run_export",
    "second_deck_refused",
]


@dataclass(frozen=True, slots=True)
class ExportJob:
    """One output file and the decks it holds."""

    decks: tuple[Deck, ...]
    out: Path


def is_folder_target(out: Path | str) -> bool:
    """An existing folder, or a path ending in `/`: one `ID.toml` per deck goes there."""
    text = str(out)
    if text.endswith(("/", os.sep)):
        return True
    try:
        return typed_path(text).is_dir()
    except InteropError:  # a `~user` with no home: no folder (`plan_export` says why)
        return False


def bare_name_refused(output: str) -> str:
    """Why `output` is refused ('' when it is not): a name with no extension that is no folder
    (`-o kafka`) names no format; it was quietly made a folder holding kafka.toml."""
    if Path(output).suffix or is_folder_target(output):
        return ""
    stem = output.rstrip(".") or output
    others = ", ".join(s for s in EXPORT_SUFFIXES if s != ".toml")
    return (
        f"{output} has no extension; write {stem}.toml (or {others}) for a file, "
        f"or {stem}/ for a folder of .toml files"
    )


PROGRESS_SUFFIXES = (".toml", ".apkg")  # the formats that carry progress (and a folder of .toml files)


def progress_refused(output: str) -> str:
    """Why progress cannot go to `output` ('' when it can): text and Markdown files carry no
    progress, and saying "and 2 review(s)" for them would lose a user's history."""
    suffix = Path(output).suffix.lower()
    if is_folder_target(output) or suffix in PROGRESS_SUFFIXES or suffix not in EXPORT_SUFFIXES:
        return ""  # an unknown extension is refused by the export itself, with the formats it knows
    return (
        f"--with-progress needs a .toml or .apkg file (or a folder of .toml files); "
        f"a {suffix} file cannot carry progress: export without it, or to one of those"
    )


def plan_export(decks: Sequence[Deck], out: str) -> list[ExportJob]:
    """A folder gets `ID.toml` per deck; a file gets every deck (a .toml or .md file holds one).

    `out` is the target as typed: only text keeps a trailing `/` (a folder).
    """
    if not decks:
        raise InteropError("nothing to export: no decks")
    if why := bare_name_refused(out):
        raise InteropError(why)
    if is_folder_target(out):
        folder = typed_path(out)
        return [ExportJob((d,), folder / f"{d.id}.toml") for d in decks]
    target = typed_path(out)
    suffix = target.suffix.lower()
    if suffix in (".toml", ".md") and len(decks) > 1:
        raise InteropError(
            f"a {suffix} file holds one deck; export the {len(decks)} decks to a folder "
            f"(a path ending in /) or to one .apkg"
        )
    return [ExportJob(tuple(decks), target)]


def job_paths(jobs: Sequence[ExportJob], *, with_progress: bool) -> list[Path]:
    """Every file the jobs would write (to ask before replacing any of them): media files beside a
    `.toml` or `.md` export count when they are there with other bytes."""
    return [
        p
        for job in jobs
        for p in export_paths(
            job.out, with_progress=with_progress, decks=job.decks, decks_dir=_decks_dir(job)
        )
    ]


def _decks_dir(job: ExportJob) -> Path | None:
    """The folder the job's (first) deck was read from, where its media folder is."""
    first = job.decks[0]
    return Path(first.path).parent if first.path else None


ProgressOf = Callable[[list[str]], tuple[dict[str, CardState], Sequence[Review] | DeckReviews]]


def run_export(
    jobs: Sequence[ExportJob],
    *,
    now: datetime,
    progress_of: ProgressOf | None = None,
    progress: ProgressFn = no_progress,
    warnings: list[str] | None = None,
    settings_of: Callable[[str], StudySettings] | None = None,
    rollover_hour: int = DEFAULT_ROLLOVER_HOUR,
) -> list[Path]:
    """Write each job; with `progress_of` (export with progress) each job's states and review
    history are read for its decks just before it is written, so a folder of many decks holds
    one deck's history in memory at a time. Missing media files add lines to `warnings`;
    `settings_of` gives a deck's learning steps (see `export_decks`)."""
    written: list[Path] = []
    for job in jobs:
        states, reviews = progress_of([d.id for d in job.decks]) if progress_of is not None else (None, None)
        written += export_decks(
            job.decks,
            job.out,
            now=now,
            decks_dir=_decks_dir(job),
            states=states,
            reviews=reviews,
            progress=progress,
            warnings=warnings,
            settings_of=settings_of,
            rollover_hour=rollover_hour,
        )
        del states, reviews
        if progress_of is None and warnings is not None:
            warnings += _stale_sidecar(job.out)
    return written


def _stale_sidecar(out: Path) -> list[str]:
    """The line for a `.toml` exported without progress beside an earlier export's sidecar: an
    import `--with-history` of the file (or whoever it is shared with) would read that history."""
    side = Path(sidecar_path(str(out)))
    if out.suffix.lower() != ".toml" or not side.is_file():
        return []
    return [
        f"{side.name} beside it holds an earlier export's review history, not this export's: "
        "an import --with-history of the file reads it; delete it before sharing the folder, or "
        "export --with-progress to replace it"
    ]


def second_deck_refused(
    jobs: Sequence[ExportJob], entries: Sequence[DeckEntry], folders: Sequence[tuple[Path, Origin]]
) -> str | None:
    """Why a job would write a second deck file of a deck the library reads from a file of the
    user's, into a folder the library reads (`folders`, hidden sub-folders aside): retain would
    read only one of them, and the other's edits would be lost. None when no job would.

    A bundled deck's copy is the user's own copy of it, which replaces it, as documented; the
    deck's own file (`--force`) is no second deck.
    """
    read_from = {key for f, origin in folders if origin != "bundled" for key in walk_decks(f).folders}
    owners = {e.deck.id: e.path for e in entries if e.deck is not None and e.origin != "bundled"}
    for job in jobs:
        if job.out.suffix.lower() != ".toml":
            continue
        read = read_by_library(job.out, read_from)  # (a folder linked into a deck folder too)
        for deck in job.decks if read else ():
            own = owners.get(deck.id)
            # (`job.out` a link loop: it is no deck file, and the export would put one there)
            if own is not None and not same_file(own, job.out):
                return (
                    f"{job.out} is in a deck folder, where it would be a second deck {deck.id!r} "
                    f"beside {own} (retain reads one deck per id); export it to another folder"
                )
    return None
