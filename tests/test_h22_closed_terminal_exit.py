"""A terminal that closes while `retain optimize` asks its [y/N] question: exit 129, also with
SIGHUP ignored (`nohup`), as the README says ("129 by SIGHUP or a closed terminal (SIGHUP ignored
too)"). With SIGHUP ignored the read of the gone terminal raised EIO (or, a moment later, the
report's write did), which the command line took for a file error: exit 1."""

from __future__ import annotations

import os
import pty
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = [pytest.mark.slow, pytest.mark.skipif(os.name != "posix", reason="a pty")]

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def studied(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A home with 300 cards and months of reviews: enough for `optimize` to fit and ask."""
    home = tmp_path_factory.mktemp("h22tty") / "home"
    subprocess.run(
        [
            sys.executable,
            str(ROOT / "benchmarks" / "make_library.py"),
            "--cards",
            "300",
            "--decks",
            "1",
            "--home",
            str(home),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    return home


def _close_at_the_question(home: Path, ignore_hup: bool) -> int:
    env = {**os.environ, "RETAIN_HOME": str(home)}
    pid, fd = pty.fork()
    if pid == 0:  # the child: retain on the pty's slave side
        if ignore_hup:
            signal.signal(signal.SIGHUP, signal.SIG_IGN)
        os.execve(sys.executable, [sys.executable, "-m", "retain", "optimize", "--all"], env)
    seen, end = b"", time.monotonic() + 120
    while time.monotonic() < end and b"[y/N]" not in seen:
        if select.select([fd], [], [], 0.5)[0]:
            try:
                seen += os.read(fd, 4096)
            except OSError:
                break
    assert b"[y/N]" in seen, seen[-400:]
    os.close(fd)  # the terminal closes while retain waits for the answer
    for _ in range(300):
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return os.waitstatus_to_exitcode(status)
        time.sleep(0.1)
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    pytest.fail("retain hung after its terminal closed")


@pytest.mark.parametrize("ignore_hup", [False, True], ids=["SIGHUP delivered", "SIGHUP ignored"])
def test_a_terminal_closed_at_the_question_exits_129(studied: Path, tmp_path: Path, ignore_hup: bool) -> None:
    import shutil

    home = tmp_path / "home"
    shutil.copytree(studied, home)
    assert _close_at_the_question(home, ignore_hup) == 129
