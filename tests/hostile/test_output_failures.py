"""Output that cannot be written: `> /dev/full` (a full disk) and `| head` (the reader left).

`retain due > /dev/full` printed a traceback; `retain stats` blamed its SVG file ("cannot
write None"). A full disk is one line on stderr and exit 1; a reader that left is silence
and the command's own exit code (0, or 1 for `check`'s errors), never
"Exception ignored" at the interpreter's exit.
"""

from __future__ import annotations

import json
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
    assert done.stderr.decode().splitlines() == ["retain: no space left on device"]


@pytest.mark.parametrize("args", COMMANDS, ids=" ".join)
def test_a_reader_that_left_is_no_error(tmp_path: Path, args: tuple[str, ...]) -> None:
    read, write = os.pipe()
    os.close(read)  # `| head` that has already quit
    try:
        done = _run(tmp_path, args, write)
    finally:
        os.close(write)
    assert done.returncode == (1 if args[0] == "check" else 0), done.stderr  # check: bad.toml has errors
    assert b"Traceback" not in done.stderr and b"Exception ignored" not in done.stderr
    assert b"Broken pipe" not in done.stderr


def test_import_goes_on_when_the_reader_of_its_output_has_left(tmp_path: Path) -> None:
    """`retain import DIR | head -1`: the closed pipe surfaced in the import's own error
    handling ("import failed: Broken pipe" for each file, none imported, exit 0) whenever a
    line reached the pipe before the end (`PYTHONUNBUFFERED=1`, or 8 KiB of output)."""
    src = tmp_path / "src"
    src.mkdir()
    for name in ("k1", "k2"):
        (src / f"{name}.toml").write_text(
            f'format = 1\n\n[deck]\nid = "{name}"\nname = "{name}"\n\n'
            '[[cards]]\nid = "c1"\nfront = "Q?"\nback = "A"\n'
        )
    home = tmp_path / "home"
    read, write = os.pipe()
    os.close(read)
    env = {**os.environ, "RETAIN_HOME": str(home), "PYTHONUTF8": "1", "PYTHONUNBUFFERED": "1"}
    try:
        done = subprocess.run(
            [sys.executable, "-m", "retain", "import", str(src)],
            stdout=write,
            stderr=subprocess.PIPE,
            stdin=subprocess.DEVNULL,
            env=env,
            timeout=120,
        )
    finally:
        os.close(write)
    assert (done.returncode, done.stderr) == (0, b"")
    assert sorted(p.name for p in (home / "decks").iterdir()) == ["k1.toml", "k2.toml"]


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full on this system")
@pytest.mark.parametrize("args", [("due", "--json"), ("stats", "--json")], ids=" ".join)
def test_a_full_stderr_does_not_cost_the_report(tmp_path: Path, args: tuple[str, ...]) -> None:
    """A warning that could not be written (`2>/dev/full`) ended the command before its
    report: `due --json` printed nothing and exited 1."""
    (tmp_path / "config.toml").write_text("[exam.nothing]\ndate = 2020-01-01\n")  # a warning
    env = {**os.environ, "RETAIN_HOME": str(tmp_path), "PYTHONUTF8": "1"}
    with open("/dev/full", "wb") as full:
        done = subprocess.run(
            [sys.executable, "-m", "retain", *args],
            stdout=subprocess.PIPE,
            stderr=full,
            stdin=subprocess.DEVNULL,
            env=env,
            timeout=120,
        )
    assert done.returncode == 0
    assert "kafka" in {d.get("id", d.get("deck_id")) for d in json.loads(done.stdout)["decks"]}
