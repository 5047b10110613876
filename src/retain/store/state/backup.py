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
import shutil
from datetime import date, timedelta
from pathlib import Path

from retain.store.files import fsync_dir

__all__ = ["KEEP_DAYS", "backup_candidates", "daily_backup", "prune_backups"]

KEEP_DAYS = 14
_DAY_RE = re.compile(r"^\d{4}-\d\d-\d\d\Z")


def _backup_days(root: Path) -> list[Path]:
    try:
        return sorted((p for p in root.iterdir() if p.is_dir() and _DAY_RE.match(p.name)), reverse=True)
    except OSError:
        return []


def daily_backup(state_dir: Path, today: date) -> Path | None:
    """Copy `snapshots/` to `backups/<today>/` unless today's copy exists; prune old ones."""
    source = state_dir / "snapshots"
    root = state_dir / "backups"
    target = root / today.isoformat()
    files = sorted(p for p in source.glob("*.toml")) if source.is_dir() else []
    if target.exists() or not files:
        prune_backups(state_dir, today)
        return None
    tmp = root / f".{today.isoformat()}.tmp-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    for f in files:
        shutil.copy2(f, tmp / f.name)
        with open(tmp / f.name, "rb") as fh:
            os.fsync(fh.fileno())
    fsync_dir(tmp)
    os.replace(tmp, target)
    fsync_dir(root)
    prune_backups(state_dir, today)
    return target


def prune_backups(state_dir: Path, today: date, keep_days: int = KEEP_DAYS) -> None:
    root = state_dir / "backups"
    oldest = today - timedelta(days=keep_days - 1)
    for folder in _backup_days(root):
        try:
            old = date.fromisoformat(folder.name) < oldest
        except ValueError:
            continue
        if old:
            shutil.rmtree(folder, ignore_errors=True)
    with contextlib.suppress(OSError):
        for leftover in root.glob(".*.tmp-*"):
            shutil.rmtree(leftover, ignore_errors=True)


def backup_candidates(state_dir: Path, file_name: str) -> list[Path]:
    """Copies of `snapshots/<file_name>` in the backups, newest first."""
    return [d / file_name for d in _backup_days(state_dir / "backups") if (d / file_name).is_file()]
