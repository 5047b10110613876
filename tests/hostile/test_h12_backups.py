"""Stray special files in the state folder, and folder walks that meet them.

A FIFO (or a socket, a device, a link loop) in `state/devices/` failed the backup that
`retain optimize --reschedule` takes first, and so every reschedule; one in `state/snapshots/`
failed the daily backup every day, and a symbolic link there to `/dev/zero` filled the disk. A
backup copies regular files and leaves out the rest with one line naming them: it never blocks
and never fails for them. The pruning of old backups never follows a link out of `backups/`.
"""

from __future__ import annotations

import os
import resource
import signal
import socket
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from retain.core.scheduler import Scheduler
from retain.core.settings import StudySettings
from retain.core.state import Event
from retain.store.collection import Collection
from retain.store.files import copy_tree_regular
from retain.store.fsrs_presets import backup_state
from retain.store.home import open_home
from retain.store.state.backup import daily_backup, prune_backups

from .conftest import retain
from .test_h12_races import no_hang

sys.path.insert(0, str(Path(__file__).parents[1] / "optimize"))
from optimize_home import copy_home, make_home

pytestmark = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this system")
NOW = datetime(2026, 3, 1, 12, tzinfo=UTC)
DECK = 'format = 1\n[deck]\nid = "d"\nname = "D"\n\n[[cards]]\nid = "a"\nfront = "f"\nback = "b"\n'


