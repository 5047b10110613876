"""`retain optimize` while the TUI is open (another process holds the writer lock).

`--reschedule` cannot be done without the lock: it used to fit anyway (minutes on a long
history), save the new weights to config.toml, and only then say "cards were not
rescheduled" (the open TUI went on scheduling with the old weights). It is refused before
anything is fitted or written. A fit without `--reschedule` still saves the weights, and says
that the retain that is open uses them once started again.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
from optimize_home import make_home, run

pytestmark = pytest.mark.skipif(os.name != "posix", reason="a second process holding the OS lock")

HOLDER = textwrap.dedent(
    """
    import sys
    from datetime import UTC, datetime
    from retain.store.collection import Collection
    from retain.store.home import open_home

    col = Collection.open(open_home(), datetime.now(UTC))
    print("READONLY" if col.read_only else "READY", flush=True)
    sys.stdin.readline()
    col.close()
    """
)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_home(tmp_path_factory.mktemp("opt") / "home", cards=120)


@pytest.fixture
def locked(built: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A copy of the home, as RETAIN_HOME, with a real second process holding its writer lock."""
    import shutil

    root = tmp_path / "home"
    shutil.copytree(built, root)
    monkeypatch.setenv("RETAIN_HOME", str(root))
    env = {**os.environ, "RETAIN_HOME": str(root)}
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER], env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    assert holder.stdin is not None and holder.stdout is not None
    try:
        assert holder.stdout.readline().strip() == "READY"
        yield root
    finally:
        holder.stdin.close()
        holder.wait(20)
        holder.stdout.close()


def test_h6_reschedule_is_refused_before_fitting_while_another_retain_writes(
    locked: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = locked / "config.toml"
    before = config.read_bytes() if config.exists() else None
    code, out, err = run(capsys, "alpha", "--reschedule")
    assert code == 1
    assert out == ""  # nothing fitted: no preset line
    lines = [line for line in err.splitlines() if line]
    assert lines[-1] == (
        "retain: optimize: another retain is writing the progress: close it, then run this again "
        "(nothing was fitted or saved; --dry-run fits without the lock)"
    )
    assert "Traceback" not in err
    assert (config.read_bytes() if config.exists() else None) == before


def test_h6_weights_saved_while_another_retain_writes_say_when_they_apply(
    locked: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "alpha", "--no-reschedule")
    assert code == 0, err
    assert "better, saved to [presets.default]" in out
    assert "the retain that is open schedules with them once it is started again" in out
    assert "Traceback" not in err


def test_h6_dry_run_reschedule_still_works_while_another_retain_writes(
    locked: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "alpha", "--reschedule", "--dry-run")
    assert code == 0, err
    assert "dry run" in out and "would change" in out
