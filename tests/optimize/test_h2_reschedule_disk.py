"""`retain optimize --reschedule` when the disk refuses the backup or the new states.

A file-size limit (`RLIMIT_FSIZE`, SIGXFSZ ignored: writes past it fail with EFBIG, as on a full
disk they fail with ENOSPC) makes the real writes fail:

- the backup's copy fails: one line naming the backup and the reason; it was the repr of
  `shutil.Error`'s list of (source, target, message) tuples, hundreds of characters per file;
- the backup is made but the journal cannot take the new states: nothing is rescheduled, and
  the backup of a reschedule that never happened is not left behind to fill the disk further.
"""

from __future__ import annotations

import resource
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import pytest
from optimize_home import copy_home, make_home, run, states

pytestmark = pytest.mark.skipif(not hasattr(resource, "RLIMIT_FSIZE"), reason="needs RLIMIT_FSIZE")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_home(tmp_path_factory.mktemp("h2disk") / "home", cards=150)


@contextmanager
def file_size_limit(limit: int) -> Iterator[None]:
    """No file written past `limit` bytes by this process meanwhile."""
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    old = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
        signal.signal(signal.SIGXFSZ, old)


def _largest_state_file(root: Path) -> int:
    """The size of the largest file a reschedule backs up (snapshots and journals)."""
    files = [*(root / "state" / "snapshots").rglob("*"), *(root / "state" / "devices").rglob("*")]
    return max(p.stat().st_size for p in files if p.is_file())


def _fit_first(capsys: pytest.CaptureFixture[str]) -> None:
    """Save fitted weights (no rescheduling), so the run under the limit writes no config.toml."""
    code, out, _err = run(capsys, "alpha", "--no-reschedule")
    assert code == 0 and "saved" in out


def test_a_backup_that_cannot_be_written_is_one_line_and_changes_nothing(
    built: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    root = copy_home(built, tmp_path, monkeypatch)
    _fit_first(capsys)
    before = states(root)
    with file_size_limit(_largest_state_file(root) // 2):  # the journal cannot be copied
        code, out, err = run(capsys, "alpha", "--reschedule")
    assert code == 1
    assert "would change" in out and "rescheduled " not in out
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith(
        "retain: optimize: not rescheduled: cannot back up the state to backups/reschedule-"
    )
    assert "file too large" in lines[0]
    assert "[(" not in lines[0] and "Errno" not in lines[0] and len(lines[0]) < 300
    assert states(root) == before
    left = [p.name for p in (root / "state" / "backups").iterdir() if "reschedule" in p.name]
    assert left == []


def test_a_journal_that_cannot_take_the_new_states_leaves_no_backup(
    built: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # built in place: this device's journal, the one the new states go to, is the largest file
    root = make_home(tmp_path / "home", cards=150)
    monkeypatch.setenv("RETAIN_HOME", str(root))
    _fit_first(capsys)
    journal = max((root / "state" / "devices").rglob("journal-*.toml"), key=lambda p: p.stat().st_size)
    assert journal.name == f"journal-{datetime.now(UTC):%Y-%m}.toml"  # where the new states go
    assert journal.stat().st_size == _largest_state_file(root)
    before = states(root)
    with file_size_limit(_largest_state_file(root) + 64):  # the backup fits, the new events do not
        code, out, err = run(capsys, "alpha", "--reschedule")
    assert code == 1, out + err
    assert "not rescheduled" in err and len(err.strip().splitlines()) == 1, err
    assert states(root) == before
    left = [p.name for p in (root / "state" / "backups").iterdir() if "reschedule" in p.name]
    assert left == []
    code, out, err = run(capsys, "--undo-reschedule", "--dry-run")
    assert (code, out.strip()) == (0, "no reschedule to undo")
