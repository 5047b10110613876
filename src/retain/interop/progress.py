"""Progress reporting for long imports and exports.

The interop API takes a `ProgressFn(stage, done, total)`; the CLI passes a
`TerminalProgress` (a redrawn bar on stderr when it is a terminal, silent
otherwise) and the TUI can pass its own callback. Work that cannot count its
steps (reading a big library, opening the history) runs inside a
`TerminalStatus`: a spinner line on stderr once it has taken half a second.

Both draw through `_Line`, the one place that decides what reaches the stream:
nothing unless it is a terminal that can redraw a line (not `TERM=dumb`, not a
pipe or a file, not a closed stderr); each line cut to the terminal's width (a
wrapped line is redrawn below itself); plain ASCII (`|/-\\`, `...`) unless the
locale says UTF-8; text sanitised (a file name's escape sequences never act);
and a write that fails (a terminal gone) ends the drawing, not the command.
"""

from __future__ import annotations

import os
import sys
import threading
import time
import unicodedata
from collections.abc import Callable
from types import TracebackType
from typing import TextIO

from retain.core.sanitize import sanitize_line

__all__ = ["ProgressFn", "TerminalProgress", "TerminalStatus", "no_progress", "render_bar"]

ProgressFn = Callable[[str, int, int], None]


def no_progress(stage: str, done: int, total: int) -> None:
    """The default callback: report nothing."""


def render_bar(stage: str, done: int, total: int, width: int = 30, columns: int = 0) -> str:
    """`stage [#########.........]  45% 4500/10000` (text only, no markup).

    With `columns`, the line fits in `columns - 1` cells: a shorter bar, then none."""
    total = max(total, 1)
    done = min(max(done, 0), total)
    pct = 100 * done // total
    tail = f"{pct:3d}% {done}/{total}"
    if columns:
        width = min(width, columns - 1 - 16 - 3 - 1 - len(tail))
        if width < 5:  # no room for a bar: the numbers, and what of the stage fits before them
            tail = tail.lstrip()
            return _fit(f"{_fit(stage, columns - len(tail) - 1)} {tail}".lstrip(), columns)
    filled = width * done // total
    return f"{stage:<16.16} [{'#' * filled}{'.' * (width - filled)}] {tail}"


def _cells(ch: str) -> int:
    if unicodedata.combining(ch):
        return 0
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


def _fit(text: str, columns: int) -> str:
    """`text` cut to `columns - 1` cells (the last column would wrap on some terminals)."""
    room = max(columns - 1, 1)
    used = 0
    for i, ch in enumerate(text):
        used += _cells(ch)
        if used > room:
            return text[:i]
    return text


def _is_terminal(stream: TextIO | None) -> bool:
    """A terminal that can redraw a line: no pipe, file or closed stream, and not `TERM=dumb`."""
    if stream is None or os.environ.get("TERM", "") == "dumb":
        return False
    try:
        return bool(stream.isatty())
    except (OSError, ValueError):  # a closed stream
        return False


def _utf8_locale() -> bool:
    """Whether the locale promises UTF-8 (Python writes UTF-8 even under `LANG=C`)."""
    for name in ("LC_ALL", "LC_CTYPE", "LANG"):
        value = os.environ.get(name)
        if value:
            return "utf8" in value.lower().replace("-", "").replace("_", "")
    return False  # no locale at all: the C locale


class _Line:
    """One line of stderr, redrawn in place and cleared when done."""

    def __init__(self, stream: TextIO | None, force: bool) -> None:
        self.stream = stream
        self.terminal = _is_terminal(stream)
        self.enabled = stream is not None and (force or self.terminal)
        encoding = (getattr(stream, "encoding", None) or "utf-8").lower().replace("-", "").replace("_", "")
        self.unicode = encoding.startswith("utf") and _utf8_locale()
        self.drawn = False

    def columns(self) -> int:
        try:
            return max(int(os.environ["COLUMNS"]), 1)
        except (KeyError, ValueError):
            pass
        try:
            return max(os.get_terminal_size(self.stream.fileno()).columns, 1)  # type: ignore[union-attr]
        except (AttributeError, OSError, ValueError):
            return 80

    def draw(self, text: str) -> bool:
        """Redraw the line as `text`; False when nothing could be written."""
        text = _fit(sanitize_line(text), self.columns())
        written = self._write("\r" + text + ("\x1b[K" if self.terminal else ""))
        self.drawn = self.drawn or written
        return written

    def clear(self) -> None:
        """Clear the line drawn (a stream forced to show it that is no terminal: end it)."""
        if self.drawn:
            self._write("\r\x1b[K" if self.terminal else "\n")
            self.drawn = False

    def _write(self, text: str) -> bool:
        stream = self.stream
        if not self.enabled or stream is None:
            return False
        try:
            try:
                stream.write(text)
            except UnicodeEncodeError:  # a character the stream's encoding lacks: `?`
                encoding = stream.encoding or "ascii"
                stream.write(text.encode(encoding, "replace").decode(encoding))
            stream.flush()
        except (OSError, ValueError):  # the terminal is gone: stop drawing, the work goes on
            self.enabled = False
            return False
        return True


class TerminalProgress:
    """A progress bar on a stream; drawn only when the stream is a terminal.

    Redraws at most ten times a second, and clears its line when done.
    """

    def __init__(self, stream: TextIO | None = None, *, force: bool = False, min_total: int = 200) -> None:
        self._line = _Line(stream if stream is not None else sys.stderr, force)
        self.stream = self._line.stream
        self.min_total = min_total
        self._last = 0.0

    @property
    def enabled(self) -> bool:
        return self._line.enabled

    def __call__(self, stage: str, done: int, total: int) -> None:
        if not self._line.enabled or total < self.min_total:
            return
        now = time.monotonic()
        if done < total and now - self._last < 0.1:
            return
        self._last = now
        self._line.draw(render_bar(stage, done, total, columns=self._line.columns()))
        if done >= total:
            self.finish()

    def finish(self) -> None:
        self._line.clear()


SPINNER = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏"
ASCII_SPINNER = "|/-\\"


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
        self._line = _Line(stream if stream is not None else sys.stderr, force)
        self.stream = self._line.stream
        self.enabled = self._line.enabled
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
        self._line.clear()

    def _run(self) -> None:
        start = time.monotonic()
        if self._stop.wait(self.delay):
            return
        spinner, dots = (SPINNER, "…") if self._line.unicode else (ASCII_SPINNER, "...")
        while not self._stop.is_set() and self._line.enabled:
            seconds = int(time.monotonic() - start)
            if self._line.draw(f"{spinner[self.drawn % len(spinner)]} {self.text}{dots} {seconds} s"):
                self.drawn += 1
            self._stop.wait(0.1)
