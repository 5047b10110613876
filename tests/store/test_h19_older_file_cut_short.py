"""An older month file of a device cut short (or changed at its own length) is read again from its
start, with one line, and the next compaction records a position that fits it (h19).

A file before the device's position was checked only when it had grown: one cut short (a sync
tool's half copy, a restore of an older backup) was taken as applied without a word, and the
manifest kept a position past its end for good.
"""

from __future__ import annotations

import tomllib
from datetime import timedelta
from pathlib import Path

from store_helpers import NOW, make_home, open_col, rate

FEB = NOW - timedelta(days=40)


def _two_months(root: Path) -> Path:
    """This device's February file (three ratings) and March file; the February one."""
    home = make_home(root)
    col = open_col(home, FEB)
    for n, key in enumerate(("tiny/one", "tiny/two", "tiny/three:c1")):
        rate(col, key, FEB + timedelta(minutes=n))
    col.close(FEB)
    col = open_col(home, NOW)
    rate(col, "tiny/three:c2", NOW)
    col.close(NOW)
    (folder,) = (root / "state" / "devices").iterdir()
    (feb,) = folder.glob("journal-*-02.toml")
    return feb


def _recorded(root: Path, name: str) -> list[int]:
    """Every offset the manifest and snapshots record for the file `name`."""
    found: list[int] = []

    def walk(value: object) -> None:
        if isinstance(value, dict):
            if value.get("file") == name and isinstance(value.get("offset"), int):
                found.append(value["offset"])
            for key, item in value.items():
                if key == name and isinstance(item, dict) and isinstance(item.get("offset"), int):
                    found.append(item["offset"])
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    for path in (root / "state").rglob("snapshot*.toml"):
        walk(tomllib.loads(path.read_text(encoding="utf-8")))
    return found


def test_an_older_file_cut_short_is_said_and_its_position_mended(tmp_path: Path) -> None:
    feb = _two_months(tmp_path)
    data = feb.read_bytes()
    cut = data.rindex(b"\n", 0, data.index(b'"tiny/two"')) + 1  # tiny/two's and the next record gone
    feb.write_bytes(data[:cut])
    assert any(offset > cut for offset in _recorded(tmp_path, feb.name))
    later = NOW + timedelta(minutes=5)
    col = open_col(make_home(tmp_path), later)
    try:
        said = [m for m in col.messages if feb.name in m]
        assert len(said) == 1 and "shorter" in said[0] and "read from its start" in said[0], col.messages
        assert col.states["tiny/one"].last_review == FEB  # nothing that is still there is lost
    finally:
        col.close(later)
    assert all(offset <= cut for offset in _recorded(tmp_path, feb.name)), _recorded(tmp_path, feb.name)
    col = open_col(make_home(tmp_path), later + timedelta(minutes=1))
    try:
        assert not [m for m in col.messages if feb.name in m], col.messages  # said once
    finally:
        col.close(later + timedelta(minutes=1))


def test_an_older_file_changed_at_its_own_length_is_read_again(tmp_path: Path) -> None:
    """Its last record zeroed (a sync tool writing it in place): the same size, another check."""
    feb = _two_months(tmp_path)
    data = feb.read_bytes()
    start = data.rindex(b"\n", 0, len(data) - 1) + 1
    feb.write_bytes(data[:start] + b"\0" * (len(data) - start - 1) + b"\n")
    later = NOW + timedelta(minutes=5)
    col = open_col(make_home(tmp_path), later)
    try:
        assert any(feb.name in m and "read from its start" in m for m in col.messages), col.messages
    finally:
        col.close(later)
