"""A terminal that goes away without a SIGHUP reaching retain: the installed `retain` stops as on
SIGHUP (exit 129, what was saved whole, its lock let go), within a moment.

With SIGHUP ignored (`nohup`, a parent that set SIG_IGN) or on a terminal that is not the
process's controlling one (no SIGHUP is sent for it), closing the terminal left retain alive for
ever at 100% CPU: Textual's input thread read end-of-file from it over and over and never ended
the app (`retain.ui.driver`).
"""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from .ptyapp import retain_command, strip_ansi

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="needs a Linux pty and its hangup")

DECK = 'format = 1\n\n[deck]\nid = "h14"\nname = "H14"\n' + "".join(
    f'\n[[cards]]\nid = "c{i}"\nfront = "Question {i}?"\nback = "Answer {i}."\n' for i in range(20)
)

# In the child: SIGHUP ignored (as `nohup` or a parent leaves it); with "ctty", its new session's
# controlling terminal is the pty (opened by name after setsid), so that closing the pty's
# master hangs it up; without, the pty is only the process's stdin, stdout and stderr.
_CHILD = """
import os, signal, sys
signal.signal(signal.SIGHUP, signal.SIG_IGN)
if sys.argv[1] == "ctty":  # (a session leader already: start_new_session)
    fd = os.open(sys.argv[2], os.O_RDWR)
    for n in (0, 1, 2):
        os.dup2(fd, n)
    os.close(fd)
os.execv(sys.argv[3], sys.argv[3:])
"""


@pytest.fixture
def home(tmp_path: Path) -> Path:
    (tmp_path / "decks").mkdir()
    (tmp_path / "decks" / "h14.toml").write_text(DECK, encoding="utf-8")
    return tmp_path


def _env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TEXTUAL")}
    env.update(RETAIN_HOME=str(home), TERM="xterm-256color", COLUMNS="100", LINES="30")
    return env


def _close_terminal(home: Path, mode: str, keys: list[tuple[str, float]]) -> tuple[int | None, str]:
    """Start `retain` (SIGHUP ignored) on a pty, wait for its home screen, press `keys` (each
    followed by its pause) and close the pty's master. The exit code within 8 s (None: still
    running then; it is killed), and the screen."""
    master, slave = pty.openpty()
    child = [sys.executable, "-c", _CHILD, mode, os.ttyname(slave), *retain_command()]
    stdio = subprocess.DEVNULL if mode == "ctty" else slave  # (with "ctty", the child opens it)
    proc = subprocess.Popen(
        child, env=_env(home), start_new_session=True, stdin=stdio, stdout=stdio, stderr=stdio
    )
    os.close(slave)
    raw = b""

    def read(seconds: float) -> None:
        nonlocal raw
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            ready, _, _ = select.select([master], [], [], 0.02)
            if ready:
                try:
                    raw += os.read(master, 65536)
                except OSError:
                    return

    deadline = time.monotonic() + 30
    while b"Study" not in raw and time.monotonic() < deadline and proc.poll() is None:
        read(0.05)
    assert b"Study" in raw, strip_ansi(raw)[-1500:]
    for key, pause in keys:
        os.write(master, key.encode())
        read(pause)
    os.close(master)
    try:
        code: int | None = proc.wait(8)
    except subprocess.TimeoutExpired:
        code = None
        proc.kill()
        proc.wait(10)
    return code, strip_ansi(raw)


def _assert_clean_stop(home: Path) -> None:
    """What a SIGHUP's stop promises: the lock let go and its note removed, the journal whole."""
    state = home / "state"
    assert not (state / "writer.toml").exists()
    from retain.store.state.lock import WriterLock

    lock = WriterLock(state)
    assert lock.acquire(datetime.now(UTC))
    lock.release()
    check = subprocess.run(
        [*retain_command(), "due", "--json"], env=_env(home), capture_output=True, text=True, timeout=60
    )
    assert check.returncode == 0, check.stderr


MODES = ["ctty", "plain"]


@pytest.mark.parametrize("mode", MODES)
def test_closed_terminal_without_sighup_exits_129(home: Path, mode: str) -> None:
    """Was: alive after 8 s, ~100 CPU ticks a second, for ever."""
    code, screen = _close_terminal(home, mode, [])
    assert code == 129, f"exit {code} (None: still running); screen:\n{screen[-1500:]}"
    _assert_clean_stop(home)


@pytest.mark.parametrize("mode", MODES)
def test_a_rating_made_before_the_terminal_closed_is_kept(home: Path, mode: str) -> None:
    code, screen = _close_terminal(home, mode, [("a", 0.6), (" ", 0.3), ("3", 0.6)])
    assert code == 129, f"exit {code} (None: still running); screen:\n{screen[-1500:]}"
    _assert_clean_stop(home)
    journals = list((home / "state" / "devices").glob("*/journal-*.toml"))
    ratings = [ln for j in journals for ln in j.read_text(encoding="utf-8").splitlines() if ",r=" in ln]
    assert len(ratings) == 1 and ",r=3," in ratings[0], ratings  # the one rating, whole


@pytest.mark.parametrize("stdin", ["devnull", "closed pipe"])
def test_stdin_that_is_no_terminal_is_one_line_and_exit_2(home: Path, stdin: str) -> None:
    """`retain < /dev/null`, `true | retain`, with the screen on a terminal: one line, never a spin."""
    master, slave = pty.openpty()
    if stdin == "devnull":
        source: int = subprocess.DEVNULL
    else:
        source, writer = os.pipe()
        os.close(writer)  # the pipe is closed before retain reads it
    try:
        proc = subprocess.run(
            retain_command(), env=_env(home), stdin=source, stdout=slave, stderr=slave, timeout=30
        )
    finally:
        os.close(slave)
        if stdin != "devnull":
            os.close(source)
    out = b""
    while select.select([master], [], [], 0.2)[0]:
        try:
            out += os.read(master, 65536)
        except OSError:
            break
    os.close(master)
    assert proc.returncode == 2
    assert (
        strip_ansi(out).strip()
        == "retain: the study screen needs a terminal; for scripts use `retain due --json`"
    )
