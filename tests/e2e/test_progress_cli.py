"""Every command that draws progress, on a real pseudo-terminal and with stderr closed.

`import` and `export` draw a bar for a big file, `stats`, `due` and `optimize` one while
they index the history on a cold cache: each must fit a 20-column terminal, draw nothing
for TERM=dumb, and work with stderr closed (`2>&-`, cron), where Python's stderr is None
and every command died silently with exit 1.
"""

from __future__ import annotations

import fcntl
import os
import pty
import re
import shutil
import struct
import subprocess
import sys
import termios
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from retain.core.state import CardState, Event
from retain.store.collection import Collection
from retain.store.home import open_home


def _env(home: Path, **more: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES", "TERM")}
    env.update(RETAIN_HOME=str(home), **more)
    return env


def _on_a_terminal(home: Path, cols: int, term: str, args: list[str]) -> tuple[int, bytes]:
    """Run `retain ARGS` with stderr on a pseudo-terminal `cols` wide: its code, and what reached it."""
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 24, cols, 0, 0))
    proc = subprocess.Popen(
        [sys.executable, "-m", "retain", *args],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=follower,
        env=_env(home, TERM=term, LC_ALL="C.UTF-8"),
    )
    os.close(follower)
    seen = b""
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the child has closed its end
            break
        if not chunk:
            break
        seen += chunk
    os.close(leader)
    return proc.wait(timeout=120), seen


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A home with a 3000-card deck `big` and 400 reviews: enough for every bar to show."""
    root = tmp_path_factory.mktemp("progress")
    home = root / "home"
    (home / "decks").mkdir(parents=True)
    rows = "".join(f"front {i}\tback {i}\n" for i in range(3000))
    (root / "big.txt").write_text("#separator:tab\n" + rows, "utf-8")
    subprocess.run(
        [sys.executable, "-m", "retain", "import", str(root / "big.txt")],
        env=_env(home),
        capture_output=True,
        check=True,
    )
    os.environ["RETAIN_HOME"], saved = str(home), os.environ.get("RETAIN_HOME")
    try:
        now = datetime.now(UTC)
        col = Collection.open(open_home(), now)
        at = now - timedelta(days=2)
        state = CardState(
            state=2, step=0, stability=3.0, difficulty=5.0, due=at + timedelta(days=3), last_review=at
        )
        events = [
            Event(
                col.new_event_id(at + timedelta(seconds=i)),
                "review",
                key,
                at + timedelta(seconds=i),
                state,
                None,
                3,
                1000,
            )
            for i, key in enumerate(list(col.units_by_key)[:400])
        ]
        col.record_many(events)
        col.close(now)
    finally:
        if saved is None:
            del os.environ["RETAIN_HOME"]
        else:
            os.environ["RETAIN_HOME"] = saved
    return root


COMMANDS = {
    "import": ["import", "{root}/big.txt"],
    "export": ["export", "big", "-o", "{root}/out-{n}.txt"],
    "stats": ["stats"],
    "due": ["due"],
    "optimize": ["optimize", "big", "--dry-run"],
}


def _args(name: str, root: Path, n: str) -> list[str]:
    return [a.format(root=root, n=n) for a in COMMANDS[name]]


@pytest.mark.parametrize("name", list(COMMANDS))
@pytest.mark.parametrize("term", ["xterm", "dumb"])
def test_progress_fits_a_narrow_terminal_and_a_dumb_one_gets_none(
    library: Path, name: str, term: str
) -> None:
    shutil.rmtree(
        library / "home" / "cache", ignore_errors=True
    )  # cold: stats, due, optimize index the history
    code, seen = _on_a_terminal(library / "home", 20, term, _args(name, library, term))
    assert code in (0, 1), seen  # optimize: too few reviews to fit is its own one line
    assert b"Traceback" not in seen
    drawn = [line for line in re.split(rb"\r\n|\n|\r|\x1b\[K", seen) if line]
    if term == "dumb":
        assert b"\x1b" not in seen and b"%" not in seen, seen
    else:
        assert any(b"%" in line for line in drawn), seen  # a bar was drawn ...
        bars = [line for line in drawn if b"%" in line]
        assert all(len(line.decode()) < 20 for line in bars), bars  # ... that fits


@pytest.mark.parametrize("name", list(COMMANDS))
def test_a_closed_stderr_is_no_failure(library: Path, name: str) -> None:
    shutil.rmtree(library / "home" / "cache", ignore_errors=True)
    got = subprocess.run(
        ["sh", "-c", 'exec "$@" 2>&-', "sh", sys.executable, "-m", "retain", *_args(name, library, "closed")],
        env=_env(library / "home"),
        capture_output=True,
        stdin=subprocess.DEVNULL,
        timeout=120,
    )
    assert got.returncode in (0, 1) and got.stdout, got
    assert b"Traceback" not in got.stdout


@pytest.mark.parametrize("name", ["due", "stats"])
def test_a_closed_stdout_is_no_traceback(library: Path, name: str) -> None:
    """`retain due 1>&-` (a cron job with stdout closed) ended in a traceback from the final flush."""
    got = subprocess.run(
        [
            "sh",
            "-c",
            'exec "$@" 1>&-',
            "sh",
            sys.executable,
            "-m",
            "retain",
            *_args(name, library, "closed-out"),
        ],
        env=_env(library / "home"),
        capture_output=True,
        stdin=subprocess.DEVNULL,
        timeout=120,
    )
    assert b"Traceback" not in got.stderr, got.stderr
    # the report would go nowhere: one line and exit 1, as `ls >&-` does (not a silent success)
    assert got.returncode == 1 and got.stderr.decode().count("\n") == 1, got
    assert b"standard output is closed" in got.stderr, got.stderr
