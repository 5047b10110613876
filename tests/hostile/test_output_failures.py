"""Output that cannot be written: `> /dev/full` (a full disk) and `| head` (the reader left).

`retain due > /dev/full` printed a traceback; `retain stats` blamed its SVG file ("cannot
write None"). A full disk is one line on stderr and exit 1; a reader that left is silence
and exit 0 (as `git log | head`), never "Exception ignored" at the interpreter's exit.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

COMMANDS = [("due",), ("due", "--json"), ("stats",), ("stats", "--json"), ("check", "bad.toml"), ("locate",)]


def _run(home: Path, args: tuple[str, ...], stdout: int) -> subprocess.CompletedProcess[bytes]:
    (home / "bad.toml").write_text("format = 1\n[deck\n")  # `check` prints its problems to stdout
    env = {**os.environ, "RETAIN_HOME": str(home), "PYTHONUTF8": "1"}
    return subprocess.run(
        [sys.executable, "-m", "retain", *args],
        cwd=home,
        stdout=stdout,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        env=env,
        timeout=120,
    )


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full on this system")
@pytest.mark.parametrize("args", COMMANDS, ids=" ".join)
def test_a_full_disk_behind_the_output_is_one_line(tmp_path: Path, args: tuple[str, ...]) -> None:
    with open("/dev/full", "wb") as full:
        done = _run(tmp_path, args, full.fileno())
    assert done.returncode == 1, done.stderr
    assert done.stderr.decode().splitlines() == ["retain: No space left on device"]


@pytest.mark.parametrize("args", COMMANDS, ids=" ".join)
def test_a_reader_that_left_is_no_error(tmp_path: Path, args: tuple[str, ...]) -> None:
    read, write = os.pipe()
    os.close(read)  # `| head` that has already quit
    try:
        done = _run(tmp_path, args, write)
    finally:
        os.close(write)
    assert done.returncode == 0, done.stderr
    assert b"Traceback" not in done.stderr and b"Exception ignored" not in done.stderr
    assert b"Broken pipe" not in done.stderr
