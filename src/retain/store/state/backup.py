"""Automatic daily backups of the snapshots: `state/backups/YYYY-MM-DD/`, kept 14 days.

The journal is append-only and never rewritten, so it needs no copy; the
snapshots are rewritten at every compaction, so a copy of them is taken once a
study day, before the first compaction of that day. A backup folder is
assembled under a temporary name and renamed into place, so it is complete or
absent. `backup_candidates` lists a deck's older snapshots, newest first, for
recovery when the current one is damaged.

A clock can be wrong (a VM resumed with a bad date, a dead clock battery, a synced device's
clock running ahead), so the clock alone never removes a backup: one is removed only when it is
more than 14 days older than today *and* 14 newer backups are kept. A clock a year ahead
removes nothing; daily use keeps the last 14 days, as ever. A backup dated after tomorrow was
made by a wrong clock (then or now), so recovery tries it last.
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
    """Remove the daily backups older than `keep_days` days, and the leftovers of interrupted ones.

    A backup is removed only while `keep_days` newer backups (folders holding a snapshot) are
    kept: a clock set far ahead, or a long break, never leaves fewer than that, so one start with a
    wrong date cannot empty `backups/`. Daily use keeps exactly the last `keep_days` days. A day
    folder holding no snapshot is no backup: it counts for none and goes once it is old. Only real
    folders are removed: a symbolic link named as a day is left alone (never what it points to)."""
    root = state_dir / "backups"
    oldest = today - timedelta(days=keep_days - 1)
    kept = 0
    for folder in _backup_days(root):  # newest first
        try:
            old = date.fromisoformat(folder.name) < oldest
        except ValueError:
            continue
        if folder.is_symlink():
            continue
        backup = _has_toml(folder)
        if old and (kept >= keep_days or not backup):
            remove_tree(folder)
        elif backup:
            kept += 1
    with contextlib.suppress(OSError):
        for leftover in root.glob(".*.tmp-*"):
            remove_tree(leftover)


def backup_candidates(state_dir: Path, file_name: str, today: date | None = None) -> list[Path]:
    """Copies of `snapshots/<file_name>` in the backups, newest first; those dated after tomorrow
    (`today`, the local date by default), made by a clock that was ahead, come last, newest first.
    (Tomorrow's is another time zone's today: a synced device's.)"""
    latest = (today or date.today()) + timedelta(days=1)
    found = [d / file_name for d in _backup_days(state_dir / "backups") if (d / file_name).is_file()]
    return sorted(found, key=lambda p: _after(p.parent.name, latest))  # (a stable sort)


def _after(name: str, latest: date) -> bool:
    try:
        return date.fromisoformat(name) > latest
    except ValueError:
        return False
