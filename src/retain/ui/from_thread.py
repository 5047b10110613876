"""Run a callable on the app's event loop from a worker thread, never waiting on a stopped loop.

Textual's `App.call_from_thread` waits for the callable to have run. Once the app is quitting
(a closed terminal: SIGHUP) its loop never runs it, and the worker waits forever, while Python's
exit waits for the worker: retain never exits. So a message is posted instead (`Call`; dropped
when the app has gone), and the app runs it (`RetainApp.on_call`), in the order posted:

- `call_soon` never waits: progress, and any call the worker need not see done;
- `call_and_wait` waits until the call has run, but gives up once the app has stopped: a worker's
  last call (its result), so that a worker that has ended has its result shown, as tests that wait
  for the workers (`app.workers.wait_for_complete()`) expect.

No code in `retain.ui` calls `call_from_thread` (tests/ui/test_h13_from_thread.py). A call runs as
one of the app's messages: what it posts to the app (`App.notify`, say) is handled just after it,
so a test that sees a dialog close waits for its notification."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any

from textual.app import App
from textual.message import Message

__all__ = ["Call", "call_and_wait", "call_soon"]

WAIT_SLICE = 0.1  # seconds between two looks at whether the app still runs


class Call(Message):
    """`fn(*args, **kwargs)`, to run on the app's loop."""

    def __init__(self, fn: Callable[..., object], args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        super().__init__()
        self.fn = fn
        self.args = args
        self.kwargs = kwargs


def call_soon(app: App[Any], fn: Callable[..., object], *args: Any, **kwargs: Any) -> bool:
    """Have `app` run `fn(*args, **kwargs)` on its loop, in the order posted; never waits.
    False when the app has gone (it will never run)."""
    with contextlib.suppress(RuntimeError):  # (no loop any more: the app has gone)
        return app.post_message(Call(fn, args, kwargs))
    return False


def call_and_wait(app: App[Any], fn: Callable[..., object], *args: Any, **kwargs: Any) -> bool:
    """As `call_soon`, then wait until `fn` has run: True. False when the app stops first (or
    its loop no longer runs), within `WAIT_SLICE` of it: `fn` then never runs. Exceptions `fn`
    raises are the app's, as in any handler."""
    state: Future[None] = Future()

    def run() -> None:
        if not state.set_running_or_notify_cancel():
            return  # the worker gave up on it
        try:
            fn(*args, **kwargs)
        finally:  # (even for a KeyboardInterrupt landing in it: the worker never waits for ever)
            state.set_result(None)

    if not call_soon(app, run):
        return False
    while True:
        try:
            state.result(WAIT_SLICE)
            return True
        except TimeoutError:
            if _running(app):
                continue
            if state.cancel():  # not started: it never will be
                return False
            # started as the app stopped: it ends in a moment, or the loop is gone for good
            with contextlib.suppress(TimeoutError):
                state.result(WAIT_SLICE)
            return state.done()


def _running(app: App[Any]) -> bool:
    """The app is running, on a loop that runs (a closed terminal can stop the loop under it)."""
    loop = app._loop
    return app.is_running and loop is not None and not loop.is_closed() and loop.is_running()
