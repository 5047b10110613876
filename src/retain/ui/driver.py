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
input thread reading the terminal beside the first. Its stop and continue never run inside one
another: Python runs a signal handler again inside one still at work, so a burst of SIGTSTP and
SIGCONT (a script's `kill -TSTP; kill -CONT`) started application mode twice, or stopped retain
after the SIGCONT that was to wake it. Each signal is acted on after the one under way, the
latest winning; a stop with a SIGCONT already after it does not stop. One race is left: a
SIGTSTP and a SIGCONT that arrive together are handled in signal-number order (SIGCONT first:
that is how CPython runs them), and no process can check for a SIGCONT and stop in one step, so
a burst can still end stopped; one more SIGCONT (`fg`) wakes it.

`hangup_driver` returns the plain driver when Textual's is not the one expected (another
platform, `TEXTUAL_DRIVER`, internals that changed).
"""

from __future__ import annotations

import contextlib
import errno
import os
import signal
import threading
from collections.abc import Callable
from typing import Any

from textual.driver import Driver

__all__ = ["drawn_size", "hangup_driver"]


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


def drawn_size(fileno: int) -> tuple[int, int] | None:
    """The size of the terminal at `fileno` (the one the screen is drawn on: stderr), None when it
    is no terminal or `COLUMNS`/`LINES` set it. Textual asked stdout's (`shutil`), which is no
    terminal with `retain > log`: the screen was drawn at 80x25 in a bigger or smaller one."""
    if os.environ.get("COLUMNS") or os.environ.get("LINES"):
        return None
    try:
        size = os.get_terminal_size(fileno)
    except (OSError, ValueError):
        return None
    return (size.columns, size.lines) if size.columns > 0 and size.lines > 0 else None


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
            self._job_wanted: str | None = None  # (before Textual's __init__ sets the handlers)
            self._job_busy = False
            super().__init__(*args, **kwargs)
            # Textual's flags this driver's stop and continue rely on; else Textual's own handlers
            self._job_own = isinstance(getattr(self, "_must_signal_resume", None), bool) and isinstance(
                getattr(self, "_auto_restart", None), bool
            )
            event, fileno = getattr(self, "exit_event", None), getattr(self, "fileno", None)
            self._input_end: _InputEnd | None = None
            if type(event) is threading.Event and isinstance(fileno, int):
                self._input_end = _InputEnd(fileno, self._hung_up)
                self.exit_event = self._input_end

        def _get_terminal_size(self) -> tuple[int, int]:
            drawn = getattr(getattr(self, "_file", None), "fileno", None)
            size = drawn_size(drawn()) if callable(drawn) else None
            return size or super()._get_terminal_size()

        def run_input_thread(self) -> None:
            try:
                super().run_input_thread()
            except OSError as exc:  # a read of a terminal that has gone (or is not ours any more)
                if exc.errno != errno.EIO or self._input_end is None:
                    raise
                self._input_end.gone()

        def _sigtstp_application(self, *args: Any) -> None:
            if not getattr(self, "_job_own", False):
                super()._sigtstp_application(*args)
            else:
                self._job_signal("stop")

        def _sigcont_application(self, *args: Any) -> None:
            if not getattr(self, "_job_own", False):
                super()._sigcont_application(*args)
            else:
                self._job_signal("cont")

        def _job_signal(self, what: str) -> None:
            """A SIGTSTP ("stop") or SIGCONT ("cont"): the latest one wins, and each is acted on
            after the one under way (Python runs a handler again inside one that is still at
            work: Textual's resumed twice, or stopped after the SIGCONT that was to wake it)."""
            self._job_wanted = what
            while not getattr(self, "_job_busy", False) and self._job_wanted is not None:
                self._job_busy = True
                try:
                    while self._job_wanted is not None:
                        want, self._job_wanted = self._job_wanted, None
                        if want == "stop":
                            self._job_stop()
                        else:
                            self._job_continue()
                finally:
                    self._job_busy = False

        def _job_stop(self) -> None:
            """Out of application mode (once), then stopped, unless a SIGCONT came meanwhile."""
            if self._auto_restart and not self._must_signal_resume:
                self.suspend_application_mode()
                self._must_signal_resume = True  # (Textual's: resumed, the app is told)
            if self._job_wanted != "cont":  # (it would have nothing to wake it)
                os.kill(os.getpid(), signal.SIGSTOP)

        def _job_continue(self) -> None:
            """Back in application mode, only when a SIGTSTP took it out (a stray SIGCONT does
            nothing). Textual clears `_must_signal_resume` once the terminal is its own again."""
            if self._auto_restart and self._must_signal_resume:
                self.resume_application_mode()

        def _hung_up(self) -> None:
            loop = getattr(self, "_loop", None)
            with contextlib.suppress(AttributeError, RuntimeError):  # no loop, or closed: the app has gone
                loop.call_soon_threadsafe(on_hangup)  # type: ignore[union-attr]

    return HangupDriver
