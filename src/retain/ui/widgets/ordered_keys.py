"""Text fields whose own editing keys take effect in the order they were typed.

Textual inserts a typed character in the focused Input's or TextArea's own key handler, but a
bound key (backspace, delete, the arrows, ctrl+w ...) goes up to the app and runs its action
later, after the keys behind it were handled: `5`, `x`, backspace, backspace, `7` arriving in one
read (a fast typist, a held key, a loaded machine, `tmux send-keys`) gave `5`, not `7`, since
the `7` went in before the backspaces ran (Textualize/textual#6605). Here a field runs its own
bindings at once, in its key handler, as the app would have run them (the focused widget is the
first place the app looks); the keys it does not bind go up as before.
"""

from __future__ import annotations

from textual import events
from textual.widget import Widget
from textual.widgets import Input, TextArea

__all__ = ["OrderedInput", "OrderedTextArea", "run_own_binding"]


async def run_own_binding(widget: Widget, event: events.Key) -> bool:
    """Run `widget`'s own (not priority) binding for `event`'s key now; True when one ran."""
    for binding in widget._bindings.key_to_bindings.get(event.key, ()):
        if not binding.priority and await widget.app.run_action(binding.action, widget):
            event.stop()
            event.prevent_default()
            return True
    return False


class OrderedInput(Input):
    """An Input whose backspace, arrows and other bound keys keep their place among typed characters."""

    async def _on_key(self, event: events.Key) -> None:
        if not await run_own_binding(self, event):
            await super()._on_key(event)


class OrderedTextArea(TextArea):
    """A TextArea whose bound keys keep their place among typed characters."""

    async def _on_key(self, event: events.Key) -> None:
        if not await run_own_binding(self, event):
            await super()._on_key(event)
