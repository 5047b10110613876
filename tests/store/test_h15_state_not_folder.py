"""A `state` that is no folder (a file, a FIFO): readers say no progress can be read, writers refuse.

Before, `retain due` and `retain stats` showed every card as new and said nothing: a learner
whose progress folder was replaced (a bad sync, a mistaken `mv`) had no word of it.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from store_helpers import NOW, make_home, open_col

from retain.store.collection import CollectionError


@pytest.mark.parametrize("kind", ["file", "fifo"])
def test_a_reader_says_the_progress_cannot_be_read(tmp_path: Path, kind: str) -> None:
    home = make_home(tmp_path)
    state = tmp_path / "state"
    if kind == "file":
        state.write_text("not a folder\n")
    else:
        os.mkfifo(state)
    col = open_col(home, NOW, read_only=True)
    try:
        (said,) = [m for m in col.messages if "no progress can be read" in m]
        assert f"{state} is {'a file' if kind == 'file' else 'a FIFO'}, not a folder" in said
        assert col.states == {}
    finally:
        col.close(NOW)
    with pytest.raises(CollectionError, match=r"is a (file|FIFO), not a folder"):
        open_col(home, NOW)


def test_retain_due_says_it_on_one_line(tmp_path: Path) -> None:
    make_home(tmp_path)
    (tmp_path / "state").write_text("x")
    run = subprocess.run(
        [sys.executable, "-m", "retain", "due"],
        env={**os.environ, "RETAIN_HOME": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode == 0
    lines = [line for line in run.stderr.splitlines() if "progress" in line]
    assert lines == [
        f"retain: warning: no progress can be read: {tmp_path}/state is a file, not a folder; every card shows as new"
    ]
