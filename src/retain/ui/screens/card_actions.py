"""The browser's card actions that ask first: reset progress, delete cards, move them to another deck.

Each works on one unit (the highlighted row) or many (the marked rows); the
store records the progress changes of many as one durable batch (`progress_edits`).

Each pushes its question (a `ConfirmScreen` or the deck picker), does the work
through the store, tells the user, and calls `done` with the unit key the
browser should show next (None when nothing changed).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from textual.app import App
from textual.content import Content

from retain.core.model import Unit
from retain.interop.ankikeep_moves import carry_kept
from retain.store.collection import Collection, CollectionError
from retain.store.decks.card_edits import delete_cards, move_cards
from retain.store.decks.deckedit import DeckEditError
from retain.store.state.progress_edits import reset_progress
from retain.ui.key_names import key_label
from retain.ui.live_reload import LiveReload
from retain.ui.screens.confirm import ConfirmScreen
from retain.ui.screens.deck_picker import DeckPickerScreen
from retain.ui.text import line

__all__ = ["ask_delete", "ask_move", "ask_reset"]

Done = Callable[[str | None], None]


def _failed(app: App[Any], title: str, exc: Exception) -> None:
    app.notify(line(str(exc)).plain, title=title, severity="error", markup=False)


def _cards(units: Sequence[Unit]) -> list[Unit]:
    """One unit per card (a cloze's or a reversed pair's units are one card), in order."""
    return list({(u.deck_id, u.card_id): u for u in units}.values())


def _what(units: Sequence[Unit], one: Callable[[Unit], str], many: str) -> Content:
    return line(one(units[0]), "bold") if len(units) == 1 else Content.styled(many, "bold")


def ask_reset(
    app: App[Any],
    col: Collection,
    units: Sequence[Unit],
    now: Callable[[], datetime],
    done: Done,
    *,
    run: Callable[[Callable[[], None]], None] | None = None,
) -> None:
    """Forget the progress of these cards (one review unit, or the browser's marked ones).

    `run` runs the work (the browser: behind its loading indicator for many cards)."""
    undo = key_label(app, "browser.undo", "ctrl+z")  # (the browser is the one caller)

    def work() -> None:
        changed = len(reset_progress(col, [u.key for u in units], now()))
        app.notify(_reset_said(what.plain, len(units), changed, undo), markup=False)
        done(units[0].key)

    def answered(yes: bool | None) -> None:
        if yes:
            (run or (lambda w: w()))(work)

    what = _what(units, lambda u: u.key, f"{len(units):,} cards")
    # (undo takes a reset back as it does a suspend: of many cards in one step, also after a restart)
    if len(units) == 1:
        becomes, history = "It becomes a new card.", "Its review history stays in the journal"
    else:
        becomes, history = "They become new cards.", "Their review history stays in the journal"
    history += f", and {undo} undoes the reset."
    message = Content.assemble("Forget the progress of ", what, f"? {becomes}\n", (history, "$text-muted"))
    app.push_screen(ConfirmScreen("Reset progress?", message, yes="Reset"), answered)


def _reset_said(what: str, asked: int, changed: int, undo: str = "ctrl+z") -> str:
    """What a reset of `asked` cards (`what`: a key, or "N cards") says when `changed` had progress
    (`undo`: the key that takes it back)."""
    if not changed:
        return (
            f"Nothing was reset: {what} is new already"
            if asked == 1
            else (f"Nothing was reset: the {what} are new already")
        )
    if asked == 1:
        return f"Progress of {what} reset: it is new again ({undo} to undo)"
    if changed == asked:
        return f"Progress of {what} reset: they are new again ({undo} to undo)"
    new = asked - changed
    return (
        f"Progress of {changed:,} of {what} reset ({new:,} {'was' if new == 1 else 'were'} new already): "
        f"they are new again ({undo} to undo)"
    )


def ask_delete(
    app: App[Any],
    col: Collection,
    units: Sequence[Unit],
    siblings: Sequence[Unit],
    live: LiveReload | None,
    done: Done,
    *,
    run: Callable[[Callable[[], None]], None] | None = None,
) -> None:
    """Delete the cards of `units` from their deck files (`run` runs the work, as for a reset).

    `siblings` are every review unit of those cards (a cloze's deletions, a
    card's reverse): they go too, and the question names those not in `units`,
    so it never deletes more than was marked without saying so.
    """
    cards = _cards(units)
    chosen = {u.key for u in units}
    unmarked = [u.key for u in siblings if u.key not in chosen]

    def work() -> None:
        seen = live.acknowledge if live is not None else None  # (called while the deck-edit lock is held)
        try:  # all at once: each deck file written once (card by card, 1,000 cards took minutes)
            written = delete_cards(col, [(u.deck_id, u.card_id) for u in cards], on_written=seen)
        except DeckEditError as exc:  # (nothing written: the marks stay, to try again)
            _failed(app, "Not deleted", exc)
            return
        files = ", ".join(sorted({p.name for p in written}))
        deleted = _what(cards, lambda u: u.note_key, f"{len(cards):,} cards")
        app.notify(f"Deleted {deleted.plain} from {line(files).plain}", markup=False)
        done(None)

    def answered(yes: bool | None) -> None:
        if yes:
            (run or (lambda w: w()))(work)

    total = len(chosen) + len(unmarked)
    count = f" ({total:,} cards incl. reverses and clozes)" if total > len(cards) else ""
    what = _what(cards, lambda u: u.note_key if count else "card " + u.note_key, f"{len(cards):,} cards")
    files = "its deck file" if len(cards) == 1 else "their deck files"
    parts: list[Content | str | tuple[str, str]] = ["Delete ", what, f"{count} from {files}?\n"]
    if unmarked:
        shown = ", ".join(unmarked[:4]) + (f" and {len(unmarked) - 4} more" if len(unmarked) > 4 else "")
        also = "is" if len(unmarked) == 1 else "are"
        parts += [
            line(f"{shown} {also} not marked but goes too: ", "bold $warning"),
            "a card's clozes and reverse are one entry in its deck file.\n",
        ]
    history = (
        "Its review history stays in the journal."
        if total == 1
        else "Their review history stays in the journal."
    )
    parts.append((history, "$text-muted"))
    title = "Delete card?" if len(cards) == 1 else "Delete cards?"
    app.push_screen(ConfirmScreen(title, Content.assemble(*parts), yes="Delete"), answered)


def ask_move(
    app: App[Any],
    col: Collection,
    units: Sequence[Unit],
    now: Callable[[], datetime],
    live: LiveReload | None,
    done: Done,
    *,
    run: Callable[[Callable[[], None]], None] | None = None,
) -> None:
    """Move the cards of `units` to a deck the user picks; their progress moves with them.

    All of them at once (`move_cards`: each deck file written once, the progress one action);
    `run` runs the work (the browser: behind its loading indicator for many cards)."""
    cards = _cards(units)
    here = {u.deck_id for u in cards}
    decks = [d for d in col.library.decks if len(here) > 1 or d.id not in here]
    if not decks:
        app.notify("There is no other deck to move it to.", markup=False)
        return

    def work(deck_id: str) -> None:
        seen = live.acknowledge if live is not None else None  # (called while the deck-edit lock is held)
        moving = [u for u in cards if u.deck_id != deck_id]
        try:
            results = move_cards(
                col, [(u.deck_id, u.card_id) for u in moving], deck_id, now(), on_written=seen
            )
        except DeckEditError as exc:  # (nothing written, or it says what was: the marks stay)
            _failed(app, "Not moved", exc)
            return
        except CollectionError as exc:  # the deck files were written; the progress could not be
            _failed(app, "Moved, but the progress stayed behind", exc)
            done(None)
            return
        if not results:
            return
        stayed = carry_kept(col.library, results)  # (an Anki import's GUIDs and ease go along)
        if stayed is not None:
            app.notify(line(stayed).plain, severity="warning", markup=False, timeout=8)
        variant = moving[-1].key.partition(":")[2]
        last = f"{results[-1].deck_id}/{results[-1].card.id}" + (f":{variant}" if variant else "")
        if len(cards) == 1:
            app.notify(f"Moved to {line(last.partition(':')[0]).plain}", markup=False)
        else:
            app.notify(f"Moved {len(results):,} cards to {line(deck_id).plain}", markup=False)
        done(last)

    def picked(deck_id: str | None) -> None:
        if deck_id is not None:
            (run or (lambda w: w()))(lambda: work(deck_id))

    title = f"Move {line(cards[0].note_key).plain} to" if len(cards) == 1 else f"Move {len(cards):,} cards to"
    app.push_screen(DeckPickerScreen(title, decks), picked)
