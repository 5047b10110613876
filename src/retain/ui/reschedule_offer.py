"""Reschedule the cards of a preset with its FSRS weights, from the settings screen (ctrl+r).

The same code as `retain optimize --reschedule` (`store.fsrs_presets`): every
card's memory state is replayed from its history with the preset's weights; a
confirm dialog first shows how many cards would change and how many would be
due in the next 7 days before and after; on yes the state is backed up and the
new states are journaled as ordinary events (undo: `retain optimize
--undo-reschedule`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.content import Content

from retain.core.fsrsfit import FitError

if TYPE_CHECKING:
    from retain.ui.app import RetainApp

__all__ = ["offer_reschedule"]


def offer_reschedule(app: RetainApp, name: str) -> None:
    """Ask, then reschedule the cards of preset `name` with its weights (a notice when there is nothing to do)."""
    from retain.store.collection import CollectionError
    from retain.store.fsrs_presets import apply_reschedule, reschedule_plan
    from retain.store.workload_data import preset_named
    from retain.ui.screens.confirm import ConfirmScreen

    col = app.collection
    preset = preset_named(col, name)
    weights = preset.settings.parameters
    if not weights:
        app.notify(
            f"Preset {name} has no weights of its own (saved in config.toml); `retain optimize` fits them.",
            markup=False,
        )
        return
    if col.read_only:
        app.notify("Another retain is writing the progress: cards cannot be rescheduled now.", markup=False)
        return
    now = app.clock()
    try:
        plan = reschedule_plan(col, preset, weights, now)
    except FitError as exc:
        app.notify(f"Not rescheduled: {exc}", severity="error", markup=False)
        return
    if not plan.events:
        app.notify(f"Preset {name}: every card already has the state these weights give.", markup=False)
        return
    message = Content(
        f"Rescheduling preset {name} with its weights changes {len(plan.events)} card(s).\n"
        f"Due in the next 7 days: {plan.due_next_week_before} now, {plan.due_next_week_after} after.\n"
        "The state is backed up first; undo: retain optimize --undo-reschedule"
    )

    def answered(yes: bool | None) -> None:
        if not yes:
            return
        try:
            count, backup = apply_reschedule(col, plan, app.clock())
        except (CollectionError, OSError) as exc:
            app.notify(f"Not rescheduled: {exc}", severity="error", markup=False)
            return
        app.notify(f"Rescheduled {count} card(s); state backed up to backups/{backup}.", markup=False)

    app.push_screen(
        ConfirmScreen("Reschedule cards with these weights?", message, yes="Reschedule"), answered
    )
