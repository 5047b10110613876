"""Progress reporting for long imports and exports.

The interop API takes a `ProgressFn(stage, done, total)`; the CLI passes a
`TerminalProgress` (a redrawn bar on stderr when it is a terminal, silent
otherwise) and the TUI can pass its own callback. Work that cannot count its
steps (reading a big library, opening the history) runs inside a
`TerminalStatus`: a spinner line on stderr once it has taken half a second.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable
from types import TracebackType
from typing import TextIO

__all__ = ["ProgressFn", "TerminalProgress", "TerminalStatus", "no_progress", "render_bar"]

ProgressFn = Callable[[str, int, int], None]


def no_progress(stage: str, done: int, total: int) -> None:
    """The default callback: report nothing."""


def render_bar(stage: str, done: int, total: int, width: int = 30) -> str:
    """`stage [#########.........]  45% 4500/10000` (text only, no markup)."""
    total = max(total, 1)
    done = min(max(done, 0), total)
    filled = width * done // total
    pct = 100 * done // total
    return f"{stage:<16.16} [{'#' * filled}{'.' * (width - filled)}] {pct:3d}% {done}/{total}"


class TerminalProgress:
    """A progress bar on a stream; drawn only when the stream is a terminal.

    Redraws at most ten times a second, and clears its line when done.
    """

    def __init__(self, stream: TextIO | None = None, *, force: bool = False, min_total: int = 200) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = force or self.stream.isatty()
        self.min_total = min_total
        self._last = 0.0
        self._drawn = False

    def __call__(self, stage: str, done: int, total: int) -> None:
        if not self.enabled or total < self.min_total:
            return
        now = time.monotonic()
        if done < total and now - self._last < 0.1:
            return
        self._last = now
        self.stream.write("\r" + render_bar(stage, done, total))
        self._drawn = True
        if done >= total:
            self.finish()

    def finish(self) -> None:
        if self._drawn:
            self.stream.write("\r\x1b[K" if self.stream.isatty() else "\n")
            self.stream.flush()
            self._drawn = False


SPINNER = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏"


class TerminalStatus:
    """`with TerminalStatus("reading the decks"):` shows `⠹ reading the decks… 2 s` on a terminal.

    Nothing is drawn for work that ends within `delay` seconds, nor when the
    stream is not a terminal; the line is redrawn ten times a second by a
    daemon thread and cleared when the block ends.
    """

    def __init__(
        self, text: str, stream: TextIO | None = None, *, force: bool = False, delay: float = 0.5
    ) -> None:
        self.text = text
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = force or self.stream.isatty()
        self.delay = delay
        self.drawn = 0  # lines drawn (tests)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def __enter__(self) -> TerminalStatus:
        if self.enabled:
            self._thread = threading.Thread(target=self._run, name="retain-status", daemon=True)
            self._thread.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        if self.drawn:
            self.stream.write("\r\x1b[K")
            self.stream.flush()

    def _run(self) -> None:
        start = time.monotonic()
        if self._stop.wait(self.delay):
            return
        while not self._stop.is_set():
            seconds = int(time.monotonic() - start)
            self.stream.write(f"\r{SPINNER[self.drawn % len(SPINNER)]} {self.text}… {seconds} s")
            self.stream.flush()
            self.drawn += 1
            self._stop.wait(0.1)
