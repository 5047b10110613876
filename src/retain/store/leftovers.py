"""Temp files that writes cut short by a kill leave in the folders a person keeps.

`files.atomic_output` writes a deck file, its `DECK.anki.json` or config.toml through a temp
file beside it, `.<name>.<8 random letters>.tmp`, renamed over the file once whole. A kill
before the rename leaves that temp file: a hidden file nothing reads, which `git status` and a
sync tool show for ever. A start that may write removes those older than `STALE_SECONDS` from
the deck folders and config.toml's folder (the state folder's own are removed under the writer
lock, `StateWriter._remove_temp_files`). Only that exact form of name, of a regular file (a
link is never followed), and only old ones: a deck folder has no lock, so a younger one may be
another retain's save in progress.
"""

from __future__ import annotations

import contextlib
import os
import re
import stat
from collections.abc import Iterable
from pathlib import Path

__all__ = ["OUR_TEMP", "STALE_SECONDS", "remove_stale_temp_files"]

# `files.atomic_output`'s temp names: ".<name>.<mkstemp's random letters>.tmp" (never a sync
# tool's download in progress, Syncthing's `.syncthing.<name>.tmp`)
OUR_TEMP = re.compile(r"^\.(?!syncthing\.).+\.[a-z0-9_]{6,16}\.tmp\Z")
# in a folder a person keeps, only temp files of the files retain writes there
_KEPT_FILE_TEMP = re.compile(r"^\.(?!syncthing\.).+\.(?:toml|json)\.[a-z0-9_]{8}\.tmp\Z")
STALE_SECONDS = 600.0  # (a save takes milliseconds; a 50 MB deck a second or two)


def remove_stale_temp_files(folders: Iterable[Path], now: float) -> int:
    """Remove the stale temp files of cut-short writes from `folders` (each looked at once, not
    below); how many. A folder that cannot be looked at, or a file that cannot be removed, is
    left as it is (the next start tries again)."""
    removed = 0
    for folder in dict.fromkeys(folders):
        try:
            entries = list(os.scandir(folder))
        except (OSError, ValueError):
            continue
        for entry in entries:
            if not (entry.name.endswith(".tmp") and _KEPT_FILE_TEMP.match(entry.name)):
                continue
            with contextlib.suppress(OSError):
                st = entry.stat(follow_symlinks=False)
                if stat.S_ISREG(st.st_mode) and now - st.st_mtime > STALE_SECONDS:
                    os.unlink(entry.path)
                    removed += 1
    return removed
