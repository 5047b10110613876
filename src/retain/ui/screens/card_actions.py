"""The browser's card actions that ask first: reset progress, delete cards, move them to another deck.

Each works on one unit (the highlighted row) or many (the marked rows).

Each pushes its question (a `ConfirmScreen` or the deck picker), does the work
through the store, tells the user, and calls `done` with the unit key the
browser should show next (None when nothing changed).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
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


def _cards(units: Sequence[Unit]) -> list[Unit]:
    """One unit per card (a cloze's or a reversed pair's units are one card), in order."""
    return list({(u.deck_id, u.card_id): u for u in units}.values())


def _what(units: Sequence[Unit], one: Callable[[Unit], str], many: str) -> Content:
    return line(one(units[0]), "bold") if len(units) == 1 else Content.styled(many, "bold")


def ask_reset(
    app: App[Any], col: Collection, units: Sequence[Unit], now: Callable[[], datetime], done: Done
) -> None:
    """Forget the progress of these review units (one, or the browser's marked ones)."""

    def answered(yes: bool | None) -> None:
        if yes:
            reset_progress(col, [u.key for u in units], now())
            app.notify(f"Progress of {what.plain} reset: it is new again", markup=False)
            done(units[0].key)

    what = _what(units, lambda u: u.key, f"{len(units)} review units")
    becomes = "It becomes a new card." if len(units) == 1 else "They become new cards."
    message = Content.assemble("Forget the progress of ", what, f"? {becomes}\n", _HISTORY_STAYS)
    app.push_screen(ConfirmScreen("Reset progress?", message, yes="Reset"), answered)


def ask_delete(
    app: App[Any],
    col: Collection,
    units: Sequence[Unit],
    unit_count: int,
    live: LiveReload | None,
    done: Done,
) -> None:
    """Delete the cards of `units` (all their review units, `unit_count` in all) from their deck files."""
    cards = _cards(units)

    def answered(yes: bool | None) -> None:
        if not yes:
            return
        written: list[Path] = []
        for unit in cards:
            try:
                written.append(delete_card(col, unit.deck_id, unit.card_id))
            except DeckEditError as exc:
                _failed(app, "Not deleted", exc)
                break
        if live is not None:
            live.acknowledge(written)
        if written:
            files = ", ".join(sorted({p.name for p in written}))
            deleted = _what(cards[: len(written)], lambda u: u.note_key, f"{len(written)} cards")
            app.notify(f"Deleted {deleted.plain} from {line(files).plain}", markup=False)
        done(None)

    count = f" ({unit_count} review units)" if unit_count > len(cards) else ""
    what = _what(cards, lambda u: "card " + u.note_key, f"{len(cards)} cards")
    files = "its deck file" if len(cards) == 1 else "their deck files"
    message = Content.assemble("Delete ", what, f"{count} from {files}?\n", _HISTORY_STAYS)
    title = "Delete card?" if len(cards) == 1 else "Delete cards?"
    app.push_screen(ConfirmScreen(title, message, yes="Delete"), answered)


def ask_move(
    app: App[Any],
    col: Collection,
    units: Sequence[Unit],
    now: Callable[[], datetime],
    live: LiveReload | None,
    done: Done,
) -> None:
    """Move the cards of `units` to a deck the user picks; their progress moves with them."""
    cards = _cards(units)
    here = {u.deck_id for u in cards}
    decks = [d for d in col.library.decks if len(here) > 1 or d.id not in here]
    if not decks:
        app.notify("There is no other deck to move it to.", markup=False)
        return

    def picked(deck_id: str | None) -> None:
        if deck_id is None:
            return
        written: list[Path] = []
        last = None
        for unit in cards:
            if unit.deck_id == deck_id:
                continue
            try:
                result = move_card(col, unit.deck_id, unit.card_id, deck_id, now())
            except DeckEditError as exc:
                _failed(app, "Not moved", exc)
                break
            written += result.written
            variant = unit.key.partition(":")[2]
            last = f"{result.deck_id}/{result.card.id}" + (f":{variant}" if variant else "")
        if live is not None:
            live.acknowledge(written)
        if last is not None:
            where = last.partition(":")[0] if len(cards) == 1 else f"{len(cards)} cards to {deck_id}"
            app.notify(
                f"Moved {line(where).plain}" if len(cards) > 1 else f"Moved to {line(where).plain}",
                markup=False,
            )
        done(last)

    title = f"Move {line(cards[0].note_key).plain} to" if len(cards) == 1 else f"Move {len(cards)} cards to"
    app.push_screen(DeckPickerScreen(title, decks), picked)
