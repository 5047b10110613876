"""The words of the browser's bury toggle (`b`): its question for several cards and its toast.

Kept apart from `browser.py`, which only runs the action (`BrowserScreen.action_toggle_bury`).
"""

from __future__ import annotations

from textual.content import Content

from retain.ui.text import line

__all__ = ["bury_question", "bury_said"]


def bury_question(cards: int, held: int, bury: bool, until: str) -> tuple[str, Content, str]:
    """(title, message, yes button) of the question before burying or unburying `cards` marked
    cards, `held` of them buried already; `until` is when a buried card comes back ("tomorrow
    04:00")."""
    verb = "Bury" if bury else "Unbury"
    if bury:
        already = f" ({held:,} {'is' if held == 1 else 'are'} buried already)" if held else ""
        message = Content.assemble(
            f"Bury the {cards:,} marked cards?{already}",
            f"\nThey stay out of every study session until {until}.",
        )
    else:
        message = Content.assemble(
            f"Unbury the {cards:,} marked cards?",
            "\nThey are back in today's study, within the daily limits.",
        )
    return f"{verb} {cards:,} cards?", message, verb


def bury_said(keys: list[str], changed: int, bury: bool, until: str, undo_key: str | None) -> str:
    """The toast after a bury or unbury of `keys`, `changed` of them changed: "Buried kafka/isr
    until tomorrow 04:00 (ctrl+z to undo)", "Unburied 6 cards; 1 was not buried". `undo_key`:
    the undo key to name (None: nothing changed, nothing to undo)."""
    done = "Buried" if bury else "Unburied"
    what = line(keys[0]).plain if len(keys) == 1 else f"{changed:,} card{'' if changed == 1 else 's'}"
    if bury and changed:
        what += f" until {until}"
    left = len(keys) - changed
    if left and len(keys) > 1:
        was = "was" if left == 1 else "were"
        what += f"; {left:,} {was} {'already buried' if bury else 'not buried'}"
    elif left:
        what += " (already buried)" if bury else " (it was not buried)"
    undo = f" ({undo_key} to undo)" if undo_key else ""
    return f"{done} {what}{undo}"
