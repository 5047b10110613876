"""What sits at a journal's path: never replaced or written through unless it is a regular file,
and never read as something it is not (a dangling symlink, a loop, a directory)."""

from __future__ import annotations

import os
import re
from datetime import UTC, timedelta
from pathlib import Path

import pytest
from store_helpers import NOW, journal_paths, make_home, open_col, rate, review_state

from retain.core.state import Event
from retain.core.studyday import StudyDay
from retain.store.collection import CollectionError
from retain.store.index import History
from retain.store.state.journal import (
    JournalError,
    JournalWriter,
    Position,
    journal_files,
    journal_name,
    repair_tail,
    verify_position,
)

MONTH = journal_name(NOW)


def _ev(n: int, minutes: float = 0) -> Event:
    at = NOW + timedelta(minutes=minutes)
    return Event(f"dev-{n}", "review", "deck/card", at, review_state(at), None, 3, 100 + n)


def _odd(folder: Path, kind: str, name: str = MONTH) -> Path:
    """`name` in `folder` made into `kind`: a dangling symlink, a symlink loop or a directory."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    if kind == "dangling":
        path.symlink_to(folder.parent / "unmounted-disk" / name)
    elif kind == "loop":
        path.symlink_to(path)
    else:
        path.mkdir()
    return path


SAID = {
    "dangling": "is a broken symbolic link",
    "loop": "is a symbolic link loop",
    "directory": "is not a file (a directory)",
}


@pytest.mark.parametrize("kind", sorted(SAID))
def test_the_writer_never_replaces_what_is_not_a_file(tmp_path: Path, kind: str) -> None:
    folder = tmp_path / "dev"
    path = _odd(folder, kind)
    writer = JournalWriter(folder, fsync=False)
    with pytest.raises(
        JournalError, match=re.escape(f"cannot write the review journal: {MONTH} {SAID[kind]}")
    ):
        writer.append(_ev(0))
    assert path.is_symlink() == (kind != "directory") and not (tmp_path / "unmounted-disk").exists()
    assert [p.name for p in folder.iterdir()] == [MONTH]  # nothing made beside it either


def test_a_symlink_to_a_journal_is_written_through_and_kept(tmp_path: Path) -> None:
    disk = tmp_path / "disk"
    folder = tmp_path / "dev"
    JournalWriter(disk, fsync=False).append(_ev(0))
    folder.mkdir()
    (folder / MONTH).symlink_to(disk / MONTH)
    writer = JournalWriter(folder, fsync=False)
    writer.append(_ev(1, 1))
    writer.close()
    assert (folder / MONTH).is_symlink() and (disk / MONTH).read_bytes().count(b"\n") == 6


def test_a_symlinked_journal_emptied_by_a_crash_keeps_its_link(tmp_path: Path) -> None:
    disk = tmp_path / "disk"
    disk.mkdir()
    (disk / MONTH).write_bytes(b"# retain review jour")  # a torn header, no record at all
    folder = tmp_path / "dev"
    folder.mkdir()
    (folder / MONTH).symlink_to(disk / MONTH)
    repair_tail(folder / MONTH, 0, b"# retain review jour", NOW)
    assert (folder / MONTH).is_symlink() and b"format = 2" in (disk / MONTH).read_bytes()


@pytest.mark.parametrize("kind", sorted(SAID))
def test_recording_fails_with_one_line(tmp_path: Path, kind: str) -> None:
    home = make_home(tmp_path)
    col = open_col(home)
    rate(col, "tiny/one", NOW)
    col.close(NOW)
    (path,) = journal_paths(tmp_path)
    path.unlink()
    _odd(path.parent, kind)
    col = open_col(home, NOW + timedelta(minutes=1))
    try:
        with pytest.raises(CollectionError) as caught:
            rate(col, "tiny/two", NOW + timedelta(minutes=1))
    finally:
        col.close(NOW + timedelta(minutes=1))
    assert str(caught.value) == f"{MONTH} {SAID[kind]}"
    assert path.is_symlink() == (kind != "directory")


@pytest.mark.parametrize("kind", sorted(SAID))
def test_journal_files_lists_only_files_and_names_the_rest(tmp_path: Path, kind: str) -> None:
    JournalWriter(tmp_path, fsync=False).append(_ev(0, minutes=-60 * 24 * 40))
    odd = _odd(tmp_path, kind)
    assert [p.name for p in journal_files(tmp_path)] == ["journal-2026-02.toml"]
    from retain.store.state.journal_format import journal_entries

    files, others = journal_entries(tmp_path)
    assert files == journal_files(tmp_path) and others == [(odd, SAID[kind])]


@pytest.mark.parametrize("kind", sorted(SAID))
def test_a_position_in_what_is_not_a_file_is_kept_not_blamed(tmp_path: Path, kind: str) -> None:
    """Like a missing file: nothing to skip; the position stays good for when the file is back."""
    _odd(tmp_path, kind)
    assert verify_position(tmp_path, Position(MONTH, 242, "0badc0de")) == ""


def _one_rating_then(root: Path, kind: str) -> str:
    home = make_home(root)
    col = open_col(home)
    rate(col, "tiny/one", NOW)
    col.close(NOW)
    (path,) = journal_paths(root)
    path.unlink()
    _odd(path.parent, kind)
    return f"{path.parent.name}/{MONTH} {SAID[kind]}; its reviews cannot be read"


@pytest.mark.parametrize("kind", sorted(SAID))
def test_a_journal_that_is_not_a_file_is_said_once(tmp_path: Path, kind: str) -> None:
    said = _one_rating_then(tmp_path, kind)
    col = open_col(make_home(tmp_path), NOW + timedelta(minutes=1), read_only=True)
    try:
        col.progress(NOW + timedelta(minutes=1))
        col.progress(NOW + timedelta(minutes=2))  # every query feeds the index: still one line
        assert col.messages == [said]
    finally:
        col.close()


def test_the_history_index_says_so_once_per_run(tmp_path: Path) -> None:
    said = _one_rating_then(tmp_path, "directory")
    for _run in range(2):
        history = History(tmp_path / "state", tmp_path / "cache", StudyDay(4, UTC))
        assert history.count(NOW) == 0 and history.count(NOW) == 0
        assert history.messages == [said]
        history.close()


def test_the_cli_says_it_in_one_warning(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from retain.cli import main

    said = _one_rating_then(tmp_path, "directory")
    monkeypatch.setenv("RETAIN_HOME", str(tmp_path))
    capsys.readouterr()
    assert main(["due", "--json"]) == 0
    assert capsys.readouterr().err.splitlines() == [f"retain: warning: {said}"]
    assert os.path.isdir(journal_paths(tmp_path)[0])
