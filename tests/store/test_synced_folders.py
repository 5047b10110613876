"""The data folder kept in git or a synced folder: merges, conflict markers, files from Windows.

Two computers each write their own device folder, but both rewrite `snapshots/<deck>.toml` and
`snapshots.toml` at compaction, so a `git merge` (or a folder sync) can bring the two files from
different computers. Nothing may be lost or counted twice, and what needs the person is one line.
"""

from __future__ import annotations

import shutil
import subprocess
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from store_helpers import KEYS, NOW, make_home, open_col, rate

import retain.store.state.device as device_mod
from retain.cli import main
from retain.store.config import ConfigError, load_config
from retain.store.config_edit import ConfigDocument, ConfigEditError
from retain.store.config_write import save_parameters
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
        assert (
            [m.split(";")[0] for m in col.messages]
            == [
                "damaged state file snapshots.toml: unresolved merge conflict (a `<<<<<<<` marker at line 3)",  # (deck_count)
                "damaged state file tiny.toml: unresolved merge conflict (a `<<<<<<<` marker at line 5)",  # (card_count)
            ]
        )
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


MERGED_CONFIG = """rollover_hour = 4
<<<<<<< HEAD
theme = "nord"
=======
theme = "gruvbox"
>>>>>>> origin/main

[study]
new_per_day = 10
"""
MARKER_SAID = "unresolved merge conflict (a `<<<<<<<` marker at line 2)"


def _merged_config(root: Path) -> Path:
    path = root / "config.toml"
    path.write_text(MERGED_CONFIG, encoding="utf-8")
    return path


def test_conflict_markers_in_config_toml_are_named_by_the_loader(tmp_path: Path) -> None:
    """They gave the bare TOML error `config.toml:2:1: TOML syntax: Invalid statement`."""
    path = _merged_config(tmp_path)
    with pytest.raises(ConfigError) as info:
        load_config(path)
    said = str(info.value)
    assert said.startswith(f"{path}:2:1: {MARKER_SAID}") and "\n" not in said
    assert path.read_text(encoding="utf-8") == MERGED_CONFIG


@pytest.mark.parametrize(("command", "code"), [(["due"], 2), (["stats"], 2), (["check"], 2), (["locate"], 1)])
def test_conflict_markers_in_config_toml_are_one_line_from_every_command(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    command: list[str],
    code: int,
) -> None:
    monkeypatch.setenv("RETAIN_HOME", str(tmp_path))
    path = _merged_config(tmp_path)
    assert main(command) == code
    err = capsys.readouterr().err
    assert MARKER_SAID in err and len(err.strip().splitlines()) == 1
    assert path.read_text(encoding="utf-8") == MERGED_CONFIG


def test_conflict_markers_in_config_toml_are_named_by_the_settings_and_optimize_writers(
    tmp_path: Path,
) -> None:
    """The settings screen (its document, also "apply mine to theirs" after a merge on disk) and
    `retain optimize` saving weights said tomlkit's or the TOML parser's error."""
    path = _merged_config(tmp_path)
    with pytest.raises(ConfigEditError, match="unresolved merge conflict"):
        ConfigDocument.open(path)
    with pytest.raises(ConfigError, match="unresolved merge conflict"):
        save_parameters(path, "default", [0.5] * 21)
    assert path.read_text(encoding="utf-8") == MERGED_CONFIG


@pytest.mark.parametrize(
    "name", ["config.sync-conflict-20260328-120000-ABCDEFG.toml", "config (conflicted copy 2026-03-28).toml"]
)
def test_a_conflict_copy_of_config_toml_is_said(tmp_path: Path, name: str) -> None:
    """Its settings were silently not used."""
    path = tmp_path / "config.toml"
    path.write_text("rollover_hour = 4\n", encoding="utf-8")
    (tmp_path / name).write_text("rollover_hour = 5\n", encoding="utf-8")
    assert [w for w in load_config(path).warnings if name in w] != []
    path.unlink()  # (also when config.toml itself is missing)
    assert [w for w in load_config(path).warnings if name in w] != []


def _shared_device(tmp_path: Path) -> tuple[Path, bytes]:
    """One device folder written on two computers: the folder sync keeps one version of the
    journal (`tiny/three:c1` reviewed) and makes a conflict copy of the other (`tiny/two`)."""
    home = make_home(tmp_path)
    col = open_col(home)
    rate(col, "tiny/one", NOW)
    col.close(NOW)
    (journal,) = (tmp_path / "state" / "devices").glob("*/journal-*.toml")
    before = journal.read_bytes()
    later = NOW + timedelta(hours=1)
    col = open_col(make_home(tmp_path), later)
    rate(col, "tiny/two", later)
    col.close(later)
    theirs = journal.read_bytes()
    journal.write_bytes(before)
    later += timedelta(minutes=5)
    col = open_col(make_home(tmp_path), later)
    rate(col, "tiny/three:c1", later)
    col.close(later)
    return journal, theirs


