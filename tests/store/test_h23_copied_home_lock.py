"""h23: the writer lock's note (`state/writer.toml`) copied with a home.

A home copied (`cp -a`) while retain ran on the original holds the original's `writer.toml`.
Opening the copy said "the retain that last wrote the progress (pid N) did not close (killed or
crashed); took over its lock", while pid N was alive and writing the original: the note was judged
by its host alone. It is another state folder's note (its `path`), or it names a process that runs
still (its `started`), and nothing is said. A retain that was killed is still taken over with the
line: the same folder (or one moved since), its process gone or its pid now another program's.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tomllib
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from store_helpers import make_home
from test_writer_lock import _kill, _start_writer
from test_writer_lock import _open_now as _open

from retain.store.collection import Collection
from retain.store.state.lock import WriterLock

NOW = datetime(2026, 3, 28, 12, 0, tzinfo=UTC)
KILLED = "did not close (killed or crashed); took over its lock"


def _killed_lines(col: Collection) -> list[str]:
    return [m for m in col.messages if KILLED in m]


def test_a_copy_of_a_home_in_use_does_not_take_over_the_running_retain(tmp_path: Path) -> None:
    """`cp -a` of the home while the TUI is open on it, then retain on the copy."""
    make_home(tmp_path / "H")
    proc = _start_writer(tmp_path / "H")
    try:
        shutil.copytree(tmp_path / "H", tmp_path / "H2", symlinks=True)
        copy = _open(tmp_path / "H2")
        try:
            assert not copy.read_only  # the copy's lock is its own
            assert _killed_lines(copy) == [], copy.messages
            assert "tiny/one" in copy.states
        finally:
            copy.close()
        assert proc.poll() is None  # the original's retain runs on
        original = _open(tmp_path / "H")
        try:
            assert original.read_only  # and holds its own lock still
        finally:
            original.close()
    finally:
        _kill(proc)


def test_a_copy_made_after_a_crash_leaves_the_line_to_the_original(tmp_path: Path) -> None:
    """The copy's note is the original's: the original says it, once, when it next opens."""
    make_home(tmp_path / "H")
    proc = _start_writer(tmp_path / "H")
    _kill(proc)
    shutil.copytree(tmp_path / "H", tmp_path / "H2", symlinks=True)
    copy = _open(tmp_path / "H2")
    try:
        assert _killed_lines(copy) == [] and "tiny/one" in copy.states
    finally:
        copy.close()
    original = _open(tmp_path / "H")
    try:
        (line,) = _killed_lines(original)
        assert f"(pid {proc.pid}, since " in line
    finally:
        original.close()


def test_a_home_moved_after_a_crash_still_says_so(tmp_path: Path) -> None:
    """Its note names the folder it was in, which is gone: the home was moved, the lock is its own."""
    make_home(tmp_path / "H")
    proc = _start_writer(tmp_path / "H")
    _kill(proc)
    (tmp_path / "H").rename(tmp_path / "moved")
    col = _open(tmp_path / "moved")
    try:
        (line,) = _killed_lines(col)
        assert f"(pid {proc.pid}, since " in line
        assert "tiny/one" in col.states
    finally:
        col.close()


def test_a_killed_retains_pid_taken_by_another_program_is_still_a_killed_retain(tmp_path: Path) -> None:
    """The pid runs again, as some other program (pid reuse): not the retain that wrote the note."""
    state = tmp_path / "state"
    lock = WriterLock(state)
    assert lock.acquire(NOW)
    lock.announce(NOW)
    text = (state / "writer.toml").read_text("utf-8")  # left there, as a killed retain's is
    lock.release()
    other = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        (state / "writer.toml").write_text(
            text.replace(f"pid = {os.getpid()}", f"pid = {other.pid}"), "utf-8"
        )
        again = WriterLock(state)
        assert again.acquire(NOW)
        try:
            line = again.announce(NOW)
        finally:
            again.release()
        assert line is not None and f"(pid {other.pid}, since " in line and KILLED in line
    finally:
        other.kill()
        other.wait(timeout=10)


def test_the_note_of_a_retain_that_runs_still_is_no_killed_retain(tmp_path: Path) -> None:
    """Its lock file was deleted under it (a clean-up tool): the lock is free, the note names a
    retain that runs (this very process) and did not close: nothing of a crash is said."""
    state = tmp_path / "state"
    first = WriterLock(state)
    assert first.acquire(NOW)
    assert first.announce(NOW) is None
    (state / "writer.lock").unlink()
    second = WriterLock(state)
    try:
        assert second.acquire(NOW)
        assert second.announce(NOW) is None
    finally:
        second.release()
        first.release()


def test_the_note_says_which_folder_and_which_process(tmp_path: Path) -> None:
    lock = WriterLock(tmp_path / "state")
    assert lock.acquire(NOW)
    try:
        lock.announce(NOW)
        note = tomllib.loads((tmp_path / "state" / "writer.toml").read_text("utf-8"))
    finally:
        lock.release()
    assert note["pid"] == os.getpid() and note["host"] == socket.gethostname()[:100]
    assert note["path"] == str((tmp_path / "state").resolve())
    if Path("/proc/self/stat").exists():
        assert isinstance(note["started"], str) and note["started"]


def test_an_old_note_without_path_or_start_is_read_as_before(tmp_path: Path) -> None:
    """A note written by a retain before this change (pid, host, since): a killed retain's."""
    (tmp_path / "writer.toml").write_text(
        f'pid = {os.getpid()}\nhost = "{socket.gethostname()}"\nsince = 2026-12-03T07:21:09Z\n', "utf-8"
    )
    lock = WriterLock(tmp_path)
    assert lock.acquire(NOW)
    try:
        line = lock.announce(NOW)
    finally:
        lock.release()
    assert line is not None and f"(pid {os.getpid()}, since 2026-12-03 07:21 UTC) {KILLED}" in line


