"""Notice deck files that changed on disk (an author editing in their own editor).

`DeckWatcher.changed()` stats every deck file under the library folders (the
files the library reads, `library.walk_decks`: linked folders too, so an edit in
a git checkout linked into the deck folder is seen) and returns the files added,
removed or modified (mtime, size or inode) since they were last reported. A few
dozen `stat` calls: cheap enough to poll every second.
A change is reported once it has settled (the same stamp on two calls in a row),
so an editor still writing the file in place is not read half-written.
After the app writes a deck file itself it calls `acknowledge(path)`, so its
own save is not reported as an outside edit (other files still are). retain's own files in a
deck folder (config.toml, `state/`, `cache/`: `own_files`) are never deck files, so a rating's
journal append or a settings save is no change.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from pathlib import Path

from retain.store.decks.library import deck_files, real_path
from retain.store.decks.own_files import own_files
from retain.store.index.derivedcache import FileId, file_id
from retain.store.paths import Paths

__all__ = ["DeckWatcher"]

Stamp = FileId  # (inode, mtime_ns, size)
_GONE: Stamp = (-1, -1, -1)


def _scan(folders: Iterable[Path], paths: Paths | None) -> dict[Path, Stamp]:
    """Every deck file the library would load (`library.deck_files`, the home `paths`' own files
    passed over), by real path (a link loop gives where it points: `Path.resolve` raised on one)."""
    stamps: dict[Path, Stamp] = {}
    own = own_files(paths)
    for folder in folders:
        for path in deck_files(folder, own):
            ident = file_id(path)
            if ident is not None:
                stamps[real_path(path)] = ident
    return stamps


class DeckWatcher:
    def __init__(self, folders: Iterable[Path], paths: Paths | None = None) -> None:
        """`paths`: the home whose own files are passed over (None: this process's, `get_paths`)."""
        self.folders = list(folders)
        self.paths = paths
        self._stamps = _scan(self.folders, paths)
        self._pending: dict[Path, Stamp] = {}  # changed files: their stamp at the previous call
        self._lock = threading.Lock()  # the app polls from a worker thread and acknowledges from its own

    def changed(self, *, settled: bool = True) -> list[Path]:
        """Files added, removed or modified and not reported yet (sorted).

        With `settled`, a file is reported only when its stamp is the same as at
        the previous call; `settled=False` reports every change at once.
        """
        now = _scan(self.folders, self.paths)
        with self._lock:
            moved = {p: now.get(p, _GONE) for p in now.keys() | self._stamps.keys()}
            moved = {p: s for p, s in moved.items() if s != self._stamps.get(p, _GONE)}
            ready = sorted(p for p, s in moved.items() if not settled or self._pending.get(p) == s)
            self._pending = {p: s for p, s in moved.items() if p not in ready}
            for path in ready:
                if path in now:
                    self._stamps[path] = now[path]
                else:
                    self._stamps.pop(path, None)
        return ready

    def acknowledge(self, paths: Iterable[Path]) -> None:
        """Take these files as they are now (the app just wrote them): not reported as changed."""
        for given in paths:
            path = real_path(given)
            ident = file_id(path)
            with self._lock:
                self._pending.pop(path, None)
                if ident is None:
                    self._stamps.pop(path, None)
                else:
                    self._stamps[path] = ident