@pytest.mark.parametrize(
    "name",
    [
        "journal-2026-03.sync-conflict-20260328-120000-ABCDEFG.toml",
        "journal-2026-03 (conflicted copy 2026-03-28).toml",
        "journal-2026-03.v2.sync-conflict-20260328-120000-ABCDEFG.toml",
        "journal-2026-03 2.toml",  # iCloud Drive
        "journal-2026-03 (1).toml",  # Google Drive, Windows
        "journal-2026-03-LAPTOP.toml",  # OneDrive: the other computer's name
        "journal-2026-03.v2 2.toml",
    ],
)
def test_a_conflict_copy_of_a_journal_has_its_reviews_read_once(tmp_path: Path, name: str) -> None:
    """It was silently ignored: the other computer's review of `tiny/two` was in no file read."""
    journal, theirs = _shared_device(tmp_path)
    (journal.parent / name).write_bytes(theirs)
    at = NOW + timedelta(hours=3)
    col = open_col(make_home(tmp_path), at, read_only=True)  # read-only: said, nothing written
    try:
        assert [m for m in col.messages if name in m and "1 review(s) no journal holds" in m] != []
    finally:
        col.close(at)
    assert (journal.parent / name).is_file()
    for step in range(2):
        when = at + timedelta(minutes=step)
        col = open_col(make_home(tmp_path), when)
        try:
            assert {k for k in KEYS if k in col.states} == REVIEWED
            assert sorted(e.key for e in col.history(when)) == sorted(REVIEWED)  # each once
            said = [m for m in col.messages if name in m]
            assert len(said) == (1 - step) and (not said or "were taken in as devices/" in said[0])
        finally:
            col.close(when)
    assert not (journal.parent / name).exists()
    assert len(list((tmp_path / "state" / "quarantine").glob(f"*{name}"))) == 1


def test_two_computers_taking_in_one_conflict_copy_write_the_same_folder(tmp_path: Path) -> None:
    """Both sides of the sync take the copy in before they see each other's result: the folder
    they make is the same, byte for byte, so the sync brings no second copy of its reviews."""
    journal, theirs = _shared_device(tmp_path / "a")
    (journal.parent / "journal-2026-03.sync-conflict-20260328-120000-ABCDEFG.toml").write_bytes(theirs)
    shutil.copytree(tmp_path / "a", tmp_path / "b")
    at = NOW + timedelta(hours=3)
    made = []
    for side in ("a", "b"):
        open_col(make_home(tmp_path / side), at).close(at)
        devices = tmp_path / side / "state" / "devices"
        made.append({p.relative_to(devices): p.read_bytes() for p in devices.glob("*-c*/*")})
    assert made[0] == made[1] and len(made[0]) == 2


def test_conflict_markers_committed_in_a_journal_are_named_and_both_sides_read(tmp_path: Path) -> None:
    """Two computers writing as one device, their journals merged by git with the markers kept:
    both sides' events were read, but the marker lines were said as "damaged event at byte N set
    aside" lines (and copied to quarantine), not as the merge conflict they are."""
    journal, theirs = _shared_device(tmp_path)
    ours = journal.read_bytes()
    same = next(i for i, (a, b) in enumerate(zip(ours, theirs, strict=False)) if a != b)
    common = ours[: ours[:same].rfind(b"\n") + 1]  # the lines both sides share
    journal.write_bytes(
        common
        + b"<<<<<<< HEAD\n"
        + ours[len(common) :]
        + b"=======\n"
        + theirs[len(common) :]
        + b">>>>>>> 5c1e0d2 (review on the laptop)\n"
    )
    for step in range(2):
        at = NOW + timedelta(hours=3 + step)
        col = open_col(make_home(tmp_path), at)
        try:
            assert {k for k in KEYS if k in col.states} == REVIEWED
            assert [m for m in col.messages if "damaged" in m] == []
            said = [m for m in col.messages if "unresolved merge conflict" in m]
            assert len(said) == 1 - step and all(journal.name in m for m in said)  # once, when read
            if step == 0:
                rate(col, "tiny/one", at)  # appended after the marker lines: read back next time
        finally:
            col.close(at)
    assert not (tmp_path / "state" / "quarantine").exists()


