"""The key a binding has now, for the labels that name it: `[keymap]` in config.toml remaps any
binding by its id, and a label saying "(y)" for a key remapped to `j` sends the user to a key
that does nothing. The key bar reads the bindings themselves; these labels read the keymap."""

from __future__ import annotations

from typing import Any

from textual.app import App
from textual.binding import Binding

__all__ = ["key_label", "rating_keys"]


def key_label(app: App[Any], binding_id: str, default: str) -> str:
    """`default` (the label of the binding's own key, kept by an empty keymap value), or the first
    key the keymap gives `binding_id` that a terminal sends (`esc` is none: `escape` is), as the key
    bar shows it (`app.get_key_display`)."""
    from retain.ui.keymap_check import key_problem

    keymap: dict[str, str] = getattr(app, "_keymap", {})  # (Textual's keymap: `App.set_keymap`)
    keys = [k.strip() for k in keymap.get(binding_id, "").split(",") if k.strip()]
    if not keys:
        return default
    first = next((k for k in keys if not key_problem(k)), keys[0])  # (none works: warned at start)
    return app.get_key_display(Binding(first, ""))


def rating_keys(app: App[Any]) -> dict[int, str]:
    """The key of each rating (1 Again .. 4 Easy) as the rating buttons show it."""
    return {
        rating: key_label(app, f"review.{name}", str(rating))
        for rating, name in enumerate(("again", "hard", "good", "easy"), start=1)
    }
