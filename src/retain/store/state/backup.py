"""Automatic daily backups of the snapshots: `state/backups/YYYY-MM-DD/`, kept 14 days.

The journal is append-only and never rewritten, so it needs no copy; the
snapshots are rewritten at every compaction, so a copy of them is taken once a
study day, before the first compaction of that day. A backup folder is
assembled under a temporary name and renamed into place, so it is complete or
absent. `backup_candidates` lists a deck's older snapshots, newest first, for
recovery when the current one is damaged.
"""

from __future__ import annotations

import contextlib
import os
import re
from datetime import date, timedelta
from pathlib import Path

from retain.store.files import copy_tree_regular, fsync_dir, remove_tree

__all__ = ["KEEP_DAYS", "backup_candidates", "daily_backup", "prune_backups"]

KEEP_DAYS = 14
_DAY_RE = re.compile(r"^\d{4}-\d\d-\d\d\Z")


def _backup_days(root: Path) -> list[Path]:
    try:
        return sorted((p for p in root.iterdir() if p.is_dir() and _DAY_RE.match(p.name)), reverse=True)
    except OSError:
        return []


def daily_backup(state_dir: Path, today: date) -> Path | None:
    """Copy `snapshots/` to `backups/<today>/` unless today's copy exists; prune old ones.

    Only regular files are copied (`copy_tree_regular`): a FIFO, a socket, a device or a link
    loop named `*.toml` in `snapshots/` is left out, never read (a FIFO would block the start, a
    link to `/dev/zero` would fill the disk) and never fails the backup; loading the state names
    each such file at every start."""
    source = state_dir / "snapshots"
    root = state_dir / "backups"
    target = root / today.isoformat()
    if os.path.lexists(target) or not _has_toml(source):
        prune_backups(state_dir, today)
        return None
    tmp = root / f".{today.isoformat()}.tmp-{os.getpid()}"
    remove_tree(tmp)
    root.mkdir(parents=True, exist_ok=True)
    try:
        copy_tree_regular(source, tmp, durable=True, match="*.toml", recurse=False)
        if not any(tmp.iterdir()):  # nothing but special files: no empty backup
            remove_tree(tmp)
            prune_backups(state_dir, today)
            return None
        os.replace(tmp, target)
    except BaseException:
        remove_tree(tmp)  # a full disk: no half backup left behind
        raise
    fsync_dir(root)
    prune_backups(state_dir, today)
    return target


def _has_toml(folder: Path) -> bool:
    try:
        with os.scandir(folder) as it:
            return any(e.name.endswith(".toml") for e in it)
    except OSError:
        return False


def prune_backups(state_dir: Path, today: date, keep_days: int = KEEP_DAYS) -> None:
    """Remove the daily backups older than `keep_days`, and the leftovers of interrupted ones. Only
    real folders are removed: a symbolic link named as a day is left alone (never what it points to)."""
    root = state_dir / "backups"
    oldest = today - timedelta(days=keep_days - 1)
    for folder in _backup_days(root):
        try:
            old = date.fromisoformat(folder.name) < oldest
        except ValueError:
            continue
        if old and not folder.is_symlink():
            remove_tree(folder)
    with contextlib.suppress(OSError):
        for leftover in root.glob(".*.tmp-*"):
            remove_tree(leftover)


def backup_candidates(state_dir: Path, file_name: str) -> list[Path]:
    """Copies of `snapshots/<file_name>` in the backups, newest first."""
    return [d / file_name for d in _backup_days(state_dir / "backups") if (d / file_name).is_file()]