def test_reviews_taken_in_from_a_journal_copy_count_once_when_the_main_file_gets_them(tmp_path: Path) -> None:
    """After a conflict copy's reviews were taken into `devices/<id>-c<hash>/`, a later sync kept
    the copy's version as the journal (the same events, same ids): `tiny/two`'s one review was in
    the history twice (found by the review)."""
    journal, theirs = _shared_device(tmp_path)
    (journal.parent / "journal-2026-03.sync-conflict-20260328-120000-ABCDEFG.toml").write_bytes(theirs)
    at = NOW + timedelta(hours=3)
    open_col(make_home(tmp_path), at).close(at)  # the copy is taken in
    journal.write_bytes(theirs)  # the other computer's version of the journal wins the next sync
    at += timedelta(minutes=1)
    col = open_col(make_home(tmp_path), at)
    try:
        keys = [e.key for e in col.history(at)]
        said = [m for m in col.messages if "are in devices/" in m]
    finally:
        col.close(at)
    assert keys.count("tiny/two") == 1, keys
    assert len(said) == 1 and "moved to quarantine/" in said[0]
    assert [p.name for p in (tmp_path / "state" / "devices").iterdir() if "-c" in p.name] == []
    at += timedelta(minutes=1)
    col = open_col(make_home(tmp_path), at)  # and the next start: nothing more to say, still once
    try:
        assert [e.key for e in col.history(at)].count("tiny/two") == 1
        assert [m for m in col.messages if "are in devices/" in m] == []
    finally:
        col.close(at)


_COPY = "journal-2026-03.sync-conflict-20260328-120000-ABCDEFG.toml"


def _rated(root: Path, key: str, at: datetime) -> Path:
    """`key` reviewed at `at` in the data folder `root`; its device's journal file."""
    col = open_col(make_home(root), at)
    try:
        rate(col, key, at)
    finally:
        col.close(at)
    (journal,) = (root / "state" / "devices").glob(f"*/{_COPY[:15]}.toml")
    return journal


def _history(root: Path, at: datetime, **kw: object) -> tuple[list[str], list[str]]:
    col = open_col(make_home(root), at, **kw)
    try:
        return [e.key for e in col.history(at)], list(col.messages)
    finally:
        col.close(at)


# A hostile conflict copy of a journal in a synced data folder: another device's events, a
# symbolic link by the name of the folder its reviews are taken into.


def test_a_copy_holding_another_devices_journal_adds_none_of_its_reviews(tmp_path: Path) -> None:
    """Device B's journal as a "conflict copy" in device A's folder: B's review was taken in again
    under A's name and counted twice (once from B's folder, once from A-c...)."""
    journal_a = _rated(tmp_path / "a", "tiny/one", NOW)
    journal_b = _rated(tmp_path / "b", "tiny/one", NOW + timedelta(minutes=1))
    shutil.copytree(journal_b.parent, tmp_path / "a" / "state" / "devices" / journal_b.parent.name)
    (journal_a.parent / _COPY).write_bytes(journal_b.read_bytes())
    keys, said = _history(tmp_path / "a", NOW + timedelta(hours=1), read_only=True)
    assert keys.count("tiny/one") == 2, keys
    assert [m for m in said if _COPY in m and "1 event(s) with another device's ids left out" in m] != []
    for step in range(2):
        keys, said = _history(tmp_path / "a", NOW + timedelta(hours=2 + step))
        assert keys.count("tiny/one") == 2, keys  # once per device, never a third time
    assert [p for p in (tmp_path / "a" / "state" / "devices").iterdir() if "-c" in p.name] == []


def test_a_symlink_by_the_name_of_the_taken_in_folder_is_not_written_through(tmp_path: Path) -> None:
    """The folder a copy's reviews go to is named by a hash of their ids, so a synced folder can
    hold a link by that name to any folder of the user: the journal and device.toml were written
    there."""
    root = tmp_path / "home"
    journal = _rated(root, "tiny/one", NOW)
    before = journal.read_bytes()
    _rated(root, "tiny/two", NOW + timedelta(hours=1))
    (journal.parent / _COPY).write_bytes(journal.read_bytes())
    journal.write_bytes(before)
    probe = tmp_path / "probe"  # where the copy's reviews go, found on a copy of the folder
    shutil.copytree(root, probe)
    at = NOW + timedelta(hours=2)
    open_col(make_home(probe), at).close(at)
    (made,) = [p.name for p in (probe / "state" / "devices").iterdir() if "-c" in p.name]
    outside = tmp_path / "outside"
    outside.mkdir()
    (root / "state" / "devices" / made).symlink_to(outside)
    _keys, said = _history(root, at)
    assert list(outside.iterdir()) == []
    (line,) = [m for m in said if _COPY in m]
    assert f"could not be taken in (devices/{made} is a symbolic link" in line and "\n" not in line
    assert (journal.parent / _COPY).is_file()  # kept where it was: nothing lost
