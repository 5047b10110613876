"""Text fields that take the keys of one burst in the order they were typed, focus changes included.

Keys that reach the app in one read (a fast typist, a held key, a loaded machine, `tmux
send-keys`) are all handed to the focused field before it handles the first, and Textual runs
a key the field does not take itself (Tab, shift+Tab, ctrl+s: bindings of the screen or the
app; in a plain Input also backspace and the arrows) later, after the keys behind it
(Textualize/textual#6605). So `5`, backspace, `7` gave `57`, and `5`, Tab, `30` gave `530` in the
first field, while typed slowly the `30` went to the next one. Here:

- an `OrderedInput` or `OrderedTextArea` runs its own bindings (backspace, delete, the arrows,
  ctrl+w, Enter's submit ...) at once, in its key handler, as the app would have run them;
- what a key set going up the screen (a key sent on to the screen's and the app's bindings, a
  message such as `Changed` or `Submitted`: the field's own messages are handed up at once, not
  after the keys queued behind them) is let finish before the field's next key is looked at,
  so a Tab, or an Enter whose handler moves the focus (`focus()` acts through the app's queue),
  has moved it;
- a key that finds the focus gone to another widget is handed on to it (or to the screen), and
  keys that arrive meanwhile wait behind the ones a field still holds, never overtaking them.

`SettledInput` does the last two only: the path boxes, whose completion (textual-autocomplete)
reads Enter, Tab and the arrows from the Input's own key events before the app's bindings run.
A key the app hands straight to a widget that is not a text field (a button, a checkbox) while
a field still holds earlier keys is beyond reach here (the app hands it out).
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
import weakref
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, ClassVar

from textual import events
from textual._callback import invoke
from textual.app import App
from textual.dom import DOMNode
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Input, TextArea

__all__ = ["OrderedInput", "OrderedTextArea", "SettledInput", "run_own_binding"]

SETTLE_SECONDS = 2.0  # the most a key waits for what the key before it set going (then it goes on)
_POLL = 0.05  # (how often the wait looks whether the field is being taken down)
# A field's messages about its own text: no handler of them moves the focus, and all they do is
# done before a later key that may (a Tab) is let go on (they went up before it), so the keys
# typed into the field need not wait for them one by one (a long path typed in one burst did).
_TEXT_CHANGES = (Input.Changed, TextArea.Changed, TextArea.SelectionChanged)

# The field that holds the newest key still waiting in a field's queue, per app: keys the app
# hands out meanwhile go there, behind it (see `_KeysInOrder._forward_event`).
_LAST: weakref.WeakKeyDictionary[App[Any], weakref.ref[_KeysInOrder]] = weakref.WeakKeyDictionary()


async def run_own_binding(widget: Widget, event: events.Key) -> bool:
    """Run `widget`'s own (not priority) binding for `event`'s key now; True when one ran."""
    for binding in widget._bindings.key_to_bindings.get(event.key, ()):
        if not binding.priority and await widget.app.run_action(binding.action, widget):
            event.stop()
            event.prevent_default()
            return True
    return False


if TYPE_CHECKING:
    _Mixin = Widget
else:
    _Mixin = object  # (not a Widget at run time: Textual takes a widget's CSS type from its first base)


class _KeysInOrder(_Mixin):
    """Mixed in before Input or TextArea (see the module's docstring)."""

    RUNS_OWN_BINDINGS: ClassVar[bool] = True
    _held: list[Message] | None = None  # the field's own messages while it handles a key
    _unsettled = False  # what the last key set going up the screen may not have finished yet
    _waiting = 0  # keys (and pastes) handed to this field not handled yet

    def _forward_event(self, event: events.Event) -> None:
        if not isinstance(event, events.Key | events.Paste):
            super()._forward_event(event)
            return
        event._set_forwarded()
        holder = _holder(self.app)
        if holder is None or not holder.post_message(event):
            holder = self
            if not self.post_message(event):
                return
        holder._waiting += 1
        _LAST[self.app] = weakref.ref(holder)

    def post_message(self, message: Message) -> bool:
        held = self._held
        if (
            held is None
            or isinstance(message, events.Event)
            or self._closing
            or self._closed
            or threading.get_ident() != self._thread_id
        ):
            return super().post_message(message)
        if not self.check_message_enabled(message):
            return False
        message._prevent.update(self._get_prevented_messages())
        held.append(message)
        return True

    async def _on_key(self, event: events.Key) -> None:
        async def take() -> None:
            if not (self.RUNS_OWN_BINDINGS and await run_own_binding(self, event)):
                await super(_KeysInOrder, self)._on_key(event)  # (Input's or TextArea's)

        await self._in_turn(event, take)

    async def on_paste(self, event: events.Paste) -> None:  # (run before Input's `_on_paste`)
        async def take() -> None:
            base: Any = super(_KeysInOrder, self)  # (Input's `_on_paste` is plain, TextArea's async)
            await invoke(base._on_paste, event)
            event.prevent_default()  # (taken: the message loop does not run Input's again)

        await self._in_turn(event, take)

    async def _in_turn(self, event: events.Key | events.Paste, take: Callable[[], Awaitable[None]]) -> None:
        """Take `event` once what the one before set going is done, or hand it on to the
        widget the focus went to."""
        try:
            if self._unsettled:
                self._unsettled = False
                await _settle(self)
            target = self.app.focused
            if target is not self:
                await _hand_on(self, event, target or self.app.screen)
                return
            held: list[Message] = []
            self._held = held
            try:
                await take()
            finally:
                self._held = None
            for message in held:
                await self._dispatch_message(message)
                self.message_signal.publish(message)  # (as the message loop does: a completer reads it)
            # (not stopped: it went up to the bindings; a message that is not a change of the
            # text, like Submitted, may move the focus: the next key waits for them)
            self._unsettled = not event._stop_propagation or any(
                not isinstance(m, _TEXT_CHANGES) for m in held
            )
        finally:
            self._waiting = max(0, self._waiting - 1)


class OrderedInput(_KeysInOrder, Input):
    """An Input whose keys, bound ones and focus changes included, keep the order they were typed in."""


class OrderedTextArea(_KeysInOrder, TextArea):
    """A TextArea whose keys, bound ones and focus changes included, keep the order they were typed
    in, drawn anew whenever its width changes.

    Textual's TextArea wraps its text again when it gets narrower or wider (a form's scrollbar
    coming or going as the fields grow, a resized terminal), but draws the lines again only when
    their number changed: else they stayed wrapped for the old width and the last character of
    each wrapped line was cut off (`.../get-starte` + `/docker-overview/` in the editor's Extra
    field at 80x24) until the cursor moved. (Its own scrollbar appearing is drawn anew by Textual.)
    """

    def on_resize(self) -> None:
        self.refresh()


class SettledInput(_KeysInOrder, Input):
    """An Input whose bound keys go up to the app as Textual sends them (a completer listening to
    the Input sees them first), the next key waiting until they ran."""

    RUNS_OWN_BINDINGS = False


def _alive(widget: Widget) -> bool:
    return widget.is_attached and not (widget._closing or widget._closed or widget._pruning)


def _holder(app: App[Any]) -> _KeysInOrder | None:
    """The field still holding the newest key handed out, if any."""
    ref = _LAST.get(app)
    field = ref() if ref is not None else None
    return field if field is not None and field._waiting > 0 and _alive(field) else None


async def _hand_on(field: _KeysInOrder, event: events.Key | events.Paste, target: Widget) -> None:
    """Send `event` to `target`, which has the focus now, as the app would have sent it there.
    A target that is no such field (a select, a button, the screen) is waited for: it sends a
    key it does not take up to the bindings, and the field's next key is handed on after that."""
    event.stop()
    event.prevent_default()
    copy: events.Key | events.Paste
    if isinstance(event, events.Key):
        copy = event.copy()
        # The field's own listeners (a completer) read the event after this handler: this one
        # was not typed into the field, so it no longer names a key they act on.
        event.key = "ignore"
    else:
        copy = events.Paste(event.text)
    if event._sender is not None:
        copy.set_sender(event._sender)
    if isinstance(target, _KeysInOrder):
        copy._set_forwarded()
        if target.post_message(copy):
            target._waiting += 1
            if field._waiting <= 1 and _holder(field.app) in (None, field):
                _LAST[field.app] = weakref.ref(target)  # (this was the newest key: the target holds it)
    else:
        target._forward_event(copy)
        await _settle(field, [target, *target.ancestors])


async def _settle(field: Widget, nodes: list[DOMNode] | None = None) -> None:
    """Wait until each of `nodes` (the field's parent ... the screen, the app), in turn, has
    handled what was sent to it before now (a key going up to the bindings, a message, a
    `focus()` queued on the app), or the field is being taken down, or `SETTLE_SECONDS` passed."""
    done = asyncio.Event()
    nodes = list(field.ancestors) if nodes is None else nodes

    def hop(index: int) -> None:
        for at in range(index, len(nodes)):
            if nodes[at].call_later(hop, at + 1):
                return
        done.set()

    hop(0)
    deadline = time.monotonic() + SETTLE_SECONDS
    while not done.is_set() and _alive(field) and time.monotonic() < deadline:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(done.wait(), _POLL)
