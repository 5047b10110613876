"""A damaged device.toml that cannot be written again (a full disk) stays where it was.

The repair moved it aside first, then failed to write the new one: the folder was left with no
device.toml, so the next start (with room again) found no device of this computer's and made a
second one: the first folder's last review could no longer be undone, and the machine now wrote
two devices' journals.
"""

from __future__ import annotations

import errno
from datetime import timedelta
from pathlib import Path

import pytest
from store_helpers import NOW, make_home, open_col, rate

import retain.store.state.device as device_mod

ZEROED = b"\0" * 64


def _full(path: Path, data: bytes | str, **kwargs: object) -> None:
    raise OSError(errno.ENOSPC, "No space left on device", str(path))


def test_a_repair_a_full_disk_refuses_leaves_the_damaged_file_for_the_next_start(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = make_home(tmp_path)
    col = open_col(home)
    rated = rate(col, "tiny/one", NOW)
    col.close(NOW)
    (folder,) = (tmp_path / "state" / "devices").iterdir()
    (folder / "device.toml").write_bytes(ZEROED)
    later = NOW + timedelta(minutes=5)
    monkeypatch.setattr(device_mod, "atomic_write", _full)
    col = open_col(home, later)
    try:
        assert col.device == folder.name
        assert [m for m in col.messages if "device.toml" in m] == [
            f"devices/{folder.name}/device.toml is empty or zeroed and could not be written again "
            "(no space left on device); the folder's journals are still read"
        ]
    finally:
        col.close(later)
    assert sorted(p.name for p in folder.iterdir() if p.name.startswith("device")) == ["device.toml"]
    assert (folder / "device.toml").read_bytes() == ZEROED
    monkeypatch.undo()
    again = later + timedelta(minutes=5)
    col = open_col(home, again)
    try:
        assert col.device == folder.name  # no second device
        undoable = col.last_undoable(again)
        assert undoable is not None and undoable.id == rated.id
    finally:
        col.close(again)
    assert [p.name for p in (tmp_path / "state" / "devices").iterdir()] == [folder.name]
    assert (folder / "device.toml.damaged-20260328T121000Z").read_bytes() == ZEROED


def test_without_hard_links_the_damaged_file_is_put_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = make_home(tmp_path)
    col = open_col(home)
    rate(col, "tiny/one", NOW)
    col.close(NOW)
    (folder,) = (tmp_path / "state" / "devices").iterdir()
    (folder / "device.toml").write_bytes(ZEROED)

    def no_links(*args: object, **kwargs: object) -> None:
        raise OSError(errno.EPERM, "Operation not permitted")

    monkeypatch.setattr("retain.store.state.device.os.link", no_links)
    monkeypatch.setattr(device_mod, "atomic_write", _full)
    later = NOW + timedelta(minutes=5)
    open_col(home, later).close(later)
    assert [p.name for p in folder.iterdir() if p.name.startswith("device")] == ["device.toml"]
    assert (folder / "device.toml").read_bytes() == ZEROED
