"""A SIGCONT that follows no stop (`kill -CONT`, a job-control tool, a debugger detaching) leaves
the running TUI as it is: Textual's handler resumed application mode all the same, so a second
input thread read the terminal beside the first, and keys went to either (an escape sequence
split between them)."""

from __future__ import annotations

import os
import signal
import sys
import time
from pathlib import Path

import pytest

from .ptyapp import PtyApp

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="needs /proc and a Linux pty")

DECK = 'format = 1\n\n[deck]\nid = "cont"\nname = "Cont"\n' + "".join(
    f'\n[[cards]]\nid = "c{i}"\nfront = "Question {i}?"\nback = "Answer {i}."\n' for i in range(5)
)


def _threads(pid: int) -> int:
    return len(os.listdir(f"/proc/{pid}/task"))


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


def test_a_stray_sigcont_starts_no_second_input_thread(tmp_path: Path) -> None:
    (tmp_path / "decks").mkdir()
    (tmp_path / "decks" / "cont.toml").write_text(DECK, encoding="utf-8")
    app = PtyApp([], tmp_path)
    try:
        app.wait_for("Study")
        pid = app.proc.pid
        before = _settled(pid)
        for _ in range(3):
            os.kill(pid, signal.SIGCONT)
            time.sleep(0.2)
        after = _settled(pid)
        assert after == before, f"{before} threads before the SIGCONTs, {after} after"
        app.press("q")
        assert app.proc.wait(10) == 0
    finally:
        app.close()


def test_a_stop_and_continue_still_resumes_the_tui(tmp_path: Path) -> None:
    """SIGTSTP then SIGCONT (`kill -TSTP`, then the shell's `fg`): the TUI comes back, drawn (it
    stayed blank until the next key: Textual 8 repaints only after its own `App.suspend`), and
    takes keys."""
    (tmp_path / "decks").mkdir()
    (tmp_path / "decks" / "cont.toml").write_text(DECK, encoding="utf-8")
    app = PtyApp([], tmp_path)
    try:
        app.wait_for("Study")
        pid = app.proc.pid
        before = _settled(pid)
        os.kill(pid, signal.SIGTSTP)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and _state(pid) != "T":
            time.sleep(0.05)
        assert _state(pid) == "T"  # stopped
        mark = app.mark()
        os.kill(pid, signal.SIGCONT)
        app.wait_for("Study", since=mark)  # drawn again
        assert _settled(pid) == before
        app.press("enter")
        app.wait_for("Question", since=mark)  # keys reach the app
        app.press("q")
        assert app.proc.wait(10) == 0
    finally:
        app.close()


def _state(pid: int) -> str:
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
