"""The journal file replaced under a running writer (a `git checkout` or `git pull` with autocrlf,
an editor's save, a sync tool: each writes a new file and renames it over the old). The writer
kept appending to the old file through its open descriptor: the ratings went to a file no longer
in the folder, and were lost with no message once the snapshots were rebuilt or deleted."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import pytest
from store_helpers import KEYS, NOW, delete_snapshots, journal_paths, make_home, open_col, rate


def _replace(path: Path, crlf: bool) -> None:
    data = path.read_bytes()
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(data.replace(b"\n", b"\r\n") if crlf else data)
    os.replace(tmp, path)


@pytest.mark.parametrize("crlf", [False, True])
def test_ratings_after_the_journal_is_replaced_are_kept(tmp_path: Path, crlf: bool) -> None:
    col = open_col(make_home(tmp_path), NOW)
    try:
        for i, key in enumerate(KEYS[:2]):
            rate(col, key, NOW + timedelta(minutes=i))
        (path,) = journal_paths(tmp_path)
        _replace(path, crlf)  # while the writer holds it open
        for i, key in enumerate(KEYS[2:], 2):
            rate(col, key, NOW + timedelta(minutes=i))
    finally:
        col.close(NOW + timedelta(minutes=10))
    delete_snapshots(tmp_path, cache=True)  # a replay of the journals alone
    col = open_col(make_home(tmp_path), NOW + timedelta(hours=1))
    try:
        assert set(col.states) >= set(KEYS), sorted(set(KEYS) - set(col.states))
        assert col.history_index.count(NOW + timedelta(hours=1)) == len(KEYS)
    finally:
        col.close(NOW + timedelta(hours=1))
