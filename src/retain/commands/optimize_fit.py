"""The fitting half of `retain optimize`: per preset, fit, compare, save, offer to reschedule.

With `--reschedule` the cards are rescheduled with the weights the preset ends up with: the new
ones when they are better (and saved), else the current ones (also when the history is too short
to fit), so the hint printed after saving (`retain optimize ... --reschedule` reschedules them)
does what it says.

A deck with its own `parameters` in [decks.ID] schedules with those, not with its preset's: the
fit is scored against the weights the reviews it learns from were scheduled with (`_current`),
and one line names such decks, which the preset's new weights do not change.
"""

from __future__ import annotations

import argparse
import errno
import sys
from dataclasses import replace
from datetime import date, datetime

from retain.commands.output import err, out, out_lines, report
from retain.core.fsrsfit import DEFAULT_WEIGHTS, FitError, FitResult, fit
from retain.core.statstext import plural
from retain.interop.progress import TerminalProgress
from retain.store.collection import Collection, CollectionError
from retain.store.config import ConfigError
from retain.store.fsrs_presets import (
    Preset,
    Reschedule,
    apply_reschedule,
    own_weights,
    preset_table,
    reschedule_plan,
    toml_key,
    training_for,
)

__all__ = ["fit_presets"]


def _decks(preset: Preset) -> str:
    shown = ", ".join(preset.decks[:4]) + (
        f" and {len(preset.decks) - 4} more" if len(preset.decks) > 4 else ""
    )
    return f"{len(preset.decks)} deck(s): {shown}" if preset.decks else "no decks"


def _line(result: FitResult) -> str:
    b, a = result.before, result.after
    return f"log loss {b.log_loss:.4f} -> {a.log_loss:.4f}, RMSE {100 * b.rmse:.2f}% -> {100 * a.rmse:.2f}%"


def _own_line(preset: Preset, own: dict[str, tuple[float, ...]]) -> str:
    """One line naming the preset's decks with their own `parameters`, which override the preset's."""
    use = f"{preset_table(preset.name)}'s weights (delete them there to use the preset's)"
    if len(own) == 1:
        (deck,) = own
        return f"  deck {deck} has its own `parameters` in [decks.{toml_key(deck)}]: it does not schedule with {use}"
    decks = list(own)
    shown = ", ".join(decks[:4]) + (f" and {len(decks) - 4} more" if len(decks) > 4 else "")
    return f"  decks {shown} have their own `parameters` in [decks.ID]: they do not schedule with {use}"


def _current(
    col: Collection, preset: Preset, own: dict[str, tuple[float, ...]], now: datetime, since: date | None
) -> tuple[float, ...] | None:
    """The weights to score the fit against ("before"): those the reviews it learns from were
    scheduled with. The decks' own `parameters` when every deck with reviews to learn from has
    the same ones (a deck alone in its preset), else the preset's, which the new weights replace."""
    inherited = preset.settings.parameters
    groups: dict[tuple[float, ...] | None, tuple[str, ...]] = {}
    for deck in preset.decks:
        weights = own.get(deck, inherited)
        groups[weights] = (*groups.get(weights, ()), deck)
    if len(groups) > 1:  # only the decks that give items count (the bundled ones may have none)
        groups = {
            w: decks
            for w, decks in groups.items()
            if training_for(col, replace(preset, decks=decks), now, since).items
        }
    return next(iter(groups)) if len(groups) == 1 else inherited


def _ask(question: str) -> str:
    """`question` on stderr, the terminal, and the answer from stdin (EOFError at its end).

    `input()` writes its prompt to stdout: with the output redirected (`> log`), the
    question went into the file and the command seemed to hang, waiting for an answer.
    A terminal closed while it waits (EIO: SIGHUP ignored, as under `nohup`) stops the command
    as that SIGHUP would have: exit 129, as the README says, not 1.
    """
    try:
        sys.stderr.write(question)
        sys.stderr.flush()
        line = sys.stdin.readline()
    except OSError as exc:
        if exc.errno not in (errno.EIO, errno.ENXIO):
            raise
        from retain.cli import hang_up

        hang_up()
        raise
    if not line:
        raise EOFError
    return line


