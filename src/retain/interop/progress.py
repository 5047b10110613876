"""Progress reporting for long imports and exports.

The interop API takes a `ProgressFn(stage, done, total)`; the CLI passes a
`TerminalProgress` (a redrawn bar on stderr when it is a terminal, silent
otherwise) and the TUI can pass its own callback.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import TextIO

__all__ = ["ProgressFn", "TerminalProgress", "no_progress", "render_bar"]

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
