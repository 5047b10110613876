"""A retain killed outright (SIGKILL: the OOM killer, `kill -9`) during a cold index build leaves
no worker process behind (h19).

Ctrl-C, SIGTERM and SIGHUP stop the workers (`test_cold_build_signals`), but SIGKILL runs no
code: the workers went on forever, reparented to init, each holding 50-65 MB and the terminal's
or a pipe's end of stdout (a caller reading `retain due | ...` waited for them), and they took
SIGTERM as "stop after this chunk" while blocked sending a result nobody read.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from test_cold_build_signals import NOW, _big_journal

CHILD = """
import os, signal, sys, time
from datetime import datetime
from pathlib import Path
from retain.store.index import parallel
path, out, busy = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3] == "busy"
now = datetime.fromisoformat(sys.argv[4])
reader = parallel.ChunkReader([(path, 0, None)] * (6 if busy else 2), now, 2, None)
pool = reader._pool
while len(getattr(pool, "_processes", {})) < 2:
    time.sleep(0.05)
if not busy:
    for future in list(reader._futures):
        future.result()  # both chunks done: the workers idle
time.sleep(0.5)
out.write_text(" ".join(str(pid) for pid in pool._processes))
os.kill(os.getpid(), signal.SIGKILL)
"""


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def _workers_after_a_kill(tmp_path: Path, busy: str) -> list[int]:
    path = _big_journal(tmp_path, 8 if busy == "busy" else 1)
    out = tmp_path / "pids"
    child = subprocess.run(
        [sys.executable, "-c", CHILD, str(path), str(out), busy, NOW.isoformat()],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        timeout=120,
    )
    assert child.returncode == -9
    pids = [int(p) for p in out.read_text().split()]
    assert len(pids) == 2
    deadline = time.monotonic() + 5
    while any(_alive(p) for p in pids) and time.monotonic() < deadline:
        time.sleep(0.1)
    left = [p for p in pids if _alive(p)]
    for pid in left:  # (the test leaves nothing behind either)
        os.kill(pid, 9)
    return left


def test_idle_workers_end_with_a_killed_retain(tmp_path: Path) -> None:
    assert _workers_after_a_kill(tmp_path, "idle") == []


def test_busy_workers_end_with_a_killed_retain(tmp_path: Path) -> None:
    assert _workers_after_a_kill(tmp_path, "busy") == []
