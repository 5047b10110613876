"""Device folders as a person handles them: renamed, copied in place, their device.toml damaged.

The folder's name is the device id; a copy (the folder its device.toml names exists) is not read,
a renamed folder (it does not) is read with every review; a damaged device.toml of this machine is
kept and written again, never a silent second device.
"""

from __future__ import annotations

import os
import re
import shutil
from datetime import timedelta
from pathlib import Path

import pytest
from store_helpers import NOW, make_home, open_col, rate

import retain.store.state.device as device_mod
from retain.store.collection import Collection


def _crash(col: Collection) -> None:
    """The process dies after its last rating: the journal has it, no compaction ran."""
    col.writer.close_journal()
    col.writer.release()


def _only_folder(root: Path) -> Path:
    (folder,) = (root / "state" / "devices").iterdir()
    return folder


def test_a_renamed_device_folder_keeps_its_reviews(tmp_path: Path) -> None:
    """`mv devices/<id> devices/laptop` dropped every review in it (Today 0, streak 0, an
    uncompacted rating lost) and called it "a copy of device <id>'s folder", though none exists."""
    home = make_home(tmp_path)
    col = open_col(home)
    rate(col, "tiny/one", NOW)
    col.close(NOW)
    col = open_col(home, NOW + timedelta(minutes=1))
    last = rate(col, "tiny/two", NOW + timedelta(minutes=1))
    _crash(col)
    folder = _only_folder(tmp_path)
    folder.rename(folder.with_name("laptop"))
    later = NOW + timedelta(minutes=5)
    col = open_col(home, later)
    try:
        assert col.messages == []
        assert col.states.get("tiny/two") == last.after  # the rating is not lost
        assert col.progress(later) == (2, 1)  # Today 2 reviews, streak 1 day
        assert col.device == "laptop"  # this machine goes on writing its own (renamed) folder
        rate(col, "tiny/three:c1", later)
    finally:
        col.close(later)
    assert [p.name for p in (tmp_path / "state" / "devices").iterdir()] == ["laptop"]
    col = open_col(home, later + timedelta(minutes=1))
    try:
        assert col.progress(later) == (3, 1) and len(col.history(later)) == 3
    finally:
        col.close(later + timedelta(minutes=1))


def test_a_renamed_folder_and_an_old_copy_of_it_are_read_once(tmp_path: Path) -> None:
    """A backup copy made in place, then the folder renamed: both device.toml name an id no folder
    has. The one holding the most is read, the other is a copy of it; nothing counts twice."""
    home = make_home(tmp_path)
    col = open_col(home)
    rate(col, "tiny/one", NOW)
    col.close(NOW)
    folder = _only_folder(tmp_path)
    shutil.copytree(folder, folder.with_name("backup"))
    col = open_col(home, NOW + timedelta(minutes=1))
    two = rate(col, "tiny/two", NOW + timedelta(minutes=1))
    col.close(NOW + timedelta(minutes=1))
    folder.rename(folder.with_name("laptop"))
    later = NOW + timedelta(minutes=5)
    col = open_col(home, later)
    try:
        assert col.messages == [
            f"devices/backup is a copy of devices/laptop (the device.toml of both says {folder.name}); "
            "it is not read, so no review is counted twice"
        ]
        assert col.device == "laptop"
        assert col.states.get("tiny/two") == two.after
        assert col.progress(later) == (2, 1) and len(col.history(later)) == 2
    finally:
        col.close(later)


def test_a_damaged_device_toml_is_written_again_and_undo_is_kept(tmp_path: Path) -> None:
    """This machine's device.toml zeroed (a crash): retain silently made a second device folder and
    undo after the restart said "Nothing to undo". Now it says so in one line, keeps the damaged
    file and writes device.toml again for the folder its journal names."""
    home = make_home(tmp_path)
    col = open_col(home)
    rated = rate(col, "tiny/one", NOW)
    col.close(NOW)
    folder = _only_folder(tmp_path)
    (folder / "device.toml").write_bytes(b"\0" * 64)
    later = NOW + timedelta(minutes=5)
    col = open_col(home, later)
    try:
        assert col.device == folder.name
        assert col.messages == [
            f"devices/{folder.name}/device.toml is empty or zeroed; it was kept as "
            f"device.toml.damaged-20260328T120500Z and written again for this computer (its journals "
            f"name device {folder.name}), so no review or undo is lost"
        ]
        undoable = col.last_undoable(later)
        assert undoable is not None and undoable.id == rated.id
    finally:
        col.close(later)
    assert _only_folder(tmp_path) == folder  # no second device
    assert (folder / "device.toml.damaged-20260328T120500Z").read_bytes() == b"\0" * 64
    col = open_col(home, later)
    try:
        assert col.messages == [] and col.device == folder.name  # repaired for good
    finally:
        col.close(later)


