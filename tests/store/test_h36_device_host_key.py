"""h36 (attacker 50): a device.toml whose host key is gone is damage, repaired in one line.

With `host_key` misspelt (`hoSt_key`) or removed, start-up found no folder of this machine and
silently made a second device: no review was lost, but undo after the restart no longer reached
the earlier ratings. Every retain writes the key, so a file without it is damaged: kept, written
again for the folder its journals name, and said, as a zeroed one is."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from store_helpers import NOW, make_home, open_col, rate


@pytest.mark.parametrize("edit", ["misspelt", "removed", "not text"])
def test_a_device_toml_without_its_host_key_is_repaired(tmp_path: Path, edit: str) -> None:
    home = make_home(tmp_path)
    col = open_col(home)
    rated = rate(col, "tiny/one", NOW)
    col.close(NOW)
    (folder,) = (tmp_path / "state" / "devices").iterdir()
    path = folder / "device.toml"
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines(keepends=True)
    (at,) = [i for i, line in enumerate(lines) if line.startswith("host_key")]
    lines[at] = {
        "misspelt": lines[at].replace("host_key", "hoSt_key"),
        "removed": "",
        "not text": "host_key = 5\n",
    }[edit]
    path.write_text("".join(lines), encoding="utf-8")
    later = NOW + timedelta(minutes=5)
    col = open_col(home, later)
    try:
        assert col.device == folder.name
        assert [m for m in col.messages if "device.toml" in m] == [
            f"devices/{folder.name}/device.toml has no host key; it was kept as "
            f"device.toml.damaged-20260328T120500Z and written again for this computer (its journals "
            f"name device {folder.name}), so no review or undo is lost"
        ]
        undoable = col.last_undoable(later)
        assert undoable is not None and undoable.id == rated.id
    finally:
        col.close(later)
    assert [p.name for p in (tmp_path / "state" / "devices").iterdir()] == [folder.name]
