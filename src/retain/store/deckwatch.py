"""Notice deck files that changed on disk (an author editing in their own editor).

`DeckWatcher.changed()` stats every `*.toml` under the library folders and
returns the files added, removed or modified (mtime, size or inode) since the
last call. A few dozen `stat` calls: cheap enough to poll every second or two.
After the app writes a deck file itself it calls `acknowledge(path)`, so its
own save is not reported as an outside edit (other files still are).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

__all__ = ["DeckWatcher"]

Stamp = tuple[int, int, int]


def _scan(folders: Iterable[Path]) -> dict[Path, Stamp]:
    stamps: dict[Path, Stamp] = {}
    for folder in folders:
        if not folder.is_dir():
            continue
        for path in folder.rglob("*.toml"):
            if any(part.startswith(".") for part in path.relative_to(folder).parts):
                continue
            try:
                st = os.stat(path)
            except OSError:
                continue
            stamps[path.resolve()] = (st.st_mtime_ns, st.st_size, st.st_ino)
    return stamps


class DeckWatcher:
    def __init__(self, folders: Iterable[Path]) -> None:
        self.folders = list(folders)
        self._stamps = _scan(self.folders)

    def changed(self) -> list[Path]:
        """Files added, removed or modified since the last call (sorted)."""
        now = _scan(self.folders)
        before = self._stamps
        self._stamps = now
        return sorted(p for p in now.keys() | before.keys() if now.get(p) != before.get(p))

    def acknowledge(self, paths: Iterable[Path]) -> None:
        """Take these files as they are now (the app just wrote them): not reported as changed."""
        for given in paths:
            path = given.resolve()
            try:
                st = os.stat(path)
            except OSError:
                self._stamps.pop(path, None)
                continue
            self._stamps[path] = (st.st_mtime_ns, st.st_size, st.st_ino)
