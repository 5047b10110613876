"""The browser's card actions that ask first: reset progress, delete a card, move it to another deck.

Each pushes its question (a `ConfirmScreen` or the deck picker), does the work
through the store, tells the user, and calls `done` with the unit key the
browser should show next (None when nothing changed).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from textual.app import App
from textual.content import Content

from retain.core.model import Unit
from retain.store.card_edits import delete_card, move_card
from retain.store.collection import Collection
from retain.store.deckedit import DeckEditError
from retain.store.progress_edits import reset_progress
from retain.ui.live_reload import LiveReload
from retain.ui.screens.confirm import ConfirmScreen
from retain.ui.screens.deck_picker import DeckPickerScreen
from retain.ui.text import line

__all__ = ["ask_delete", "ask_move", "ask_reset"]

Done = Callable[[str | None], None]
_HISTORY_STAYS = ("Its review history stays in the journal.", "$text-muted")


def _failed(app: App[Any], title: str, exc: Exception) -> None:
    app.notify(line(str(exc)).plain, title=title, severity="error", markup=False)


def ask_reset(app: App[Any], col: Collection, unit: Unit, now: Callable[[], datetime], done: Done) -> None:
    def answered(yes: bool | None) -> None:
        if yes:
            reset_progress(col, [unit.key], now())
            app.notify(f"Progress of {line(unit.key).plain} reset: it is new again", markup=False)
            done(unit.key)

    message = Content.assemble(
        "Forget the progress of ", line(unit.key, "bold"), "? It becomes a new card.\n", _HISTORY_STAYS
    )
    app.push_screen(ConfirmScreen("Reset progress?", message, yes="Reset"), answered)


def ask_delete(
    app: App[Any], col: Collection, unit: Unit, units: int, live: LiveReload | None, done: Done
) -> None:
    """Delete the whole card (`units` review units) from its deck file."""

    def answered(yes: bool | None) -> None:
        if not yes:
            return
        try:
            path = delete_card(col, unit.deck_id, unit.card_id)
        except DeckEditError as exc:
            _failed(app, "Not deleted", exc)
            return
        if live is not None:
            live.acknowledge([path])
        app.notify(f"Deleted {line(unit.note_key).plain} from {line(path.name).plain}", markup=False)
        done(None)

    count = f" ({units} review units)" if units > 1 else ""
    message = Content.assemble(
        "Delete card ", line(unit.note_key, "bold"), f"{count} from its deck file?\n", _HISTORY_STAYS
    )
    app.push_screen(ConfirmScreen("Delete card?", message, yes="Delete"), answered)


def ask_move(
    app: App[Any],
    col: Collection,
    unit: Unit,
    now: Callable[[], datetime],
    live: LiveReload | None,
    done: Done,
) -> None:
    decks = [d for d in col.library.decks if d.id != unit.deck_id]
    if not decks:
        app.notify("There is no other deck to move it to.", markup=False)
        return

    def picked(deck_id: str | None) -> None:
        if deck_id is None:
            return
        try:
            result = move_card(col, unit.deck_id, unit.card_id, deck_id, now())
        except DeckEditError as exc:
            _failed(app, "Not moved", exc)
            return
        if live is not None:
            live.acknowledge(result.written)
        app.notify(f"Moved to {line(result.deck_id + '/' + result.card.id).plain}", markup=False)
        variant = unit.key.partition(":")[2]
        done(f"{result.deck_id}/{result.card.id}" + (f":{variant}" if variant else ""))

    app.push_screen(DeckPickerScreen(f"Move {line(unit.note_key).plain} to", decks), picked)