@pytest.mark.parametrize(
    ("data", "why"),
    [
        (b"", "is empty or zeroed"),
        (b"\xff\xfe", "is not valid TOML"),
        (b"id = " + b"[" * 20_000 + b"]" * 20_000, "is not valid TOML"),  # tomllib's RecursionError
        (b"id = 5\n", "has no device id"),
        (b"#" * 70_000, "is too large to be one"),
        (None, "is not a file"),  # a FIFO: reading it would block
    ],
)
def test_a_damaged_device_toml_is_only_reported_by_a_reader(
    tmp_path: Path, data: bytes | None, why: str
) -> None:
    home = make_home(tmp_path)
    col = open_col(home)
    rated = rate(col, "tiny/one", NOW)
    col.close(NOW)
    folder = _only_folder(tmp_path)
    (folder / "device.toml").unlink()
    if data is None:
        os.mkfifo(folder / "device.toml")
    else:
        (folder / "device.toml").write_bytes(data)
    col = open_col(home, NOW, read_only=True)
    try:
        assert col.messages == [
            f"devices/{folder.name}/device.toml {why}; the folder's journals are still read"
        ]
        assert col.states.get("tiny/one") == rated.after
    finally:
        col.close(NOW)
    assert sorted(p.name for p in folder.iterdir()) == ["device.toml", "journal-2026-03.toml"]


def test_two_damaged_device_tomls_are_said_and_both_read(tmp_path: Path) -> None:
    """Two folders with a damaged device.toml (this machine's and another's): nothing tells which is
    this machine's, so neither is taken over; each is named in a line and both are read."""
    home = make_home(tmp_path)
    col = open_col(home)
    one = rate(col, "tiny/one", NOW)
    col.close(NOW)
    mine = _only_folder(tmp_path)
    other = mine.with_name("0000phone000")
    other.mkdir()
    for path in mine.glob("journal-*.toml"):  # another device's journal: its own id in the header
        (other / path.name).write_bytes(path.read_bytes().replace(mine.name.encode(), other.name.encode()))
    for folder in (mine, other):
        (folder / "device.toml").write_bytes(b"\0" * 8)
    later = NOW + timedelta(minutes=5)
    col = open_col(home, later)
    try:
        assert col.device not in (mine.name, other.name)
        assert col.messages == [
            f"devices/{name}/device.toml is empty or zeroed; the folder's journals are still read"
            for name in sorted((mine.name, other.name))
        ]
        assert col.states.get("tiny/one") == one.after
    finally:
        col.close(later)


def test_a_copied_device_folder_whose_device_toml_has_not_arrived_is_not_read_twice(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A copy of another device's folder with no device.toml (not synced yet; `cp` of the journals
    only; a rename a sync tool makes as a copy and a delete) was read as a device of its own: each
    of its reviews counted twice in the history and the statistics."""
    monkeypatch.setattr(device_mod, "host_key", lambda: "computer-b")
    laptop = tmp_path / "b"
    col = open_col(make_home(laptop))
    for i, key in enumerate(("tiny/one", "tiny/two")):
        rate(col, key, NOW + timedelta(minutes=i))
    col.close(NOW + timedelta(minutes=5))
    monkeypatch.setattr(device_mod, "host_key", lambda: "computer-a")
    folder = _only_folder(laptop)
    shutil.copytree(folder, tmp_path / "state" / "devices" / folder.name)
    copy = tmp_path / "state" / "devices" / "zz-laptop"
    copy.mkdir()
    for journal in folder.glob("journal-*.toml"):
        shutil.copy(journal, copy / journal.name)
    at = NOW + timedelta(hours=1)
    for read_only in (True, False):
        col = open_col(make_home(tmp_path), at, read_only=read_only)
        try:
            assert sorted(e.key for e in col.history(at)) == ["tiny/one", "tiny/two"]
            said = [m for m in col.messages if m.startswith("devices/zz-laptop is a copy")]
            assert len(said) == 1 and f"journals name device {folder.name}" in said[0]
        finally:
            col.close(at)
    (copy / "device.toml").write_bytes((folder / "device.toml").read_bytes())  # it arrives: the same
    col = open_col(make_home(tmp_path), at)
    try:
        assert sorted(e.key for e in col.history(at)) == ["tiny/one", "tiny/two"]
    finally:
        col.close(at)


def test_a_home_copied_on_the_same_computer_records_as_a_device_of_its_own(tmp_path: Path) -> None:
    """`cp -a` of a home on one computer (a second user's synced folder, a backup restored beside
    the original): both homes found the same device folder by the host key and wrote the same
    journal file, so a sync between them made conflict copies or overwrote one side's reviews."""
    a, b = tmp_path / "a", tmp_path / "b"
    col = open_col(make_home(a))
    rate(col, "tiny/one", NOW)
    mine = col.device
    col.close(NOW)
    shutil.copytree(a, b)
    at = NOW + timedelta(hours=1)
    col = open_col(make_home(b), at)
    try:
        assert col.device != mine and col.messages == []  # (nothing to say: nothing is lost)
        assert col.states.get("tiny/one") is not None  # the copied history is still read
        rate(col, "tiny/two", at)
    finally:
        col.close(at)
    for home, device in ((a, mine), (b, None)):  # each keeps its own
        col = open_col(make_home(home), at + timedelta(minutes=1))
        try:
            assert col.messages == [] and (col.device == mine) == (device == mine)
        finally:
            col.close(at + timedelta(minutes=1))


