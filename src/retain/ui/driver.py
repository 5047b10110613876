"""Textual's terminal driver, ended by a terminal that has gone away.

Textual's input thread (`LinuxDriver.run_input_thread`, Textual 8) reads the terminal until the
app tells it to stop; on a terminal that was closed each read is end-of-file, at once, and it
reads again: for ever, at 100% CPU, the app never told. A SIGHUP stops retain first
(`retain.cli`), but none arrives when it is ignored (`nohup`, a parent's SIG_IGN) or when the
terminal is not the process's controlling one. Textual has no hook for end-of-file: its loop asks
the driver's `exit_event` whether to stop, once a turn. So that event here also answers "stop"
once the terminal has gone (its attributes cannot be read: EIO on a hung-up tty), and an EIO
read ends the thread quietly (Textual made it a crash, exit 1); either way `on_hangup` runs once,
on the app's loop.

The same driver resumes the terminal on SIGCONT only after a SIGTSTP suspended it: Textual's
handler resumed on any SIGCONT (`kill -CONT`, a debugger detaching), and each started one more
input thread reading the terminal beside the first.

`hangup_driver` returns the plain driver when Textual's is not the one expected (another
platform, `TEXTUAL_DRIVER`, internals that changed).
"""

from __future__ import annotations

import contextlib
import errno
import threading
from collections.abc import Callable
from typing import Any

from textual.driver import Driver

__all__ = ["hangup_driver"]


class _InputEnd(threading.Event):
    """The input loop's `exit_event`: set, or the terminal `fileno` has gone (`on_gone` then
    called, once)."""

    def __init__(self, fileno: int, on_gone: Callable[[], object]) -> None:
        super().__init__()
        self._fileno = fileno
        self._on_gone = on_gone
        self._gone = False

    def is_set(self) -> bool:
        if super().is_set() or self._gone:
            return True
        import termios

        try:
            termios.tcgetattr(self._fileno)
        except (termios.error, OSError, ValueError):  # EIO: hung up (revoked, closed, not a tty)
            self.gone()
        return self._gone

    def gone(self) -> None:
        """The terminal has gone: the input loop stops (for good) and `on_gone` is called."""
        if not self._gone:
            self._gone = True
            self._on_gone()


def hangup_driver(base: type[Driver], on_hangup: Callable[[], object]) -> type[Driver]:
    """`base` (the app's `driver_class`), made to call `on_hangup` on the app's loop (once) and
    stop reading when the terminal goes away; `base` itself when it is not Textual's LinuxDriver."""
    try:
        from textual.drivers.linux_driver import LinuxDriver
    except ImportError:  # (no termios: Windows)
        return base
    if base is not LinuxDriver or not callable(getattr(base, "run_input_thread", None)):
        return base

    class HangupDriver(LinuxDriver):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            event, fileno = getattr(self, "exit_event", None), getattr(self, "fileno", None)
            self._input_end: _InputEnd | None = None
            if type(event) is threading.Event and isinstance(fileno, int):
                self._input_end = _InputEnd(fileno, self._hung_up)
                self.exit_event = self._input_end

        def run_input_thread(self) -> None:
            try:
                super().run_input_thread()
            except OSError as exc:  # a read of a terminal that has gone (or is not ours any more)
                if exc.errno != errno.EIO or self._input_end is None:
                    raise
                self._input_end.gone()

        def _sigcont_application(self, *args: Any) -> None:
            if getattr(self, "_must_signal_resume", True):  # (set by Textual's SIGTSTP handler)
                super()._sigcont_application(*args)

        def _hung_up(self) -> None:
            loop = getattr(self, "_loop", None)
            with contextlib.suppress(AttributeError, RuntimeError):  # no loop, or closed: the app has gone
                loop.call_soon_threadsafe(on_hangup)  # type: ignore[union-attr]

    return HangupDriver