@contextmanager
def file_size_limit(limit: int) -> Iterator[None]:
    """No file written past `limit` bytes by this process meanwhile (a copy of `/dev/zero` stops)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    old = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
        signal.signal(signal.SIGXFSZ, old)


def _sock(path: Path) -> socket.socket:
    s = socket.socket(socket.AF_UNIX)
    s.bind(str(path))
    return s


def _state(tmp_path: Path) -> Path:
    """A home with one deck and one recorded review; returns its state folder."""
    root = tmp_path / "home"
    (root / "decks").mkdir(parents=True)
    (root / "decks" / "d.toml").write_text(DECK, encoding="utf-8")
    col = Collection.open(open_home({"RETAIN_HOME": str(root)}), NOW, tz=UTC, fsync=False)
    try:
        after = Scheduler(StudySettings()).preview("d/a", None, NOW)[3]
        col.record(Event(col.new_event_id(NOW), "review", "d/a", NOW, after, None, 3, 3000))
        col.compact(NOW)
        return col.state_dir
    finally:
        col.close(NOW)


def _strays(folder: Path, suffix: str = "") -> list[socket.socket]:
    """A FIFO, a socket, a link to /dev/zero, a link loop, a broken link and a folder link loop."""
    os.mkfifo(folder / f"pipe{suffix}")
    kept = [_sock(folder / f"sock{suffix}")]
    (folder / f"zero{suffix}").symlink_to("/dev/zero")
    (folder / f"loop{suffix}").symlink_to(f"loop{suffix}")
    (folder / f"broken{suffix}").symlink_to("nothing-here")
    (folder / "up").symlink_to("..")
    return kept


def test_reschedule_backup_leaves_out_special_files_and_names_them(tmp_path: Path) -> None:
    state = _state(tmp_path)
    device = next(p for p in (state / "devices").iterdir() if p.is_dir())
    kept = _strays(state / "devices")
    col = Collection.open(open_home({"RETAIN_HOME": str(state.parent)}), NOW, tz=UTC, fsync=False)
    skipped: list[str] = []
    try:
        with file_size_limit(1 << 20):
            name = backup_state(col, NOW, skipped)
    finally:
        col.close(NOW)
        for s in kept:
            s.close()
    backup = state / "backups" / name
    copied = sorted(p.name for p in (backup / "devices" / device.name).iterdir())
    assert copied == sorted(p.name for p in device.iterdir())
    assert sorted(p.name for p in (backup / "devices").iterdir()) == [device.name]
    assert len(skipped) == 1, skipped
    for what in (
        "devices/pipe (a FIFO)",
        "devices/sock (a socket)",
        "devices/zero (a character device)",
        "devices/loop (a symbolic link loop)",
        "devices/broken (a broken symbolic link)",
        "devices/up (a folder)",
    ):
        assert what in skipped[0]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_home(tmp_path_factory.mktemp("h12") / "home", cards=150)


def test_retain_optimize_reschedule_with_a_fifo_in_devices(
    built: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = copy_home(built, tmp_path, monkeypatch)
    os.mkfifo(root / "state" / "devices" / "stray")
    got = retain(root, "optimize", "alpha", "--reschedule", timeout=120)
    assert got.code == 0, got.err
    assert "rescheduled " in got.out.decode()
    assert got.err_lines == [
        next(
            line
            for line in got.err_lines
            if line.startswith("retain: optimize: warning: backups/reschedule-")
        )
    ]
    assert got.err_lines[0].endswith(
        "leaves out 1 file(s) that are not regular files or could not be read: devices/stray (a FIFO)"
    )


def test_daily_backup_copies_the_snapshots_and_leaves_out_special_files(tmp_path: Path) -> None:
    state = _state(tmp_path)
    snaps = state / "snapshots"
    regular = sorted(p.name for p in snaps.glob("*.toml"))
    assert regular
    kept = _strays(snaps, ".toml")
    (snaps / "folder.toml").mkdir()
    try:
        with file_size_limit(1 << 20):
            made = daily_backup(state, date(2026, 3, 2))
    finally:
        for s in kept:
            s.close()
    assert made == state / "backups" / "2026-03-02"
    assert sorted(p.name for p in made.iterdir()) == regular
    assert [p.name for p in (state / "backups").iterdir() if p.name.startswith(".")] == []  # no temp left


def test_daily_backup_of_nothing_but_special_files_is_none(tmp_path: Path) -> None:
    state = tmp_path / "state"
    (state / "snapshots").mkdir(parents=True)
    os.mkfifo(state / "snapshots" / "d.toml")
    assert daily_backup(state, date(2026, 3, 2)) is None
    assert not (state / "backups").exists() or list((state / "backups").iterdir()) == []


def test_pruning_never_follows_a_link_and_takes_odd_leftovers(tmp_path: Path) -> None:
    state = tmp_path / "state"
    backups = state / "backups"
    (backups / "2020-01-01").mkdir(parents=True)  # old: pruned
    (backups / "2020-01-01" / "d.toml").write_text("x")
    recent = [(date(2026, 3, 2) - timedelta(days=n)).isoformat() for n in range(14)]
    for day in recent:  # the last 14 days' backups: with them, 2020-01-01 is pruned (h22)
        (backups / day).mkdir()
        (backups / day / "d.toml").write_text("x")
    precious = tmp_path / "precious"
    precious.mkdir()
    (precious / "keep.txt").write_text("mine")
    (backups / "2020-01-02").symlink_to(precious)  # an old day that is a link: never followed
    (backups / "2020-01-03").symlink_to("2020-01-03")  # a loop
    os.mkfifo(backups / "2020-01-04")
    os.mkfifo(backups / ".2020-01-05.tmp-1")  # an interrupted backup's name, a FIFO
    (backups / ".2020-01-06.tmp-2").mkdir()
    no_hang(backups / ".2020-01-05.tmp-1", lambda: prune_backups(state, date(2026, 3, 2)))  # rmtree opened it
    assert (precious / "keep.txt").read_text() == "mine"
    assert sorted(p.name for p in backups.iterdir()) == [
        "2020-01-02",
        "2020-01-03",
        "2020-01-04",
        *sorted(recent),
    ]


def test_a_file_gone_while_the_tree_is_copied_is_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    src = tmp_path / "devices"
    (src / "x").mkdir(parents=True)
    for name in ("a", "b", "c"):
        (src / "x" / name).write_text(name)
    real = os.scandir

    class Listed:
        def __init__(self, entries: list[os.DirEntry[str]]) -> None:
            self.entries = entries

        def __enter__(self) -> Iterator[os.DirEntry[str]]:
            return iter(self.entries)

        def __exit__(self, *exc: object) -> None:
            return None

    def scandir(path: str) -> Listed:
        with real(path) as it:
            entries = list(it)
        if Path(path) == src / "x":  # listed, then deleted before it is copied
            (src / "x" / "b").unlink()
        return Listed(entries)

    monkeypatch.setattr(os, "scandir", scandir)
    skipped = copy_tree_regular(src, tmp_path / "copy")
    assert sorted(p.name for p in (tmp_path / "copy" / "x").iterdir()) == ["a", "c"]
    assert skipped == ["devices/x/b (gone while it was copied)"]
