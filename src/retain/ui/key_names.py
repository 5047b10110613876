"""The key a binding has now, for the labels that name it: `[keymap]` in config.toml remaps any
binding by its id, and a label saying "(y)" for a key remapped to `j` sends the user to a key
that does nothing. The key bar reads the bindings themselves; these labels read the keymap."""

from __future__ import annotations

from textual.app import App
from textual.binding import Binding

__all__ = ["key_label"]


def key_label(app: App[object], binding_id: str, default: str) -> str:
    """`default` (the label of the binding's own key), or the first key the keymap gives
    `binding_id`, as the key bar shows it (`app.get_key_display`)."""
    keymap: dict[str, str] = getattr(app, "_keymap", {})  # (Textual's keymap: `App.set_keymap`)
    keys = keymap.get(binding_id, "")
    first = next((k.strip() for k in keys.split(",") if k.strip()), "")
    return app.get_key_display(Binding(first, "")) if first else default
