"""`BusyScreen`: a small modal that runs one slow job in a thread, with a progress bar.

The job gets a progress function `(what, done, total)` it may call from its
thread; the bar pulses until the first call. The screen dismisses with the
job's result, or with the exception it raised (the caller decides what is an
error worth one line). The UI never waits: keys, resizes and repaints go on.
With `cancellable`, Esc dismisses at once with None and the job's result is
dropped when it arrives (the job itself runs to its end in its thread); without
it, Esc only says that the job is still running (a write must not be cut).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from textual import work
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import ProgressBar, Static

from retain.ui.from_thread import call_and_wait, call_soon
from retain.ui.text import plain
from retain.ui.widgets.key_bar import Dialog

__all__ = ["BusyScreen", "Progress"]

Progress = Callable[[str, int, int], None]


class BusyScreen(Dialog[Any]):
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel", id="busy.cancel")]
    DEFAULT_CSS = """
    BusyScreen { align: center middle; }
    BusyScreen > #busy-box {
        width: 60; max-width: 100%; height: auto; max-height: 100%; overflow-y: auto; padding: 1 2;
        border: round $accent; background: $surface;
    }
    BusyScreen #busy-title { margin-bottom: 1; text-style: bold; }
    BusyScreen #busy-step { color: $text-muted; }
    """

    def __init__(self, title: str, job: Callable[[Progress], object], *, cancellable: bool = True) -> None:
        super().__init__()
        self._title = title
        self._job = job
        self._cancellable = cancellable
        self._cancelled = False
        self.finished = False  # the job returned or raised (tests wait for it)
        self._owner_app: App[Any] | None = None

    def compose(self) -> ComposeResult:
        with Vertical(id="busy-box"):
            yield Static(Content(self._title), id="busy-title")
            yield Static(Content("starting…"), id="busy-step")
            yield ProgressBar(total=None, show_eta=False, id="busy-bar")

    def on_mount(self) -> None:
        self._owner_app = self.app  # a dismissed screen no longer finds its app from the thread
        self._run()

    @work(thread=True, exclusive=True, group="busy")
    def _run(self) -> None:
        result: object
        try:
            result = self._job(self._from_thread)
        except Exception as exc:  # the caller turns it into one line
            result = exc
        # never `call_from_thread`: it waits for ever once a closed terminal has stopped the app's
        # loop, and retain then never exited; this gives up then (`retain.ui.from_thread`)
        assert self._owner_app is not None
        call_and_wait(self._owner_app, self._finish, result)

    def _from_thread(self, what: str, done: int, total: int) -> None:
        assert self._owner_app is not None
        call_soon(self._owner_app, self._show_step, what, done, total)  # never waits

    def _show_step(self, what: str, done: int, total: int) -> None:
        if not self.is_attached:
            return
        self.query_one("#busy-step", Static).update(plain(f"{what}…"))
        self.query_one(ProgressBar).update(total=max(total, 1), progress=done)

    def _finish(self, result: object) -> None:
        self.finished = True
        if not self._cancelled and self.is_attached:
            self.dismiss(result)

    def action_cancel(self) -> None:
        if self._cancellable:
            self._cancelled = True
            self.dismiss(None)
        else:
            self.notify("Still writing; it will be done in a moment.", markup=False)
