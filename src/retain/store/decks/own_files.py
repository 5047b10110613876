"""retain's own files in a deck folder: never read as decks, never watched.

A deck folder may hold retain's data folder: one synced or git folder with the decks and
`RETAIN_HOME` in it (`deck_folders = [".."]`), the data folder itself listed (`["."]`), or a home
folder (`["~"]` with `RETAIN_HOME=~/retain`). Its config.toml (and a sync tool's conflict copy of
it beside it), `state/` (journals, snapshots, backups, device files) and `cache/` are retain's
own, not decks: every walk of a deck folder (`library.walk_decks`: the library, the deck
watcher, `retain check`) passes over them without a word. Otherwise each of them was listed as a
broken deck at every start, and each rating (a journal append) was taken for a deck edited on
disk, reloading the library with two toasts over the card.

They are told by identity (device, inode), not by name: a link to the data folder, or a path to
it through `..`, is passed over too, and a deck folder merely called `state` is walked. The data
folder's `decks/` is the user's deck folder: walked as one, never passed over.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path

from retain.store.files import conflict_copy_of
from retain.store.paths import Paths

__all__ = ["OWN_FILE", "OwnFiles", "own_files"]

Key = tuple[int, int]  # (st_dev, st_ino)

OWN_FILE = "retain's own settings or state, not a deck: never loaded as one"


@dataclass(frozen=True, slots=True)
class OwnFiles:
    """What a walk of deck folders passes over: retain's own folders and its config.toml."""

    folders: frozenset[Key] = frozenset()  # state/ and the cache folder
    config_folder: Key | None = None  # the folder config.toml is in
    config: Key | None = None  # config.toml itself, its links followed
    config_names: frozenset[str] = (
        frozenset()
    )  # (casefolded) names config.toml goes by: its own, its target's
    config_name: str = "config.toml"

    def skips_file(self, folder: Key, path: Path) -> bool:
        """Whether the deck-named file `path`, in the folder `folder` (its key), is config.toml, or
        a sync tool's conflict copy of it beside it. A stat only for a file of config.toml's name
        (a walk of 50k deck files does not pay one each)."""
        name = path.name
        if folder == self.config_folder and (
            name == self.config_name or conflict_copy_of(path) == self.config_name
        ):
            return True
        if self.config is None or name.casefold() not in self.config_names:
            return False
        return _key(path) == self.config

    def holds(self, path: Path) -> bool:
        """Whether `path` (there or not yet) is one of retain's own files: config.toml (or a copy of
        it beside it), or a file in or below `state/` or the cache folder, by any path."""
        at = Path(os.path.realpath(path.parent))
        folder = _key(at)
        if folder is not None and self.skips_file(folder, at / path.name):
            return True
        if self.config is not None and _key(path) == self.config:
            return True
        while True:
            key = _key(at)
            if key is not None and key in self.folders:
                return True
            if at.parent == at:
                return False
            at = at.parent


def _key(path: Path) -> Key | None:
    """(st_dev, st_ino) of what `path` leads to, None when there is nothing there (or no way there)."""
    try:
        st = os.stat(path)
    except (OSError, ValueError):
        return None
    return (st.st_dev, st.st_ino)


def own_files(paths: Paths | None = None) -> OwnFiles:
    """retain's own files in the home `paths` (None: the one this process uses, `get_paths`; none at
    all when it cannot be told). Read afresh by each walk: a few `stat` calls, and a folder made
    since (`state/` at the first rating) is known at once."""
    if paths is None:
        from retain.store.config_error import ConfigError
        from retain.store.paths import get_paths

        try:
            paths = get_paths()
        except ConfigError:
            return OwnFiles()
    folders = frozenset(k for k in map(_folder_key, (paths.state_dir, paths.cache_dir)) if k is not None)
    config_file = paths.config_file
    config = _key(config_file)
    names = {config_file.name.casefold()}
    if config is not None and os.path.islink(config_file):
        names.add(os.path.basename(os.path.realpath(config_file)).casefold())
    return OwnFiles(folders, _folder_key(paths.config_dir), config, frozenset(names), config_file.name)


def _folder_key(path: Path) -> Key | None:
    try:
        st = os.stat(path)
    except (OSError, ValueError):
        return None
    return (st.st_dev, st.st_ino) if stat.S_ISDIR(st.st_mode) else None
