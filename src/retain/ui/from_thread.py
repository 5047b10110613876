"""Run a callable on the app's event loop from a worker thread, without waiting for it.

Textual's `App.call_from_thread` waits for the callable to have run. Once the app is quitting
(a closed terminal: SIGHUP) its loop never runs it, and the worker waits forever, while asyncio's
shutdown waits for the worker: retain never exits. A message is posted instead (never waits;
dropped when the app has gone), and the app runs it (`RetainApp.on_call`)."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any

from textual.app import App
from textual.message import Message

__all__ = ["Call", "call_soon"]


class Call(Message):
    """`fn(*args, **kwargs)`, to run on the app's loop."""

    def __init__(self, fn: Callable[..., object], args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        super().__init__()
        self.fn = fn
        self.args = args
        self.kwargs = kwargs


def call_soon(app: App[Any], fn: Callable[..., object], *args: Any, **kwargs: Any) -> None:
    """Have `app` run `fn(*args, **kwargs)` on its loop, in the order posted; never waits."""
    with contextlib.suppress(RuntimeError):  # (no loop any more: the app has gone)
        app.post_message(Call(fn, args, kwargs))
