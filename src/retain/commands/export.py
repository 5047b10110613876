"""`retain export DECK_ID|GROUP -o FILE|DIR/ [--with-progress] [--force]`: the format comes from FILE's extension.

A group (its name as the home screen shows it) exports every deck in it: one
`.apkg` (or .csv/.tsv/.txt) holding them all, with the `Group::Deck` hierarchy,
or a folder (`-o DIR/`) with one `.toml` file per deck. An existing file is
replaced only with `--force`. A bad `-o` (no extension, a type export does not write, a
.toml file for a group, a type that holds no progress with `--with-progress`) is a usage
error (exit 2), said before any file is looked at, so it never asks for `--force` first.
"""

from __future__ import annotations

import argparse
from datetime import UTC, datetime

from retain.commands.deckref import unknown_deck_line
from retain.commands.output import err, out, report
from retain.core.model import Deck, decks_in_group, decks_named, group_label, group_title
from retain.core.state import CardState
from retain.interop.errors import InteropError
from retain.interop.exporter import EXPORT_SUFFIXES, unknown_type_refused
from retain.interop.group_export import (
    bare_name_refused,
    group_names,
    is_folder_target,
    job_paths,
    plan_export,
    progress_refused,
    run_export,
    second_deck_refused,
)
from retain.interop.importer import count_line
from retain.interop.progress import TerminalProgress, TerminalStatus
from retain.interop.progress_io import progress_reader
from retain.interop.progress_moves import DecksHistory
from retain.store.home import library_folders, open_home

__all__ = ["add_arguments", "run"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "deck_id",
        metavar="DECK|GROUP",
        help="the deck to export, or a group to export all its decks (see `retain due`)",
    )
    parser.add_argument(
        "-o",
        "--output",
        required=True,
        metavar="FILE|DIR/",
        help=f"output file ({' '.join(EXPORT_SUFFIXES)}), or a folder for one .toml file per deck",
    )
    parser.add_argument(
        "--with-progress",
        action="store_true",
        help="include your review history (.toml: a NAME.progress.toml sidecar; .apkg: scheduling and review log; "
        "a folder: both per deck; not .csv/.tsv/.txt/.md)",
    )
    parser.add_argument("-f", "--force", action="store_true", help="replace files that already exist")


def _decks(library_decks: list[Deck], target: str) -> list[Deck] | None:
    return decks_named(library_decks, target) or None


def _matched(decks: list[Deck], target: str) -> str:
    """What `target` matched, for the summary of several decks: `of 'French'` (a group's decks,
    the group as the deck list shows it), else `named 'Basics'` (decks sharing a name, in other
    groups or none: a group of theirs is not what was asked for). `decks_named` tries a group
    before a name."""
    if decks_in_group(decks, target):
        return f"of {group_title(decks, target)!r}"
    return f"named {group_label(decks[0].name or target)!r}"


def _usage_refused(output: str, *, with_progress: bool) -> str:
    """Why `-o output` is a bad value ('' when it is not), said before any deck is read or any
    file looked at: `-o data.json` asked for `--force` when data.json was there, then failed
    on the type anyway. No extension, a type export does not write, progress to a type that
    cannot hold it."""
    if why := bare_name_refused(output):
        return why
    if why := unknown_type_refused(output, folder=is_folder_target(output)):
        return why  # (the export dialog's words too)
    return progress_refused(output) if with_progress else ""


def run(args: argparse.Namespace) -> int:
    from retain.store.config import ConfigError
    from retain.store.paths import user_path

    try:
        user_path(args.output, "-o")  # `~nobody/x.toml`: one line here, not a traceback further on
    except ConfigError as exc:
        err(f"retain: export: {exc}")
        return 2
    if why := _usage_refused(args.output, with_progress=args.with_progress):
        err(f"retain: export: {why}")
        return 2
    home = open_home()
    with TerminalStatus("reading the decks"):
        library = home.library(cards=False)  # which decks and groups there are: cards only for the exported
    decks = _decks(list(library.decks), args.deck_id)
    if decks is not None:
        with TerminalStatus("reading the decks"):
            decks = home.with_cards(library, [d.id for d in decks])
    if not decks:
        groups = "; groups: " + ", ".join(repr(g) for g in group_names(list(library.decks))[:6])
        err(f"retain: {unknown_deck_line(library, args.deck_id, groups if library.decks else '')}")
        return 2  # a wrong argument, as for `stats --deck`, `review` and `optimize`
    try:
        jobs = plan_export(decks, args.output)
    except InteropError as exc:  # (a .toml or .md file for several decks: a bad -o for these decks)
        err(f"retain: export: {exc}")
        return 2
    if twice := second_deck_refused(jobs, library.entries, library_folders(home.paths, home.config)):
        err(f"retain: export refused: {twice}; nothing was written")
        return 1
    try:
        paths = job_paths(jobs, with_progress=args.with_progress)
    except InteropError as exc:  # (a media link beside the output: refused before "already exists")
        err(f"retain: export failed: {exc}")
        return 1
    existing = [p for p in paths if p.exists() or p.is_symlink()]
    if existing and not args.force:
        more = f" (and {len(existing) - 1} more)" if len(existing) > 1 else ""
        err(f"retain: {existing[0]} already exists{more}; add --force to replace it")
        return 1
    now = datetime.now(UTC)
    bar = TerminalProgress()
    settings_of = home.config.for_deck  # a deck's learning steps, for an .apkg's scheduling
    try:
        said: list[str] = []  # the store's warnings, and media files the cards name but that are missing
        histories: list[DecksHistory] = []  # each file's (its ratings counted as it is written)
        if args.with_progress:
            with progress_reader(home, now, said) as read:

                def progress_of(ids: list[str]) -> tuple[dict[str, CardState], DecksHistory]:
                    states, history = read(ids)
                    history.reading = lambda: TerminalStatus("reading your review history")
                    histories.append(history)
                    return states, history

                written = run_export(
                    jobs,
                    now=now,
                    progress_of=progress_of,
                    progress=bar,
                    warnings=said,
                    settings_of=settings_of,
                    rollover_hour=home.config.rollover_hour,
                )
        else:
            written = run_export(
                jobs,
                now=now,
                progress=bar,
                warnings=said,
                settings_of=settings_of,
                rollover_hour=home.config.rollover_hour,
            )
        bar.finish()
        for message in said:
            err(f"retain: warning: {message}")
    except InteropError as exc:
        bar.finish()
        err(f"retain: export failed: {exc}")
        return 1
    except OSError as exc:
        bar.finish()
        name = jobs[0].out if len(jobs) == 1 else (exc.filename or args.output)
        from retain.store.oserror import os_error_text

        err(f"retain: export failed: cannot write {name}: {os_error_text(exc, name=False)}")
        return 1
    bar.finish()
    extra = f" and {sum(h.ratings for h in histories)} review(s)" if args.with_progress else ""
    where = ", ".join(map(str, written))
    if len(decks) == 1:
        report(f"exported deck {decks[0].id} ({count_line(decks[0])}{extra}) to {where}")
    else:
        every = Deck(id="all", name="", cards=tuple(c for d in decks for c in d.cards))
        report(f"exported {len(decks)} decks {_matched(decks, args.deck_id)} ({count_line(every)}{extra}):")
        for path in written:
            out(f"  {path}")
    return 0
