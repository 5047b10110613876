"""Reschedule the cards of a preset with its FSRS weights, from the settings screen (ctrl+r).

The same code as `retain optimize --reschedule` (`store.fsrs_presets`): every
card's memory state is replayed from its history with the preset's weights; a
confirm dialog first shows how many cards would change and how many would be
due in the next 7 days before and after; on yes the state is backed up and the
new states are journaled as ordinary events (undo: `retain optimize
--undo-reschedule`). Planning and writing run in a thread behind a progress bar
(`ui.screens.busy`); Esc cancels the planning.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.content import Content

from retain.core.fsrsfit import FitError
from retain.store.fsrs_presets import Reschedule

if TYPE_CHECKING:
    from retain.ui.app import RetainApp

__all__ = ["offer_reschedule"]


def offer_reschedule(app: RetainApp, name: str) -> None:
    """Ask, then reschedule the cards of preset `name` with its weights (a notice when there is nothing to do).

    The plan (reading and replaying every card's history: about a second at 50k cards) and the
    writing run in a thread under a `BusyScreen` with a progress bar; the UI never waits.
    """
    from retain.store.fsrs_presets import reschedule_plan
    from retain.store.workload_data import preset_named
    from retain.ui.screens.busy import BusyScreen, Progress

    col = app.collection
    preset = preset_named(col, name)
    weights = preset.settings.parameters
    if not weights:
        app.notify(
            f"Preset {name} has no weights of its own (saved in config.toml); `retain optimize` fits them.",
            markup=False,
        )
        return
    if app.refuse_read_only("reschedule cards"):
        return
    now = app.clock()

    def plan(progress: Progress) -> Reschedule:
        return reschedule_plan(col, preset, weights, now, progress)

    def planned(result: object) -> None:
        if result is None:
            return  # cancelled
        if isinstance(result, Exception):
            app.notify(f"Not rescheduled: {_reason(result)}", severity="error", markup=False)
            return
        assert isinstance(result, Reschedule)
        _confirm(app, name, result)

    app.push_screen(BusyScreen(f"Planning the reschedule of preset {name}", plan), planned)


def _reason(exc: Exception) -> str:
    """One line (a library error, a full disk, a read-only collection): never a traceback."""
    text = " ".join(str(exc).split())[:200]
    return text if isinstance(exc, FitError | OSError) and text else f"{type(exc).__name__}: {text}"


def _confirm(app: RetainApp, name: str, plan: Reschedule) -> None:
    from retain.store.fsrs_presets import apply_reschedule
    from retain.ui.screens.busy import BusyScreen, Progress
    from retain.ui.screens.confirm import ConfirmScreen

    col = app.collection
    if not plan.changes:
        app.notify(f"Preset {name}: every card already has the state these weights give.", markup=False)
        return
    message = Content(
        f"Rescheduling preset {name} with its weights changes {plan.count} card(s).\n"
        f"Due in the next 7 days: {plan.due_next_week_before} now, {plan.due_next_week_after} after.\n"
        "The state is backed up first; undo: retain optimize --undo-reschedule"
    )

    skipped: list[str] = []

    def write(progress: Progress) -> tuple[int, str]:
        progress("backing up the state and writing the new states", 0, 1)
        return apply_reschedule(col, plan, app.clock(), skipped)

    def written(result: object) -> None:
        if isinstance(result, Exception):
            app.notify(f"Not rescheduled: {_reason(result)}", severity="error", markup=False)
            return
        assert isinstance(result, tuple)
        count, backup = result
        app.notify(f"Rescheduled {count} card(s); state backed up to backups/{backup}.", markup=False)
        for line in skipped:
            app.notify(line, severity="warning", markup=False)

    def answered(yes: bool | None) -> None:
        if yes:
            app.push_screen(BusyScreen(f"Rescheduling preset {name}", write, cancellable=False), written)

    app.push_screen(
        ConfirmScreen("Reschedule cards with these weights?", message, yes="Reschedule"), answered
    )