_VALUES = st.one_of(
    st.integers(),
    st.text(max_size=30),
    st.sampled_from(["/", "relative/dir", "/nonexistent/state", "\0", "/" + "x" * 1000, "1:2", ":"]),
    st.lists(st.integers(), max_size=3),
    st.booleans(),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(path=_VALUES, started=_VALUES)
def test_any_path_or_start_in_the_note_gives_a_line_or_nothing(
    tmp_path: Path, path: object, started: object
) -> None:
    """The note is anyone's to write: whatever `path` and `started` hold, one line or none."""
    import tomli_w

    state = tmp_path / "state"
    state.mkdir(exist_ok=True)
    note = {"pid": 1, "host": socket.gethostname()[:100], "path": path, "started": started}
    (state / "writer.toml").write_text(tomli_w.dumps(note), "utf-8")
    lock = WriterLock(state)
    assert lock.acquire(NOW)
    try:
        line = lock.announce(NOW)
    finally:
        lock.release()
    assert line is None or line.startswith("the retain that last wrote the progress (pid 1)")
    if path in ("/nonexistent/state", str(state.resolve())) or not isinstance(path, str):
        assert line is not None  # its own folder (or one gone: moved), pid 1 not the retain that wrote it


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="process start times come from /proc")
def test_a_start_that_is_not_the_pids_is_a_killed_retain(tmp_path: Path) -> None:
    """`started` names another start of that pid (a reboot, a reuse): the line."""
    (tmp_path / "writer.toml").write_text(
        f'pid = {os.getpid()}\nhost = "{socket.gethostname()}"\nstarted = "x:1"\n'
        f'path = "{tmp_path.resolve()}"\n',
        "utf-8",
    )
    lock = WriterLock(tmp_path)
    assert lock.acquire(NOW)
    try:
        line = lock.announce(NOW)
    finally:
        lock.release()
    assert line is not None and KILLED in line
