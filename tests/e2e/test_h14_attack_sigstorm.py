"""h14 attack: SIGTSTP and SIGCONT arriving close together (a script's `kill -TSTP; kill -CONT`,
a job-control tool, a debugger) leave the TUI running once, drawn, and taking keys.

Textual runs its suspend and resume in the signal handlers, and Python runs a handler again
inside one still at work: a SIGCONT during a resume started application mode a second time (one
more input and writer thread each time: 4 threads became 15 to 20), a SIGTSTP during a resume
or a SIGCONT during a suspend left retain stopped for good or dead to keys (no exit on `q`).
"""

from __future__ import annotations

import os
import signal
import sys
import time
from pathlib import Path

import pytest

from .ptyapp import PtyApp

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="needs /proc and a Linux pty")

DECK = 'format = 1\n\n[deck]\nid = "storm"\nname = "Alpha Storm"\n' + "".join(
    f'\n[[cards]]\nid = "c{i}"\nfront = "Question {i}?"\nback = "Answer {i}."\n' for i in range(5)
)


def _threads(pid: int) -> int:
    return len(os.listdir(f"/proc/{pid}/task"))


def _state(pid: int) -> str:
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]


def _settled(pid: int, seconds: float = 1.5) -> int:
    """The process's thread count once it has stayed the same for a while."""
    count, since = _threads(pid), time.monotonic()
    deadline = time.monotonic() + 15
    while time.monotonic() - since < seconds and time.monotonic() < deadline:
        time.sleep(0.1)
        now = _threads(pid)
        if now != count:
            count, since = now, time.monotonic()
    return count


@pytest.mark.parametrize("conts", [1, 5])
def test_stops_and_continues_in_a_burst_leave_one_running_tui(tmp_path: Path, conts: int) -> None:
    (tmp_path / "decks").mkdir()
    (tmp_path / "decks" / "storm.toml").write_text(DECK, encoding="utf-8")
    app = PtyApp([], tmp_path)
    try:
        app.wait_for("Study")
        pid = app.proc.pid
        before = _settled(pid)
        for i in range(30):
            os.kill(pid, signal.SIGTSTP)
            time.sleep(0.002 * (i % 5))
            for _ in range(conts):
                os.kill(pid, signal.SIGCONT)
        time.sleep(0.5)
        os.kill(pid, signal.SIGCONT)  # the last word: go on
        after = _settled(pid)
        assert _state(pid) != "T", "still stopped after the last SIGCONT"
        assert after == before, f"{before} threads before the burst, {after} after"
        mark = app.mark()
        app.press("enter")
        app.wait_for("Question", since=mark)  # keys reach the app
        app.press("q", "q")
        assert app.proc.wait(10) == 0
    finally:
        app.close()


def test_stop_and_fg_as_a_shell_does_many_times(tmp_path: Path) -> None:
    """The real sequence (a stop, seen by the shell, then its SIGCONT), ten times: each time the
    TUI is back, drawn, with no thread more."""
    (tmp_path / "decks").mkdir()
    (tmp_path / "decks" / "storm.toml").write_text(DECK, encoding="utf-8")
    app = PtyApp([], tmp_path)
    try:
        app.wait_for("Study")
        pid = app.proc.pid
        before = _settled(pid)
        for _ in range(10):
            os.kill(pid, signal.SIGTSTP)
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline and _state(pid) != "T":
                time.sleep(0.02)
            assert _state(pid) == "T"
            mark = app.mark()
            os.kill(pid, signal.SIGCONT)
            app.wait_for("Study", since=mark)
        assert _settled(pid) == before
        app.press("q")
        assert app.proc.wait(10) == 0
    finally:
        app.close()
