"""`retain export DECK_ID -o FILE [--with-progress] [--force]`: the format comes from FILE's extension.

An existing file is replaced only with `--force`.
"""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
from pathlib import Path

from retain.commands.output import err, out
from retain.interop.errors import InteropError
from retain.interop.exporter import EXPORT_SUFFIXES, export_decks, export_paths
from retain.interop.importer import count_line
from retain.interop.progress import TerminalProgress
from retain.interop.progress_io import deck_progress
from retain.store.home import open_home

__all__ = ["add_arguments", "run"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("deck_id", metavar="DECK_ID", help="the deck to export (see `retain due`)")
    parser.add_argument(
        "-o", "--output", required=True, metavar="FILE", help=f"output file: {' '.join(EXPORT_SUFFIXES)}"
    )
    parser.add_argument(
        "--with-progress",
        action="store_true",
        help="include your review history (.toml: a NAME.progress.toml sidecar; .apkg: scheduling and review log)",
    )
    parser.add_argument("-f", "--force", action="store_true", help="replace files that already exist")


def run(args: argparse.Namespace) -> int:
    home = open_home()
    library = home.library()
    deck = library.get(args.deck_id)
    if deck is None:
        known = ", ".join(sorted(d.id for d in library.decks)[:12])
        err(f"retain: no deck {args.deck_id!r}; decks: {known}")
        return 1
    target = Path(args.output)
    existing = [p for p in export_paths(target, with_progress=args.with_progress) if p.exists()]
    if existing and not args.force:
        err(f"retain: {existing[0]} already exists; add --force to replace it")
        return 1
    now = datetime.now(UTC)
    bar = TerminalProgress()
    try:
        states, reviews = deck_progress(home, deck.id, now) if args.with_progress else (None, None)
        written = export_decks(
            [deck],
            target,
            now=now,
            decks_dir=Path(deck.path).parent if deck.path else None,
            states=states,
            reviews=reviews,
            progress=bar,
        )
    except InteropError as exc:
        bar.finish()
        err(f"retain: export failed: {exc}")
        return 1
    except OSError as exc:
        bar.finish()
        err(f"retain: export failed: cannot write {target}: {exc.strerror or exc}")
        return 1
    bar.finish()
    extra = f" and {len(reviews)} review(s)" if reviews is not None else ""
    out(f"exported deck {deck.id} ({count_line(deck)}{extra}) to {', '.join(map(str, written))}")
    return 0