def test_a_moved_home_keeps_its_device(tmp_path: Path) -> None:
    """A home moved (`mv`, its old folder gone) is the same computer's home: it keeps its device
    (undo, its journal), and its device.toml names the new place, so a later copy is told apart."""
    a, b = tmp_path / "a", tmp_path / "b"
    col = open_col(make_home(a))
    rate(col, "tiny/one", NOW)
    mine = col.device
    col.close(NOW)
    a.rename(b)
    col = open_col(make_home(b), NOW + timedelta(minutes=1))
    try:
        assert col.device == mine and col.messages == []
    finally:
        col.close(NOW + timedelta(minutes=1))
    assert f'path = "{(b / "state").resolve()}"' in (_only_folder(b) / "device.toml").read_text()


@pytest.mark.parametrize("bad", ["nul", "too-long"])
def test_a_device_toml_path_that_is_no_usable_path_keeps_the_device(tmp_path: Path, bad: str) -> None:
    """device.toml's `path` is read from a synced, editable file: a NUL in it (TOML "\\u0000") made
    os.path.samefile raise ValueError out of find_device (every writable start a traceback); a
    path too long to stat (ENAMETOOLONG, an OSError) was taken as "another home still there" and
    the home silently left its own device (its undo, its journal) for a new one."""
    col = open_col(make_home(tmp_path))
    rate(col, "tiny/one", NOW)
    mine = col.device
    col.close(NOW)
    toml = tmp_path / "state" / "devices" / str(mine) / "device.toml"
    there = "/tmp/x\\u0000y" if bad == "nul" else "/x" * 3000
    toml.write_text(re.sub(r'(?m)^path = ".*"$', lambda _m: f'path = "{there}"', toml.read_text()))
    at = NOW + timedelta(minutes=1)
    col = open_col(make_home(tmp_path), at)
    try:
        assert col.device == mine
    finally:
        col.close(at)


def test_a_device_folder_appears_only_whole_and_a_half_made_one_is_removed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A SIGKILL between making the device folder and writing its device.toml left an empty
    folder under the device's id; the next start found no device there and made a second one
    (the SIGKILL test's `_device` found two folders)."""
    seen: list[bool] = []
    write = device_mod._write_device_file

    def watching(folder: Path, device: str, *args: object, **kw: object) -> None:
        seen.append((folder.parent / device).exists())  # the real folder, while device.toml is written
        write(folder, device, *args, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(device_mod, "_write_device_file", watching)
    col = open_col(make_home(tmp_path))
    mine = col.device
    col.close(NOW)
    assert seen == [False]
    devices = tmp_path / "state" / "devices"
    assert (devices / str(mine) / "device.toml").is_file()
    half = devices / f"{device_mod.MAKING_PREFIX}0123456789ab"  # what a kill at that moment leaves
    half.mkdir()
    (half / ".device.toml.abcd1234.tmp").write_text("half")
    col = open_col(make_home(tmp_path), NOW + timedelta(minutes=1))
    try:
        assert col.device == mine and col.messages == []
    finally:
        col.close(NOW + timedelta(minutes=1))
    assert sorted(p.name for p in devices.iterdir()) == [str(mine)]
