"""Two processes at once never corrupt the state: one writes, the other is read-only."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from store_helpers import make_home

from retain.store.collection import Collection
from retain.store.home import open_home
from retain.store.state.journal import journal_files, scan_file

CHILD = Path(__file__).with_name("sigkill_child.py")


def test_two_writers_one_reader_never_corrupt(tmp_path: Path) -> None:
    make_home(tmp_path)
    env = {**os.environ, "RETAIN_HOME": str(tmp_path)}
    procs = [
        subprocess.Popen([sys.executable, str(CHILD), str(seed)], env=env, stdout=subprocess.PIPE, text=True)
        for seed in (1, 2)
    ]
    # wait until both have decided (a loaded machine can take seconds to start Python)
    first = sorted(p.stdout.readline().strip() for p in procs if p.stdout is not None)
    assert first == ["READONLY", "READY"], first  # exactly one got the lock
    # while the writer runs, a third process keeps opening read-only (what `retain due` does)
    home = open_home({"RETAIN_HOME": str(tmp_path)})
    reads = 0
    deadline = time.monotonic() + 2.0
    while time.monotonic() < deadline:
        col = Collection.open(home, datetime.now(UTC), read_only=True)
        assert all("damaged" not in m and "set aside" not in m for m in col.messages), col.messages
        col.close()
        reads += 1
    for p in procs:
        p.terminate()
    outs = [p.communicate()[0] for p in procs]
    writer_out = max(outs, key=len)
    acked = {line for line in writer_out.split("\n") if line}
    assert acked and reads > 1
    col = Collection.open(home, datetime.now(UTC))
    try:
        assert not col.read_only
        (device,) = (tmp_path / "state" / "devices").iterdir()
        ids = {e.id for f in journal_files(device) for _, e in scan_file(f, 0, datetime.now(UTC)).events}
        assert acked <= ids
    finally:
        col.close()
