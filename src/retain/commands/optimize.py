"""`retain optimize [DECK|GROUP|--all]`: fit FSRS weights to your history; `--simulate` the workload.

A deck id or group names the presets its decks use; each preset is fitted on
the history of all of its decks (see `store.fsrs_presets`, `core.fsrsfit`).
New weights are written to `[presets.NAME] parameters` in config.toml only
when they predict the history better (log loss, RMSE) than the current ones.
Then the cards can be rescheduled with them (`--reschedule`, or a question on a
terminal): the 7-day backlog is shown first and the state is backed up.
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, date, datetime

from retain.commands.output import err, out, report
from retain.interop.progress import TerminalProgress
from retain.store.home import open_home

__all__ = ["add_arguments", "run"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "target", nargs="?", metavar="DECK|GROUP", help="the presets of this deck (its id or name) or group"
    )
    parser.add_argument("--all", action="store_true", help="every preset in use")
    parser.add_argument("--since", metavar="DATE", help="ignore reviews before DATE (YYYY-MM-DD)")
    parser.add_argument(
        "--dry-run",
        action="store_true",
        help="fit and report; write nothing (with --reschedule: how many cards it would change)",
    )
    parser.add_argument(
        "--simulate",
        action="store_true",
        help="predicted workload at retention 0.70-0.97 and your own (no fitting; no --since or --reschedule)",
    )
    again = parser.add_mutually_exclusive_group()
    again.add_argument(
        "--reschedule", action="store_true", help="reschedule cards with new weights, no question"
    )
    again.add_argument("--no-reschedule", action="store_true", help="never reschedule")
    again.add_argument(
        "--undo-reschedule",
        action="store_true",
        help="put back the states the last reschedule replaced, in every deck it changed"
        " (no DECK|GROUP, --since or --simulate; with --dry-run: only say how many)",
    )


def _since(text: str | None) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise _Usage(f"--since wants a date like 2025-01-31, got {text!r}") from None


class _Usage(Exception):
    pass


def _refuse_blank(target: str | None) -> None:
    """An empty or blank DECK|GROUP (`retain optimize "$DECK"` with DECK unset) names no deck:
    it is refused, never read as the decks without a group (whose group is empty too)."""
    if target is not None and not target.strip():
        raise _Usage(f"DECK|GROUP is empty ({target!r}): name a deck id or group, or --all")


def _refuse_ignored(args: argparse.Namespace) -> None:
    """A flag the chosen mode cannot honour is refused rather than silently ignored:
    --undo-reschedule puts back the whole last reschedule (a deck, a date or a simulation
    cannot narrow it), and --simulate fits nothing and reschedules nothing (no --since, no
    --reschedule or --no-reschedule)."""
    if args.undo_reschedule:
        mode, flags = (
            "--undo-reschedule",
            (
                ("DECK|GROUP", args.target is not None),
                ("--since", args.since is not None),
                ("--simulate", args.simulate),
            ),
        )
        why = "it undoes every deck"
    elif args.simulate:
        mode, flags = (
            "--simulate",
            (
                ("--since", args.since is not None),
                ("--reschedule", args.reschedule),
                ("--no-reschedule", args.no_reschedule),
            ),
        )
        why = "it fits no weights and reschedules nothing"
    else:
        return
    given = [name for name, on in flags if on]
    if given:
        raise _Usage(f"{mode} cannot be used with {', '.join(given)}; {why}")


def run(args: argparse.Namespace) -> int:
    from retain.store.collection import Collection, CollectionError

    try:
        since = _since(args.since)
        _refuse_blank(args.target)
        _refuse_ignored(args)
        if not args.undo_reschedule and args.all == (args.target is not None):
            raise _Usage("name one deck id or group, or --all")
    except _Usage as exc:
        err(f"retain: optimize: {exc}")
        return 2
    now = datetime.now(UTC)
    home = open_home()
    if not (args.dry_run or args.simulate or args.undo_reschedule):
        from retain.store.config import read_only as config_read_only

        why = config_read_only(home.paths.config_file)  # said before minutes of fitting, not after
        if why:
            err(f"retain: optimize: {why}; nothing was fitted (--dry-run fits without saving)")
            return 1
    bar = TerminalProgress(min_total=0)
    try:
        # no card texts: faster; a dry run or a simulation writes nothing, so needs no writer lock
        read_only = bool(args.dry_run or args.simulate)
        col = Collection.open(home, now, progress=bar, cards=False, history=True, read_only=read_only)
    except CollectionError as exc:
        err(f"retain: {exc}")
        return 2
    try:
        for message in col.messages:
            err(f"retain: warning: {message}")
        if args.reschedule and not args.dry_run and col.read_only:  # before minutes of fitting
            err(
                "retain: optimize: another retain is writing the progress: close it, then run this "
                "again (nothing was fitted or saved; --dry-run fits without the lock)"
            )
            return 1
        if args.undo_reschedule:
            return _undo(col, now, dry_run=args.dry_run)
        from retain.store.fsrs_presets import SelectionError, presets_for

        try:
            presets = presets_for(col, None if args.all else args.target)
        except SelectionError as exc:
            from retain.commands.deckref import broken_deck_line

            said = broken_deck_line(col.library.broken, args.target) if args.target else None
            err(f"retain: optimize: {said or exc}")
            return 2
        if args.simulate:
            from retain.commands.optimize_sim import simulate_presets

            return simulate_presets(col, presets, now, bar)
        from retain.commands.optimize_fit import fit_presets

        asks = bool(sys.stdin and sys.stdin.isatty() and sys.stderr and sys.stderr.isatty())  # `2>&-`: None
        return fit_presets(col, presets, now, since, bar, args, interactive=asks)
    finally:
        bar.finish()
        col.close(now)


def _undo(col: object, now: datetime, *, dry_run: bool) -> int:
    from retain.store.collection import Collection, CollectionError
    from retain.store.fsrs_presets import undo_events, undo_reschedule

    assert isinstance(col, Collection)
    if dry_run:
        count = len(undo_events(col, now))
        out(
            f"dry run: would put back the previous state of {count} card(s)"
            if count
            else "no reschedule to undo"
        )
        return 0
    if col.read_only:
        err("retain: optimize: another retain is writing the progress; nothing was undone")
        return 1
    held = dict(col.states)  # (to say what a Ctrl-C left: the undo is all or nothing)
    try:
        count = undo_reschedule(col, now)
    except CollectionError as exc:
        err(f"retain: optimize: not undone: {exc}")
        return 1
    except KeyboardInterrupt:  # Ctrl-C, SIGTERM, SIGHUP: in the batch, it is taken back whole
        done = dict(col.states) != held  # (stopped after it, while the snapshots were written)
        err(f"retain: optimize: interrupted: {'the reschedule was undone' if done else 'nothing was undone'}")
        raise
    report(f"put back the previous state of {count} card(s)" if count else "no reschedule to undo")
    return 0
