"""The same Anki history imported on two computers, before they sync: each review counts once.

Each import records into a device folder of its own (`import-<date>-<hash>`); on two computers
the folders differ, and a sync brings both together. Nothing matched them up, so `stats` counted
every review twice (the calendar, the day's log, the optimizer's rows)."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest

from retain.cli import main
from retain.store.collection import Collection
from retain.store.home import open_home

from .conftest import FIXTURES


def _import(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RETAIN_HOME", str(root))
    assert main(["import", "--with-history", str(FIXTURES / "layout-latest.apkg")]) == 0


def _reviews(root: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[int, list[str]]:
    monkeypatch.setenv("RETAIN_HOME", str(root))
    col = Collection.open(open_home(), datetime.now(UTC))
    try:
        return sum(e.kind == "review" for e in col.history()), list(col.history_index.messages)
    finally:
        col.close()


def test_one_history_imported_on_two_computers_counts_once_after_a_sync(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _import(tmp_path / "a", monkeypatch)
    _import(tmp_path / "b", monkeypatch)
    once, _ = _reviews(tmp_path / "a", monkeypatch)
    assert once > 0
    (theirs,) = (tmp_path / "b" / "state" / "devices").glob("import-*")
    (ours,) = (tmp_path / "a" / "state" / "devices").glob("import-*")
    assert theirs.name != ours.name
    shutil.copytree(theirs, tmp_path / "a" / "state" / "devices" / theirs.name)  # the sync
    counted, said = _reviews(tmp_path / "a", monkeypatch)
    assert counted == once
    assert [m for m in said if "another import folder holds too" in m and theirs.name in m] != [], said
    capsys.readouterr()
    monkeypatch.setenv("RETAIN_HOME", str(tmp_path / "a"))
    assert main(["stats", "--json"]) == 0
