"""A cold index build stopped by Ctrl-C, SIGTERM or SIGHUP (sent to the whole process group,
as a terminal does): quiet, quick, no worker process left, never a hang."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from retain.core.state import REVIEW, CardState, Event
from retain.store.state.journal import JournalWriter

NOW = datetime(2026, 3, 28, 12, 0, tzinfo=UTC)


def _default_signals() -> None:
    """In the child, before it runs: Ctrl-C, SIGHUP and SIGTERM as a terminal gives them. A
    runner started in the background (`cmd &`, `nohup`) passes them on ignored, and Python keeps
    an ignored SIGINT ignored (then no KeyboardInterrupt, nothing to test)."""
    for signum in (signal.SIGINT, signal.SIGHUP, signal.SIGTERM):
        signal.signal(signum, signal.SIG_DFL)


def _big_journal(root: Path, megabytes: int) -> Path:
    """A journal of `megabytes` MB: a few hundred real records, then copies of them."""
    device = root / "state" / "devices" / "aaaaaaaaaaaa"
    writer = JournalWriter(device, fsync=False)
    for n in range(1, 300):
        at = NOW - timedelta(hours=n)
        after = CardState(REVIEW, None, 3.0, 5.0, at + timedelta(days=3), at, 1, 0)
        writer.append(Event(f"aaaaaaaaaaaa-{n:019d}-{n}", "review", f"tiny/c{n}", at, after, None, 3, 1000))
    writer.close()
    (path,) = device.glob("journal-*.toml")
    text = path.read_bytes()
    head, _, body = text.partition(b"\n\n")
    copies = max(1, (megabytes << 20) // len(body))
    path.write_bytes(head + b"\n\n" + body * copies)
    return path


def test_closing_a_chunk_reader_stops_its_workers_at_once(tmp_path: Path) -> None:
    """A cold build stopped with Ctrl-C waited for each worker to finish its chunk (and the one
    queued after it): 2-7 s at 50k cards before the prompt came back."""
    from retain.store.index import parallel

    path = _big_journal(tmp_path, 24)
    size = path.stat().st_size
    start = time.process_time()
    parallel._read_chunk(path, 0, 8 << 20, NOW)  # a third of one worker's chunk, read here
    third = time.process_time() - start  # (CPU time: the machine's load changes both alike)
    todo = [(path, 0, None)] * 4  # each one a whole file read: seconds of work
    reader = parallel.ChunkReader(todo, NOW, 2, None)
    pool = reader._pool
    assert pool is not None
    deadline = time.monotonic() + 30
    while len(getattr(pool, "_processes", {})) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(1.0)  # both workers are decoding
    processes = list(getattr(pool, "_processes", {}).values())
    assert size > 20 << 20 and len(processes) == 2
    start = time.monotonic()
    reader.close()
    for process in processes:
        process.join(timeout=30)
    took = time.monotonic() - start
    assert all(p.exitcode is not None for p in processes)
    # Before, each worker finished its chunk and the one queued after it (seconds); now it
    # stops at once. The bound is a third of one chunk's decoding, measured above.
    assert took < max(0.5, third), (
        f"the workers took {took:.1f} s to stop ({third:.1f} s: a third of a chunk)"
    )


def _cold_build(
    home: Path, delay: float, signals: tuple[int, ...] = (signal.SIGINT,)
) -> tuple[int | None, float, str, list[str]]:
    """`retain due` on `home` with no cache, Ctrl-C to its process group after `delay` s
    (as a terminal sends it): exit code, seconds to exit, stderr, processes left."""
    code = (
        # as the installed `retain` (its argv: the workers run with it too), with smaller chunks
        "import sys; sys.argv = ['retain', 'due']; "
        "from retain.store.index import parallel; parallel.PARALLEL_BYTES = 0; "
        "parallel.CHUNK_BYTES = 2 << 20; parallel.workers = lambda: 2; "
        "from retain.cli import main; sys.exit(main(['due']))"
    )
    env = dict(os.environ, RETAIN_HOME=str(home))
    proc = subprocess.Popen(
        [sys.executable, "-c", code],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
        preexec_fn=_default_signals,
    )
    time.sleep(delay)
    if proc.poll() is not None:  # a fast machine built it all before the signal: nothing to stop
        pytest.skip(f"the cold build ended within {delay} s, before the signal")
    start = time.monotonic()
    for signum in signals:
        os.killpg(proc.pid, signum)
        time.sleep(0.15)
    try:
        _, err = proc.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        raise
    took = time.monotonic() - start
    time.sleep(0.3)
    found = subprocess.run(
        ["ps", "-o", "pid=,stat=,args=", "-g", str(proc.pid)], capture_output=True, text=True
    )
    left = [line for line in found.stdout.splitlines() if line.split()[1:2] != ["Z"]]
    for line in left:
        os.kill(int(line.split()[0]), signal.SIGKILL)
    return proc.returncode, took, err.decode(), left


@pytest.mark.parametrize("delay", [0.3, 0.6, 0.9, 1.2, 1.6, 2.2])
def test_ctrl_c_during_a_cold_build_is_quiet_and_quick(tmp_path: Path, delay: float) -> None:
    """Ctrl-C reaches the workers too: one still starting printed its KeyboardInterrupt
    traceback, and the prompt came back only when every worker finished its chunks."""
    _big_journal(tmp_path, 24)
    shutil.rmtree(tmp_path / "cache", ignore_errors=True)
    code, took, err, left = _cold_build(tmp_path, delay)
    assert "Traceback" not in err and "Exception" not in err, err
    assert code == 130
    assert not left
    assert took < 5.0, f"{took:.1f} s"  # (0.15-1 s measured; this bound only catches a stall)


def test_a_second_ctrl_c_while_a_cold_build_stops_never_hangs(tmp_path: Path) -> None:
    """A second Ctrl-C while Python's exit waited for the workers hung retain for good (a third
    left the workers running with no parent)."""
    _big_journal(tmp_path, 24)
    shutil.rmtree(tmp_path / "cache", ignore_errors=True)
    code, took, err, left = _cold_build(tmp_path, 1.5, (signal.SIGINT, signal.SIGINT))
    # (a second Ctrl-C landing while Python closes down, after retain has let its handlers go,
    # ends it by the signal: a shell shows 130 all the same)
    assert (code in (130, -signal.SIGINT), err, left) == (True, "", [])
    assert took < 5.0, f"{took:.1f} s"  # (a hang, before: the timeout above)


@pytest.mark.parametrize(("signum", "code"), [(signal.SIGTERM, 143), (signal.SIGHUP, 129)])
def test_sigterm_and_sighup_during_a_cold_build_stop_it_cleanly(
    tmp_path: Path, signum: int, code: int
) -> None:
    """SIGTERM and SIGHUP (a closed terminal) killed retain mid-build; its workers died too, and
    one killed while sending its chunk could hang the pool."""
    _big_journal(tmp_path, 24)
    shutil.rmtree(tmp_path / "cache", ignore_errors=True)
    got, took, err, left = _cold_build(tmp_path, 1.5, (signum,))
    assert (got, err, left) == (code, "", [])
    assert took < 5.0, f"{took:.1f} s"  # (0.15-1 s measured; this bound only catches a stall)
