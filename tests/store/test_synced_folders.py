"""The data folder kept in git or a synced folder: merges, conflict markers, files from Windows.

Two computers each write their own device folder, but both rewrite `snapshots/<deck>.toml` and
`snapshots.toml` at compaction, so a `git merge` (or a folder sync) can bring the two files from
different computers. Nothing may be lost or counted twice, and what needs the person is one line.
"""

from __future__ import annotations

import shutil
import subprocess
from datetime import timedelta
from pathlib import Path

import pytest
from store_helpers import KEYS, NOW, make_home, open_col, rate

import retain.store.state.device as device_mod
from retain.store.state.lock import WriterLock

needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


def _git(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "core.autocrlf=false", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
    )


def _commit(root: Path, message: str) -> None:
    _git(root, "add", "-A")
    assert _git(root, "commit", "-qm", message).returncode == 0


def _diverged(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Computer a reviews and commits; b clones, reviews `tiny/two`, commits; a reviews
    `tiny/three:c1`, commits and pulls b: both rewrote the snapshot and the manifest."""
    a, b = tmp_path / "a", tmp_path / "b"
    monkeypatch.setattr(device_mod, "host_key", lambda: "computer-a")
    col = open_col(make_home(a))
    rate(col, "tiny/one", NOW)
    col.close(NOW)
    (a / ".gitignore").write_text("cache/\n")
    assert _git(a, "init", "-q", "-b", "main").returncode == 0
    _commit(a, "a1")
    assert _git(tmp_path, "clone", "-q", str(a), str(b)).returncode == 0
    monkeypatch.setattr(device_mod, "host_key", lambda: "computer-b")
    col = open_col(make_home(b), NOW + timedelta(hours=1))
    rate(col, "tiny/two", NOW + timedelta(hours=1))
    col.close(NOW + timedelta(hours=1))
    _commit(b, "b1")
    monkeypatch.setattr(device_mod, "host_key", lambda: "computer-a")
    col = open_col(make_home(a), NOW + timedelta(hours=2))
    rate(col, "tiny/three:c1", NOW + timedelta(hours=2))
    col.close(NOW + timedelta(hours=2))
    _commit(a, "a2")
    merge = _git(a, "pull", "--no-rebase", "-q", str(b), "main")
    assert "CONFLICT" in merge.stdout + merge.stderr
    return a


REVIEWED = {"tiny/one", "tiny/two", "tiny/three:c1"}


@needs_git
@pytest.mark.parametrize(("snapshot", "manifest"), [("ours", "theirs"), ("theirs", "ours")])
def test_a_merge_taking_the_snapshot_and_the_manifest_from_different_sides_loses_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, snapshot: str, manifest: str
) -> None:
    """The manifest's positions were taken to hold for whatever snapshot was there: with the
    snapshot from one computer and the manifest from the other, the other computer's review
    (or this one's) was silently skipped, the card back to its state before it."""
    a = _diverged(tmp_path, monkeypatch)
    assert _git(a, "checkout", f"--{snapshot}", "state/snapshots/tiny.toml").returncode == 0
    assert _git(a, "checkout", f"--{manifest}", "state/snapshots.toml").returncode == 0
    _commit(a, "merged")
    later = NOW + timedelta(hours=3)
    col = open_col(make_home(a), later)
    try:
        assert col.messages == []
        assert {k for k in KEYS if k in col.states} == REVIEWED
        assert len(col.history(later)) == 3
    finally:
        col.close(later)
    # the next compaction wrote the manifest for the snapshot there: the next start agrees
    col = open_col(make_home(a), later + timedelta(minutes=1))
    try:
        assert col.messages == [] and {k for k in KEYS if k in col.states} == REVIEWED
    finally:
        col.close(later + timedelta(minutes=1))


@needs_git
def test_conflict_markers_left_in_the_snapshot_and_manifest_are_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A merge committed with its markers said "not valid TOML (Invalid statement (at line 2,
    column 1))": it now says what happened; both files are kept aside and nothing is lost."""
    a = _diverged(tmp_path, monkeypatch)
    _commit(a, "merged with markers")
    later = NOW + timedelta(hours=3)
    col = open_col(make_home(a), later)
    try:
        assert [m.split(";")[0] for m in col.messages] == [
            "damaged state file snapshots.toml: unresolved merge conflict (a `<<<<<<<` marker at line 2)",
            "damaged state file tiny.toml: unresolved merge conflict (a `<<<<<<<` marker at line 4)",
        ]
        assert {k for k in KEYS if k in col.states} == REVIEWED
        assert len(col.history(later)) == 3
    finally:
        col.close(later)


def test_a_byte_order_mark_on_the_device_files_is_no_damage(tmp_path: Path) -> None:
    """A BOM (a Windows editor, a sync or git filter) before device.toml made it "not valid
    TOML": this computer's was renamed `device.toml.damaged-…` and written again, with a line
    saying so, and every journal said "the journal header is damaged" at each start."""
    home = make_home(tmp_path)
    col = open_col(home)
    rate(col, "tiny/one", NOW)
    col.close(NOW)
    devices = tmp_path / "state" / "devices"
    for path in devices.glob("*/*.toml"):
        path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    (folder,) = devices.iterdir()
    later = NOW + timedelta(minutes=5)
    col = open_col(home, later)
    try:
        assert col.device == folder.name
        # (the journal's recorded position moved by the 3 bytes: read again from its start, said once)
        assert [m for m in col.messages if "recorded position was not trusted" not in m] == []
        assert col.states.get("tiny/one") is not None and len(col.history(later)) == 1
    finally:
        col.close(later)
    assert sorted(p.name for p in folder.iterdir()) == ["device.toml", "journal-2026-03.toml"]


def test_a_byte_order_mark_on_writer_toml_still_names_the_holder(tmp_path: Path) -> None:
    (tmp_path / "writer.toml").write_bytes(b'\xef\xbb\xbfpid = 77\nhost = "laptop"\n')
    assert WriterLock(tmp_path).holder() == "pid 77 on laptop"
