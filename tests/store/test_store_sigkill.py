"""SIGKILL at random moments: no acknowledged rating lost, nothing torn, temp files cleaned up."""

from __future__ import annotations

import os
import random
import select
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from store_helpers import make_home

from retain.store.collection import Collection
from retain.store.state.journal import journal_files, scan_file
from retain.store.state.snapshot import load_snapshot, snapshot_files

CHILD = Path(__file__).with_name("sigkill_child.py")
KILLS = int(os.environ.get("RETAIN_SIGKILL_ROUNDS", "50"))


def _run_and_kill(root: Path, seed: int, rng: random.Random) -> list[str]:
    """Start a child, kill it at a random moment, return the event ids it acknowledged."""
    env = {**os.environ, "RETAIN_HOME": str(root)}
    proc = subprocess.Popen(
        [sys.executable, str(CHILD), str(seed)], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    assert proc.stdout is not None
    early = rng.random() < 0.2  # sometimes while it opens (repair, lock, backup)
    deadline = time.monotonic() + (rng.uniform(0.0, 0.25) if early else 30)
    out = b""
    while time.monotonic() < deadline:
        ready, _, _ = select.select([proc.stdout], [], [], 0.01)
        if ready:
            chunk = os.read(proc.stdout.fileno(), 65536)
            if not chunk:
                break
            out += chunk
            if not early and b"READY" in out:
                time.sleep(rng.uniform(0.0, 0.06))
                break
    proc.send_signal(signal.SIGKILL)
    rest, err = proc.communicate()
    out += rest
    assert b"Traceback" not in err, err.decode()
    lines = out.decode().split("\n")
    complete = lines[:-1]  # the last piece may be an id cut mid-print: not acknowledged
    return [line for line in complete if line and line not in ("READY", "READONLY")]


def _check(root: Path, acked: set[str]) -> None:
    now = datetime.now(UTC)
    col = Collection.open(make_home_home(root), now)
    try:
        assert not col.read_only, col.messages
        # a crash may cause two lines: the killed child's lock taken over, and a torn tail cut off
        took_over = [m for m in col.messages if m.startswith("the retain that last wrote the progress")]
        assert len(took_over) <= 1, col.messages
        for message in col.messages:
            assert message in took_over or "cut off" in message, message
        journal = [  # one device: file order is write order (child clocks overlap on purpose)
            e for f in journal_files(_device(root)) for _, e in scan_file(f, 0, now).events
        ]
        missing = acked - {e.id for e in journal}
        assert not missing, f"acknowledged ratings lost: {sorted(missing)[:3]}"
        assert {e.id for e in col.history(now)} == {e.id for e in journal}
        last = {}
        for e in journal:
            last[e.key] = e.after
        for key, after in last.items():
            assert col.states.get(key) == after, key
    finally:
        col.close(now)
    state = root / "state"
    for folder in (state / "devices").iterdir():
        for path in journal_files(folder):
            scan = scan_file(path, 0, now)
            assert scan.torn == b"" and scan.problems == [], (path, scan.problems)
    for path in snapshot_files(state / "snapshots"):
        assert load_snapshot(path, now).problems == []
    leftovers = [p for p in state.rglob(".*") if p.name.endswith(".tmp") or ".tmp-" in p.name]
    assert not leftovers, leftovers


def _device(root: Path) -> Path:
    (folder,) = (root / "state" / "devices").iterdir()
    return folder


def make_home_home(root: Path):  # type: ignore[no-untyped-def]
    from retain.store.home import open_home

    return open_home({"RETAIN_HOME": str(root)})


def test_sigkill_at_random_moments_loses_no_acknowledged_rating(tmp_path: Path) -> None:
    make_home(tmp_path)
    rng = random.Random(20260328)
    acked: set[str] = set()
    for round_no in range(KILLS):
        acked |= set(_run_and_kill(tmp_path, round_no, rng))
        if round_no % 10 == 9:  # a power cut mid-write: part of a block reached the disk
            newest = journal_files(_device(tmp_path))[-1]
            with newest.open("ab") as fh:
                fh.write(b'7352={i="torn-by-test",u="tiny/one",t=2026-'[: rng.randint(1, 40)])
        _check(tmp_path, acked)
    assert len(acked) > KILLS  # the children really did rate between kills