def fit_presets(
    col: Collection,
    presets: list[Preset],
    now: datetime,
    since: date | None,
    bar: TerminalProgress,
    args: argparse.Namespace,
    *,
    interactive: bool,
) -> int:
    from retain.store.config_write import save_parameters

    status = 0
    config_file = col.home.paths.config_file
    for n, preset in enumerate(presets):
        bar(f"reading {preset.name}", 3 * n, 3 * len(presets))
        data = training_for(col, preset, now, since)
        bar(f"fitting {preset.name}", 3 * n + 1, 3 * len(presets))
        head = f"preset {preset.name} ({_decks(preset)}): {plural(data.reviews, 'review')} of {plural(data.cards, 'card')}"
        own = own_weights(col, preset)
        note = [_own_line(preset, own)] if own else []
        try:
            current = (
                _current(col, preset, own, now, since) if own and data.items else preset.settings.parameters
            )
            result = fit(data.items, current, data.card_ids, len(preset.settings.relearning_steps))
        except FitError as exc:
            bar.finish()
            out_lines([f"{head}: {exc}", *note])
            # weights set by hand (or fitted before) with too little history to fit again:
            # --reschedule still reschedules with them rather than being dropped without a word
            status = max(status, _reschedule_current(col, preset, now, args, interactive=interactive))
            continue
        bar(f"saving {preset.name}", 3 * n + 2, 3 * len(presets))
        bar.finish()
        if not result.better:
            out_lines([f"{head}: {_line(result)}: not better, kept the current weights", *note])
            status = max(status, _reschedule_current(col, preset, now, args, interactive=interactive))
            continue
        if args.dry_run:
            out_lines([f"{head}: {_line(result)}: better (dry run: not saved)", *note])
            if args.reschedule:  # what the real run would do with them, written nowhere
                status = max(
                    status, _offer_reschedule(col, preset, result.weights, now, args, interactive=False)
                )
            continue
        try:
            save_parameters(config_file, preset.name, result.weights)
        except ConfigError as exc:
            err(f"retain: optimize: {exc}")
            status = 1
            continue
        report(f"{head}: {_line(result)}: better, saved to {preset_table(preset.name)} in {config_file}")
        out_lines(note)
        if col.read_only:  # the open TUI read config.toml when it started (settings apply at launch)
            out("  the retain that is open schedules with them once it is started again")
        status = max(
            status, _offer_reschedule(col, preset, result.weights, now, args, interactive=interactive)
        )
    bar(" ", 1, 1)
    return status


def _reschedule_current(
    col: Collection, preset: Preset, now: datetime, args: argparse.Namespace, *, interactive: bool
) -> int:
    """With --reschedule, when no new weights were saved: reschedule with the preset's current
    ones. The hint after saving says `--reschedule` reschedules the cards; the kept weights are
    the ones it means (rescheduling twice with the same weights changes nothing)."""
    if not args.reschedule:
        return 0
    current = preset.settings.parameters or DEFAULT_WEIGHTS
    return _offer_reschedule(col, preset, current, now, args, interactive=interactive, which="current")


def _offer_reschedule(
    col: Collection,
    preset: Preset,
    weights: tuple[float, ...],
    now: datetime,
    args: argparse.Namespace,
    *,
    interactive: bool,
    which: str = "new",
) -> int:
    """Reschedule the preset's cards with `weights` (`which`: "new" or "current" weights) when
    --reschedule is given or the user says yes on a terminal; the 7-day backlog is shown first.
    With --dry-run (and --reschedule) only the plan's figures are said: nothing is written."""
    if args.no_reschedule or (not args.reschedule and not interactive):
        out("  cards keep their due dates; `retain optimize ... --reschedule` reschedules them")
        return 0
    try:
        plan = reschedule_plan(col, preset, weights or DEFAULT_WEIGHTS, now)
    except FitError as exc:
        err(f"retain: optimize: not rescheduled: {exc}")
        return 1
    except KeyboardInterrupt:  # stopped while planning: nothing written yet; said as in the batch
        err(f"retain: optimize: interrupted: preset {preset.name} was not rescheduled (no card was changed)")
        raise
    out(
        f"  rescheduling with the {which} weights would change {plan.count} card(s); due in the next 7 days: "
        f"{plan.due_next_week_before} now, {plan.due_next_week_after} after"
    )
    if not plan.changes:
        return 0
    if args.dry_run:
        out("  dry run: not rescheduled")
        return 0
    if col.read_only:  # said before asking: a yes could not be acted on
        err("retain: optimize: another retain is writing the progress; cards were not rescheduled")
        return 1
    if not args.reschedule:
        try:
            answer = _ask(f"  reschedule them with the {which} weights? [y/N] ")
        except EOFError:
            answer = ""
        except KeyboardInterrupt:  # ctrl+c at the question: a no, said
            err(
                f"retain: optimize: interrupted: preset {preset.name} was not rescheduled (no card was changed)"
            )
            raise
        if answer.strip().lower() not in ("y", "yes"):
            out("  not rescheduled")
            return 0
    skipped: list[str] = []
    try:
        count, backup = apply_reschedule(col, plan, now, skipped)
    except (CollectionError, OSError) as exc:
        err(f"retain: optimize: not rescheduled: {exc}")
        return 1
    except KeyboardInterrupt:  # Ctrl-C, SIGTERM, SIGHUP: all or nothing; say which, then stop
        err(f"retain: optimize: interrupted: {_stopped_line(col, preset, plan)}")
        raise
    for line in skipped:
        err(f"retain: optimize: warning: {line}")
    report(
        f"  rescheduled {count} card(s); state backed up to backups/{backup}; undo: retain optimize --undo-reschedule"
    )
    return 0


def _stopped_line(col: Collection, preset: Preset, plan: Reschedule) -> str:
    """What a reschedule stopped by a signal left: none of its cards rescheduled (the batch is
    taken back whole), or all of them (stopped after the batch, while snapshots were written)."""
    done = sum(1 for change in plan.changes if col.states.get(change.key) != change.old)
    if not done:
        return f"preset {preset.name} was not rescheduled (no card was changed)"
    return f"preset {preset.name} was rescheduled ({done} card(s)); undo: retain optimize --undo-reschedule"
