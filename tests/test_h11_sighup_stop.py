"""SIGHUP (a closed terminal) while the TUI runs: nothing of Textual's is left running, so the
process exits (129) instead of waiting forever for the input thread (no daemon), which on a closed
terminal read end-of-file over and over at 100% CPU.

Each case runs in a child process: signal handlers and Textual's driver are process-wide.
"""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(os.name != "posix", reason="needs POSIX signals and a pty")

# `Stopped` raised by one of the app's interval timers, as the SIGHUP's landed in the screen's
# update timer: the timer's task ends with it, asyncio raises it again from the task that awaits
# that timer while it cancels the app's tasks, and the app's shutdown (which tells the input
# thread to stop) never runs. `app.run()` raises with the input thread still running.
_STOPPED_IN_A_TIMER = """
import sys, threading
from textual.app import App
from retain.cli import Stopped
from retain.commands.review import _run_app

class Busy(App[None]):
    def on_mount(self) -> None:
        self.set_interval(0.02, self.refresh)
        self.set_interval(0.3, self.stop)

    def stop(self) -> None:
        raise Stopped(1)

try:
    _run_app(Busy())
except KeyboardInterrupt:
    print("stopped", file=sys.__stdout__)
alive = [t.name for t in threading.enumerate() if t.name == "textual-input" and t.is_alive()]
print("input threads", alive, file=sys.__stdout__, flush=True)
"""


def test_the_input_thread_ends_when_the_app_is_stopped_inside_a_timer(tmp_path: Path) -> None:
    master, slave = pty.openpty()  # Textual's driver needs a terminal
    env = {k: v for k, v in os.environ.items() if not k.startswith("TEXTUAL")}
    env.update(TERM="xterm-256color", RETAIN_HOME=str(tmp_path))
    proc = subprocess.Popen(
        [sys.executable, "-c", _STOPPED_IN_A_TIMER],
        stdin=slave,
        stderr=slave,
        stdout=subprocess.PIPE,
        env=env,
        start_new_session=True,
    )
    os.close(slave)
    try:
        deadline = time.monotonic() + 20
        while proc.poll() is None and time.monotonic() < deadline:
            if select.select([master], [], [], 0.05)[0]:  # read what it draws, or it blocks
                try:
                    os.read(master, 65536)
                except OSError:
                    break
        try:  # (the terminal reads EOF once the child closed it: it is exiting, or hung there)
            proc.wait(max(0.0, deadline - time.monotonic()) + 5)
            hung = False
        except subprocess.TimeoutExpired:
            hung = True
            proc.kill()
        out = proc.communicate(timeout=10)[0].decode()
    finally:
        os.close(master)
    assert "stopped" in out
    assert "input threads []" in out, out
    assert not hung, f"the process did not exit (an input thread left running): {out}"
    assert proc.returncode == 0


# A closed terminal: the kernel sends SIGHUP and, right behind it, SIGCONT. Both are pending when
# the process runs again (blocked here, then let through at once, as on a hang-up). The SIGCONT
# handler stands for Textual's driver's, which starts the terminal mode again (another input
# thread, the first one left behind) whenever it is called, suspended before or not.
_HANGUP_WITH_SIGCONT = """
import os, signal, sys
from retain import cli

resumed = []
signal.signal(signal.SIGHUP, signal.SIG_DFL)  # (as a terminal gives it: not ignored by a `nohup`)
saved = []
cli._take_signals(saved)
signal.signal(signal.SIGCONT, lambda signum, frame: resumed.append(signum))
both = {signal.SIGHUP, signal.SIGCONT}
signal.pthread_sigmask(signal.SIG_BLOCK, both)
os.kill(os.getpid(), signal.SIGHUP)
os.kill(os.getpid(), signal.SIGCONT)
try:
    signal.pthread_sigmask(signal.SIG_UNBLOCK, both)
    for _ in range(1000):  # the SIGCONT's handler runs here, if it runs
        pass
    print("not stopped")
except cli.Stopped as exc:
    for _ in range(1000):
        pass
    print("stopped", exc.signum)
finally:
    cli._give_back(saved)
print("resumed", resumed)
"""


def test_the_sigcont_behind_a_sighup_does_not_resume_the_stopping_tui() -> None:
    out = subprocess.run(
        [sys.executable, "-c", _HANGUP_WITH_SIGCONT], capture_output=True, text=True, timeout=60
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.split("\n")[:2] == ["stopped 1", "resumed []"], out.stdout + out.stderr
    assert "race condition" not in out.stderr  # (what SIG_DFL in its place would print)
