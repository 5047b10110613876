"""`retain import FILE|DIR [--dry-run] [--with-history] [--force]`: .toml .apkg .csv .tsv .txt .md.

A folder imports every deck file directly in it, one after the other, and ends
with a summary; a file that is refused is named there and the others still go in.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from retain.commands.output import OutputError, err, out, report
from retain.core.gcpause import gc_paused
from retain.interop import import_memo
from retain.interop.bundle import Review, review_keys
from retain.interop.errors import InteropError
from retain.interop.folder_import import deck_files, import_summary, linked_files, links_line
from retain.interop.importer import (
    IMPORT_SUFFIXES,
    ImportPlan,
    apply_import,
    count_line,
    let_go,
    plan_import,
    read_file,
    sidecar_texts,
    stopped_line,
)
from retain.interop.limits import DEFAULT_LIMITS
from retain.interop.lost_progress import note_lost_progress_from_store
from retain.interop.progress import TerminalProgress, TerminalStatus
from retain.store.decks.library import DeckEntry, Library
from retain.store.home import Home, open_home
from retain.store.move_intent import MOVED_BY_IMPORT, begin_moves

if TYPE_CHECKING:
    from retain.interop.history_writer import HistoryWriter
    from retain.interop.progress_io import HistoryImport

__all__ = ["add_arguments", "run"]

_MAX_WARNINGS = 10


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "file",
        metavar="FILE|DIR",
        help=f"file to import ({' '.join(IMPORT_SUFFIXES)}), or a folder: every such file in it",
    )
    parser.add_argument("--dry-run", action="store_true", help="show what would change; write nothing")
    parser.add_argument(
        "--with-history",
        action="store_true",
        help="also import review history (Anki's review log, or a NAME.progress.toml sidecar)",
    )
    parser.add_argument("--force", action="store_true", help="allow replacing a deck with an older version")


def _print_warnings(warnings: list[str], prefix: str = "") -> None:
    for w in warnings[:_MAX_WARNINGS]:
        err(f"warning: {prefix}{w}")
    if len(warnings) > _MAX_WARNINGS:
        err(f"warning: {prefix}... and {len(warnings) - _MAX_WARNINGS} more")


@dataclass(slots=True)
class _Done:
    decks: tuple[str, ...] = ()  # the ids of the decks the file wrote (a dry run: would write)
    error: str = ""


@dataclass(slots=True)
class _Earlier:
    """What a folder's dry run's files so far would have written, as a real run leaves it for the
    next file: their deck files (by path: the latest file's, each in place of the one there), their
    `DECK.anki.json` texts, and the media files they would store."""

    decks: dict[Path, DeckEntry] = field(default_factory=dict)
    sidecars: dict[Path, str] = field(default_factory=dict)
    media: set[Path] = field(default_factory=set)
    events: set[tuple[str, int]] = field(default_factory=set)  # history recorded: (unit key, µs)
    config: str | None = None  # config.toml as their deck options would leave it (None: as it is)

    def library(self, library: Library) -> Library:
        """`library` as these files would leave it: a deck file they write is theirs, once (a
        second entry of one deck made a card moved there look as if it were in two decks)."""
        if not self.decks:
            return library
        rest = [e for e in library.entries if e.path not in self.decks]
        return Library([*self.decks.values(), *rest], library.files, library.hidden)

    def add(self, plan: ImportPlan) -> None:
        for p in plan.decks:
            self.decks.pop(p.target, None)  # (the latest first: `Library.entry` takes the first)
        self.decks = {
            p.target: DeckEntry(p.target, "user", p.written or p.deck) for p in plan.decks
        } | self.decks
        self.sidecars.update(sidecar_texts(plan))


_READ_ONLY_REFUSAL = (
    "import refused: another retain is writing the progress (close it, or import from its import "
    "dialog: i); nothing was written"
)


def _import_one(
    home: Home,
    path: Path,
    args: argparse.Namespace,
    bar: TerminalProgress,
    writer: HistoryWriter | None,
    prefix: str = "",
    earlier: _Earlier | None = None,
) -> _Done:
    """Read, plan and (unless --dry-run) apply one file; prints what it does. Errors are returned.
    The changes to the decks are printed once their files are written (a refusal before that, the
    writer lock held or a deck edited meanwhile, wrote nothing and lists no change); a dry run
    prints them as its plan.
    `writer` (with `--with-history`) records the history, the same for every file of a run.
    `earlier`: what a dry run's files before this one would have written (`_Earlier`): this file
    is planned against the library as they would leave it, and its own are added."""
    decks_dir = home.paths.decks_dir
    options = import_memo.Options(with_history=args.with_history, force=args.force)
    package = ""
    if not args.dry_run:
        with contextlib.suppress(OSError):
            if path.is_file() and path.stat().st_size <= DEFAULT_LIMITS.max_file_bytes:  # not a FIFO
                package = import_memo.digest(path)
        again = import_memo.replay(home, package, options) if package else None
        if again is not None:  # imported before, and nothing it depends on changed since
            _print_warnings(again.warnings, prefix)
            for line in again.lines:
                out(f"{prefix}{line}")
            return _Done(tuple(_imported_ids(again.lines)))
    try:
        if (
            writer is not None
            and args.with_history
            and path.suffix.lower() == ".apkg"  # (a .toml's sidecar is found once it is read)
            and writer.collection(datetime.now(UTC)).read_only
        ):  # (said at once, not after reading the whole package: the same refusal as below)
            return _Done(error=_READ_ONLY_REFUSAL)
        with tempfile.TemporaryDirectory(prefix="retain-import-") as stage:
            counted = path.suffix.lower() not in (".toml", ".md")  # .apkg and Anki text draw a bar
            with contextlib.nullcontext() if counted else TerminalStatus(f"reading {path.name}"):
                bundle = read_file(
                    path,
                    Path(stage),
                    with_history=args.with_history,
                    progress=bar,
                    rollover_hour=home.config.rollover_hour,
                )
            bar.finish()
            _print_warnings(bundle.warnings, prefix)  # before a refusal too: rows all skipped say why
            said = len(bundle.warnings)
            with TerminalStatus("comparing with your decks"):
                library = home.library()
                simulated = None
                if earlier is not None:
                    library, simulated = earlier.library(library), earlier.sidecars
                plan = plan_import(bundle, library, decks_dir, force=args.force, simulated=simulated)
            _print_warnings(bundle.warnings[said:], prefix)  # what planning found (a sidecar unread)
            note_lost_progress_from_store(plan, home)  # (the studied units it leaves out: named)
            changes = [f"{prefix}{line}" for planned in plan.decks for line in planned.lines()]
            if args.dry_run:  # a plan by design: its lines say what a real run would change
                for change in changes:
                    out(change)
                folder = earlier if earlier is not None else _Earlier()
                _dry_run_lines(home, plan, bundle.reviews if args.with_history else None, prefix, folder)
                if args.with_history:
                    _settings_lines(home, plan, prefix, dry_run=True, earlier=earlier)
                if earlier is not None:
                    earlier.add(plan)
                return _Done(tuple(p.deck.id for p in plan.decks))
            if (
                writer is not None
                and ((args.with_history and bundle.reviews) or plan.moves)
                and writer.collection(datetime.now(UTC)).read_only
            ):
                # (before a deck is written: the decks without their history, studied in the open
                # TUI, would keep that progress over the history imported later; a card moved to
                # another deck would come back new)
                return _Done(error=_READ_ONLY_REFUSAL)
            began = False
            try:
                if writer is not None and plan.moves:  # (a kill before the journal holds the
                    now = datetime.now(UTC)  # moves: the next start finishes them, `move_intent`)
                    begin_moves(writer.collection(now), plan.moves, now, MOVED_BY_IMPORT)
                    began = True
                media = apply_import(plan, decks_dir, bar, home.paths.cache_dir)
            except KeyboardInterrupt:  # Ctrl-C, SIGTERM, SIGHUP: which decks went in, from the disk
                bar.finish()
                err(f"retain: {prefix}import stopped: {stopped_line(plan)}")
                raise
            except (InteropError, OSError):  # not a kill: the moves are settled now, not at a start
                if began and writer is not None:
                    bar.finish()
                    _settle_moves(writer, prefix)
                raise
            bar.finish()
            for change in changes:  # (only now: a refusal before the decks were written lists none)
                report(change)
            try:
                told: list[str] = []  # (the settings line, when the package's options went in)
                history = _after_decks(
                    home, path, package, options, plan, bundle.reviews, args, writer, bar, prefix, told
                )
            except KeyboardInterrupt:  # the decks are in: say so, and what was not done
                bar.finish()
                ids = ", ".join(p.deck.id for p in plan.decks[:3]) + ("…" if len(plan.decks) > 3 else "")
                not_done = (
                    ", their review history was not recorded: import again with --with-history to add it"
                    if writer is not None and args.with_history and bundle.reviews
                    else ""
                )
                err(f"retain: {prefix}import stopped: the decks are imported ({ids}){not_done}")
                raise
            if isinstance(history, str):  # the decks went in; the history was taken back whole
                return _Done(
                    error=f"import failed: the review history was not recorded ({history}); the decks "
                    "are imported: import again with --with-history to add their history"
                )
            settings = told[0] if told else ""
    except InteropError as exc:
        bar.finish()
        return _Done(error=f"import refused: {exc}")
    except OutputError:  # the report is lost (`> /dev/full`): no file of a folder goes on past it
        raise
    except OSError as exc:
        bar.finish()
        from retain.store.oserror import os_error_text

        return _Done(error=f"import failed: {os_error_text(exc)}")
    for planned in plan.decks:
        out(f"{prefix}imported deck {planned.deck.id}: {count_line(planned.deck)} -> {planned.target}")
    if media:
        out(f"{prefix}stored {media} media file(s)")
    if args.with_history:
        recorded, kept, note = (history.recorded, history.kept, history.note()) if history else (0, 0, "")
        kept_note = f"; {kept} card(s) already had progress here and kept it" if kept else ""
        out(f"{prefix}recorded {recorded} event(s) of review history{note}{kept_note}")
    if settings:
        out(f"{prefix}{settings}")
    return _Done(tuple(p.deck.id for p in plan.decks))


def _settle_moves(writer: HistoryWriter, prefix: str) -> None:
    """An import that failed after recording the intent of its card moves (a deck file it could
    not write): the moves are finished or taken back now, as the next start would (`finish_moves`,
    by the decks written), in the import's words, and no record is left for a start to call a
    move "cut short"; one line when anything moved. A failure here leaves the record to it."""
    from retain.store.move_intent import finish_moves
    from retain.store.state.writer import CollectionError

    now = datetime.now(UTC)
    try:
        col = writer.collection(now)
        col.reload_library()  # (the decks as the import left them: its keys judge the move)
        said = finish_moves(col, now, failed=f"{prefix}the import failed")
    except (CollectionError, OSError):
        return
    if said:
        err(f"retain: {said}")


def _imported_ids(lines: list[str]) -> list[str]:
    """The deck ids of a replayed import's `imported deck ID: ...` lines."""
    head = "imported deck "
    return [line.removeprefix(head).partition(":")[0] for line in lines if line.startswith(head)]


def _settings_lines(
    home: Home, plan: ImportPlan, prefix: str, *, dry_run: bool = False, earlier: _Earlier | None = None
) -> str | None:
    """With the learner's history, the package's deck options go into config.toml
    (`deck_options_apply`): the line saying what is set (a dry run prints its `would set` line
    and writes nothing, `earlier`: what a folder's earlier files would have set); a warning line
    when config.toml cannot take them, and None (the next import of the package must try again:
    no memo)."""
    if not plan.bundle.has_settings:
        return ""
    from retain.interop.deck_options_apply import plan_settings, save_settings

    path = home.paths.config_file
    if dry_run:
        change = plan_settings(plan, path, earlier.config if earlier is not None else None)
        if change.problem:
            err(f"warning: {prefix}settings would not be written: {change.problem}")
        elif said := change.line(dry_run=True):
            out(f"{prefix}{said}")
        if earlier is not None and change.edit is not None:
            earlier.config = change.edit.text()
        return ""
    saved = save_settings(plan, path)
    if saved.warning:
        err(f"warning: {prefix}{saved.warning}")
        return None
    return saved.line


def _after_decks(
    home: Home,
    path: Path,
    package: str,
    options: import_memo.Options,
    plan: ImportPlan,
    reviews: Sequence[Review],
    args: argparse.Namespace,
    writer: HistoryWriter | None,
    bar: TerminalProgress,
    prefix: str,
    told: list[str],
) -> HistoryImport | str | None:
    """What follows the deck files: the history recorded (or why not, the store's one line), the
    package's Anki options in config.toml (its line put in `told`), and the memo that answers the
    same import again (config.toml one of its inputs then)."""
    history: HistoryImport | str | None = None
    memo = None
    if package and not any(p.unread for p in plan.decks):  # (an unread sidecar: its lines told of it)
        keys = sorted(review_keys(reviews)) if args.with_history else []
        with contextlib.suppress(OSError, ValueError):  # only an accelerator
            memo = import_memo.prepare(home, options, plan, keys, path)
    let_go(plan)  # what only planning needed: less memory while the history is recorded
    if writer is not None and args.with_history and reviews:  # it lets each review go once recorded
        history = _record(writer, reviews, bar, prefix)
        if isinstance(history, str):
            return history
    if writer is not None and plan.moves:  # after the history: what it added moves too
        _move(writer, plan.moves, prefix)
    also: list[Path] = []
    if args.with_history and plan.bundle.has_settings:
        settings = _settings_lines(home, plan, prefix)
        if settings is None:
            memo = None  # not written: a replay would never write them
        told.append(settings or "")
        also.append(home.paths.config_file)
    if package and memo is not None:
        with contextlib.suppress(OSError, ValueError):
            import_memo.save(home, package, memo, also)
    return history


def _record(
    writer: HistoryWriter, reviews: Sequence[Review], bar: TerminalProgress, prefix: str
) -> HistoryImport | str:
    """Record the package's review history, letting each review go once recorded; what was
    recorded, or why nothing was (the store's one line: the history is taken back whole)."""
    # (imported here: the progress store's modules are only needed for an import with history)
    from retain.interop.progress_io import collection_record_history
    from retain.store.collection import CollectionError

    now = datetime.now(UTC)
    try:
        history = collection_record_history(
            writer.collection(now),
            reviews,
            now,
            lambda _stage, done, total: bar("review history", done, total),
            consume=True,
        )
    except (InteropError, CollectionError) as exc:  # the decks are in: say so, as for a failed write
        bar.finish()
        writer.failed = True
        return str(exc)
    bar.finish()
    return history


def _move(writer: HistoryWriter, moves: dict[str, str], prefix: str) -> None:
    """Carry the progress of the cards the import moved from one of its decks to another (as
    the browser's `m` does), after their history; a warning line when it could not."""
    from retain.interop.progress_io import record_moves

    now = datetime.now(UTC)
    try:
        record_moves(writer.collection(now), moves, now)
    except InteropError as exc:  # (the decks are in; the progress stays under the old keys)
        err(f"warning: {prefix}the progress of the cards moved to another deck was not carried: {exc}")


def _dry_run_lines(
    home: Home, plan: ImportPlan, reviews: Sequence[Review] | None, prefix: str, earlier: _Earlier
) -> None:
    """What a real run would print after its deck lines: the media it would store and, with
    `--with-history` (`reviews` not None), the review history it would record; less what a
    folder's earlier files would have stored and recorded (`earlier`: this plan's are added)."""
    from retain.interop.dry_run import history_line, media_to_store, would_record  # (only a dry run's)

    media = media_to_store(plan) - _stored_before(plan, earlier.media)
    if media:
        out(f"{prefix}would store {media} media file(s)")
    if reviews is None:
        return
    try:
        with TerminalStatus("comparing the review history with yours"):
            history = would_record(home, reviews, datetime.now(UTC), earlier.events)
    except InteropError as exc:  # the real run would fail the same way, after the decks went in
        err(f"warning: {prefix}the review history cannot be compared with yours: {exc}")
        return
    out(f"{prefix}{history_line(history)}")


def _stored_before(plan: ImportPlan, stored: set[Path]) -> int:
    """How many of the media files `media_to_store` counts for the plan are in `stored` (a folder's
    earlier files would have stored them: the real run finds them there); the plan's are added."""
    from retain.interop.media import media_dir

    paths = {media_dir(p.target.parent, p.deck.id) / name for p in plan.decks for name in plan.media_names(p)}
    before = len(paths & stored)
    stored |= {path for path in paths if not path.exists()}
    return before


def _missing(home: Home, given: str) -> str:
    """What to say for a FILE that does not exist: `retain import kafka` (a deck id) said only
    "no such file"; a deck id or a deck file beside it under another extension is named."""
    path = Path(given)
    beside = sorted(p.name for s in IMPORT_SUFFIXES if (p := path.with_name(path.name + s)).is_file())
    if path.suffix == "" and beside:
        return f"import refused: {given}: no such file; did you mean {' or '.join(beside)}?"
    if "/" not in given and os.sep not in given and home.library(cards=False).get(given) is not None:
        return (
            f"import refused: {given}: no such file; deck {given} is already in your library "
            f"(import reads a deck file or folder: {' '.join(IMPORT_SUFFIXES)}; "
            f"`retain export {given} -o {given}.toml` writes one)"
        )
    if "/" not in given and os.sep not in given:
        from retain.commands.deckref import broken_deck_line

        broken = broken_deck_line(home.library(cards=False).broken, given)
        if broken is not None:
            return f"import refused: {given}: no such file; {broken}"
    return f"import refused: {given}: no such file"


def run(args: argparse.Namespace) -> int:
    home = open_home()
    path = Path(args.file)
    bar = TerminalProgress()
    if not path.exists() and not path.is_symlink():
        err(f"retain: {_missing(home, args.file)}")
        return 1
    writer = None
    if not args.dry_run:  # (opened at the first history or card move it records, if any)
        from retain.interop.history_writer import HistoryWriter

        writer = HistoryWriter(home)
    try:
        return _run(home, path, args, bar, writer)
    finally:
        if writer is not None:  # the store's lines (a damaged record set aside), once
            _print_warnings(writer.close(datetime.now(UTC)))


def _run(
    home: Home, path: Path, args: argparse.Namespace, bar: TerminalProgress, writer: HistoryWriter | None
) -> int:
    if not path.is_dir():
        with gc_paused():  # what an import builds lives to its end: a cyclic collection only costs time
            done = _import_one(home, path, args, bar, writer)
        if done.error:
            err(f"retain: {done.error}")
            return 1
        if args.dry_run:
            out("dry run: nothing written")
        return 0
    files = deck_files(path)
    if skipped := links_line(linked_files(path)):
        err(f"retain: warning: {skipped}")
    if not files:
        err(f"retain: import refused: {path}: no deck files here ({' '.join(IMPORT_SUFFIXES)})")
        return 1
    imported = 0
    decks: list[str] = []  # each file's deck ids: a deck two files hold is one deck
    refused: list[str] = []
    earlier = _Earlier()  # what a dry run's files so far would have written
    for file in files:
        with gc_paused():  # (collections run between the files)
            done = _import_one(home, file, args, bar, writer, prefix=f"{file.name}: ", earlier=earlier)
        if done.error:
            err(f"retain: {file.name}: {done.error}")
            refused.append(file.name)
        else:
            imported += 1
            decks += done.decks
    out(import_summary(imported, decks, refused, dry_run=args.dry_run))
    if args.dry_run:
        out("dry run: nothing written")
    return 1 if refused else 0
