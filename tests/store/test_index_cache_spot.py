"""The history index's place in cache/: whatever sits there that is not a file is cleared once."""

from __future__ import annotations

import os
from datetime import UTC, timedelta
from pathlib import Path

import pytest
from store_helpers import KEYS, NOW, make_home, open_col, rate

from retain.core.studyday import StudyDay
from retain.store.index import History
from retain.store.index.db import INDEX_NAME, TEMPORARY, connect

DAY = StudyDay(4, UTC)


def _studied(root: Path) -> None:
    home = make_home(root)
    col = open_col(home, NOW - timedelta(days=2))
    rate(col, KEYS[0], NOW - timedelta(days=2))
    col.close()


def _open_twice(root: Path) -> tuple[list[str], list[str], bool]:
    first = History(root / "state", root / "cache", DAY)
    first.progress(NOW)
    first.close()
    second = History(root / "state", root / "cache", DAY)
    second.progress(NOW)
    second.close()
    return first.messages, second.messages, second.cache_dir is not None


def test_a_broken_symlink_at_the_index_is_repaired_once(tmp_path: Path) -> None:
    _studied(tmp_path)
    cache = tmp_path / "cache"
    cache.mkdir(exist_ok=True)
    for p in cache.glob(INDEX_NAME + "*"):
        p.unlink()
    os.symlink(tmp_path / "nowhere" / "gone.sqlite3", cache / INDEX_NAME)
    first, second, on_disk = _open_twice(tmp_path)
    assert len(first) == 1 and "temporary" not in first[0], first
    assert second == [] and on_disk
    assert (cache / INDEX_NAME).is_file() and not (cache / INDEX_NAME).is_symlink()


@pytest.mark.parametrize("loop", ["itself", "two links"])
def test_a_symlink_loop_at_the_index_is_repaired_once(tmp_path: Path, loop: str) -> None:
    """A link loop was taken for "a link to a file yet to be made" (realpath of a loop ends
    inside the cache folder): every start said the index cannot be written and rebuilt it in
    memory, for good."""
    _studied(tmp_path)
    cache = tmp_path / "cache"
    cache.mkdir(exist_ok=True)
    for p in cache.glob(INDEX_NAME + "*"):
        p.unlink()
    if loop == "itself":
        os.symlink(cache / INDEX_NAME, cache / INDEX_NAME)
    else:
        os.symlink(cache / "other", cache / INDEX_NAME)
        os.symlink(cache / INDEX_NAME, cache / "other")
    first, second, on_disk = _open_twice(tmp_path)
    assert len(first) == 1 and "temporary" not in first[0] and "loops" in first[0], first
    assert second == [] and on_disk
    assert (cache / INDEX_NAME).is_file() and not (cache / INDEX_NAME).is_symlink()


def test_a_directory_at_the_index_is_repaired_once(tmp_path: Path) -> None:
    _studied(tmp_path)
    cache = tmp_path / "cache"
    for p in cache.glob(INDEX_NAME + "*"):
        p.unlink()
    (cache / INDEX_NAME).mkdir()
    (cache / INDEX_NAME / "something").write_text("x")
    first, second, on_disk = _open_twice(tmp_path)
    assert len(first) == 1 and "temporary" not in first[0], first
    assert second == [] and on_disk


def test_a_symlink_to_an_index_file_elsewhere_is_kept(tmp_path: Path) -> None:
    _studied(tmp_path)
    cache = tmp_path / "cache"
    for p in cache.glob(INDEX_NAME + "*"):
        p.unlink()
    elsewhere = tmp_path / "fast-disk"
    elsewhere.mkdir()
    os.symlink(elsewhere / "index.sqlite3", cache / INDEX_NAME)
    History(tmp_path / "state", cache, DAY).close()  # (SQLite creates the target)
    first, second, on_disk = _open_twice(tmp_path)
    assert first == second == [] and on_disk
    assert (cache / INDEX_NAME).is_symlink() and (elsewhere / "index.sqlite3").stat().st_size > 0


def test_a_spot_that_cannot_be_cleared_gives_a_temporary_index(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _studied(tmp_path)
    cache = tmp_path / "cache"
    for p in cache.glob(INDEX_NAME + "*"):
        p.unlink()
    os.symlink(tmp_path / "no-such-folder" / "gone", cache / INDEX_NAME)

    def refuse(self: Path, missing_ok: bool = False) -> None:
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "unlink", refuse)
    history = History(tmp_path / "state", cache, DAY)
    assert history.progress(NOW) == (0, 0) and history.count(NOW) == 1
    assert len(history.messages) == 1 and "temporary" in history.messages[0]


def test_a_second_start_leaves_the_index_the_first_made_in_the_folders_place(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two starts find a folder at cache/history.sqlite3 at once; the first moves it aside and
    builds its index there. The second (acting on what it saw before) moved the first's live
    index aside too ("was a folder"), or, finding nothing left, used a temporary index."""
    cache = tmp_path / "cache"
    spot = cache / INDEX_NAME
    spot.mkdir(parents=True)
    (spot / "junk").write_text("x")
    real_lstat = os.lstat
    raced: list[int] = []

    def lstat(p: object, *a: object, **k: object) -> os.stat_result:
        got = real_lstat(p, *a, **k)  # type: ignore[arg-type]
        if Path(str(p)) == spot and not raced:
            raced.append(1)  # the other start, between this look and what it does: clears and builds
            other, _fresh, _msg = connect(cache)
            other.close()
        return got

    monkeypatch.setattr(os, "lstat", lstat)
    db, _fresh, message = connect(cache)
    db.close()
    assert raced
    assert not message.endswith(TEMPORARY), message
    assert sorted(p.name for p in cache.iterdir() if ".moved" in p.name) == [f"{INDEX_NAME}.moved"], message
    assert spot.is_file()


def test_a_wal_folder_beside_a_sound_index_is_cleared_without_a_rebuild_said(tmp_path: Path) -> None:
    """Only the `-wal` was a folder and the index was current: it is kept (not fresh), and the
    line no longer says 'the index is being rebuilt'."""
    cache = tmp_path / "cache"
    db, _f, _m = connect(cache)
    db.close()
    for suffix in ("-wal", "-shm"):
        Path(f"{cache / INDEX_NAME}{suffix}").unlink(missing_ok=True)
    Path(f"{cache / INDEX_NAME}-wal").mkdir()
    db, fresh, message = connect(cache)
    db.close()
    assert not fresh and message == (
        f"the history index in the cache folder: {INDEX_NAME}-wal was an empty folder; it was removed"
    )
