"""A folder a sync tool's conflict copy was taken into (`devices/<id>-c<hash>/`) has a
device.toml without a host key by design (no computer takes it for its own): every start called
it damaged ("has no host key; the folder's journals are still read"), a line the learner could
not clear. A folder that only says it holds a copy (`taken_from`) without the `-c` name, or a
computer's own folder without its key, is still said."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest
from store_helpers import NOW, make_home, open_col, review_state

from retain.core.state import Event
from retain.store.state.journal import JournalWriter
from retain.store.state.journal_copies import _folder_name, _write_folder

_COPY = "journal-2026-03.sync-conflict-20260328-120000-ABCDEFG.toml"


def _review(device: str, n: int, key: str, at: datetime) -> Event:
    ns = int(at.timestamp()) * 10**9
    return Event(f"{device}-{ns:019d}-{n}", "review", key, at, review_state(at, days=2), None, 3)


def _messages(root: Path, at: datetime) -> list[str]:
    col = open_col(make_home(root), at)
    try:
        return list(col.messages)
    finally:
        col.close(at)


def _taken_in(root: Path) -> Path:
    make_home(root)
    devices = root / "state" / "devices"
    one = _review("laptop", 1, "tiny/one", NOW - timedelta(hours=2))
    two = _review("laptop", 2, "tiny/two", NOW - timedelta(hours=1))
    writer = JournalWriter(devices / "laptop", fsync=False)
    writer.append_many([one])
    writer.close()
    taken = devices / _folder_name("laptop", [two])
    taken.mkdir()
    _write_folder(taken, "laptop", "journal-2026-03.toml", [two], _COPY)
    return taken


def test_a_taken_in_folder_is_not_called_damaged(tmp_path: Path) -> None:
    _taken_in(tmp_path)
    for step in range(2):
        said = _messages(tmp_path, NOW + timedelta(minutes=step))
        assert not any("host key" in m for m in said), said


@pytest.mark.parametrize("renamed", [False, True])
def test_a_folder_without_its_key_is_still_said(tmp_path: Path, renamed: bool) -> None:
    """`taken_from` alone does not spare a folder not named as a taken-in one; nor does the name
    spare a folder whose device.toml does not say it holds a copy."""
    taken = _taken_in(tmp_path)
    if renamed:
        taken = taken.rename(taken.with_name("laptop2"))
        (taken / "device.toml").write_text(
            f'format = 1\nid = "laptop2"\ntaken_from = "laptop/{_COPY}"\n', "utf-8"
        )
    else:
        lines = (taken / "device.toml").read_text("utf-8").splitlines()
        (taken / "device.toml").write_text(
            "\n".join(line for line in lines if not line.startswith("taken_from")) + "\n", "utf-8"
        )
    said = _messages(tmp_path, NOW)
    assert any("has no host key" in m for m in said), said
