"""A focused widget that gives way to a key remapped onto its screen's (or the app's) bindings.

The widget that has the focus answers its own keys first: with `"browser.next_page" = "pagedown"`
in `[keymap]` the results table's own PageDown moved its cursor, and the page never turned,
though the status line said "pgdn pages". A widget with this mixin skips its own binding of a
key that a remapped binding of its screen or of the app now takes (`check_action` saying no lets
Textual go on to the screen's binding); keys nobody remapped work as before. The widget's own use
of such a key (moving the cursor a screen down) is what the remap asked to replace.
"""

from __future__ import annotations

from typing import Any

from textual import events

__all__ = ["ScreenKeysFirst"]


class ScreenKeysFirst:
    """Mix into a focusable widget (before its Textual base)."""

    _key_now: str | None = None

    def on_key(self, event: events.Key) -> None:  # (runs before the bindings are looked at)
        self._key_now = event.key

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # (asked for the key being handled, and at other times too, by the footer: only this
        # widget's own binding of the last key pressed gives way)
        key = self._key_now
        return not (key is not None and _binds(self, key, action) and _remapped_elsewhere(self, key))


def _binds(widget: Any, key: str, action: str) -> bool:
    """Whether the widget's own bindings give `key` to `action`."""
    bindings = getattr(getattr(widget, "_bindings", None), "key_to_bindings", {})
    return any(b.action == action for b in bindings.get(key, ()))


def _remapped_elsewhere(widget: Any, key: str) -> bool:
    """Whether a binding of the widget's screen or of the app, given `key` by the keymap, takes it."""
    keymap: dict[str, str] = getattr(widget.app, "_keymap", {}) or {}  # (normalised, `app.set_keymap`)
    taken = {binding_id for binding_id, keys in keymap.items() if key in (k.strip() for k in keys.split(","))}
    if not taken:
        return False
    for node in (widget.screen, widget.app):  # (their own bindings, as the classes give them)
        bindings = getattr(getattr(node, "_bindings", None), "key_to_bindings", {})
        if any(b.id in taken for found in bindings.values() for b in found):
            return True
    return False
