"""`retain import FILE [--dry-run] [--with-history] [--force]`: .toml .apkg .csv .tsv .txt .md."""

from __future__ import annotations

import argparse
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from retain.commands.output import err, out
from retain.interop.errors import InteropError
from retain.interop.importer import IMPORT_SUFFIXES, apply_import, count_line, plan_import, read_file
from retain.interop.progress import TerminalProgress
from retain.interop.progress_io import record_history
from retain.store.home import open_home

__all__ = ["add_arguments", "run"]

_MAX_WARNINGS = 10


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", metavar="FILE", help=f"file to import: {' '.join(IMPORT_SUFFIXES)}")
    parser.add_argument("--dry-run", action="store_true", help="show what would change; write nothing")
    parser.add_argument(
        "--with-history",
        action="store_true",
        help="also import review history (Anki's review log, or a NAME.progress.toml sidecar)",
    )
    parser.add_argument("--force", action="store_true", help="allow replacing a deck with an older version")


def _print_warnings(warnings: list[str]) -> None:
    for w in warnings[:_MAX_WARNINGS]:
        err(f"warning: {w}")
    if len(warnings) > _MAX_WARNINGS:
        err(f"warning: ... and {len(warnings) - _MAX_WARNINGS} more")


def run(args: argparse.Namespace) -> int:
    home = open_home()
    path = Path(args.file)
    bar = TerminalProgress()
    decks_dir = home.paths.decks_dir
    try:
        with tempfile.TemporaryDirectory(prefix="retain-import-") as stage:
            bundle = read_file(path, Path(stage), with_history=args.with_history, progress=bar)
            bar.finish()
            plan = plan_import(bundle, home.library(), decks_dir, force=args.force)
            _print_warnings(bundle.warnings)
            for planned in plan.decks:
                for line in planned.lines():
                    out(line)
            if args.dry_run:
                out("dry run: nothing written")
                return 0
            media = apply_import(plan, decks_dir, bar)
            bar.finish()
            recorded = kept = 0
            if args.with_history and bundle.reviews:
                recorded, kept = record_history(home, bundle.reviews, datetime.now(UTC))
    except InteropError as exc:
        bar.finish()
        err(f"retain: import refused: {exc}")
        return 1
    except OSError as exc:
        bar.finish()
        err(f"retain: import failed: {exc.strerror or exc}")
        return 1
    for planned in plan.decks:
        out(f"imported deck {planned.deck.id}: {count_line(planned.deck)} -> {planned.target}")
    if media:
        out(f"stored {media} media file(s)")
    if args.with_history:
        note = f"; {kept} card(s) already had progress here and kept it" if kept else ""
        out(f"recorded {recorded} event(s) of review history{note}")
    return 0
