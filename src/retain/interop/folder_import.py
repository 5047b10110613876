"""Import a folder: every deck file directly in it, one after the other, each on its own.

A file that is refused is named in the summary and the others still go in;
each file is applied atomically as a single import is. Sidecars that belong to
a deck file (`NAME.progress.toml`) and hidden files are not decks. Nor is a
symbolic link: a folder from a stranger could hold `notes.csv -> ~/.ssh/id_rsa`,
and importing it would copy that file into a deck; a file named by its own path still imports.
Nor is anything else that is no regular file (a sub-folder, a FIFO, a device, a socket): it
is never opened, so a FIFO named `deck.toml` cannot hold the import up. `skipped_files` lists
all of these and `skipped_line` names them in one line, by kind, so the command and the
import dialog can say what was left out and why.
"""

from __future__ import annotations

import stat
from collections.abc import Iterable
from pathlib import Path

from retain.interop.history import sidecar_path
from retain.interop.importer import IMPORT_SUFFIXES

__all__ = ["deck_files", "import_summary", "linked_files", "links_line", "skipped_files", "skipped_line"]


def _candidates(folder: Path) -> list[Path]:
    """Entries directly in `folder` named like deck files (no sidecars, no dotfiles), by name."""
    sidecar = sidecar_path("x.toml").removeprefix("x")  # ".progress.toml"
    names = (
        p
        for p in folder.iterdir()
        if not p.name.startswith(".")
        and not p.name.lower().endswith(sidecar)
        and p.suffix.lower() in IMPORT_SUFFIXES
    )
    return sorted(names, key=lambda p: p.name.casefold())


def _kind(path: Path) -> str | None:
    """'' for a regular file, else what the entry is (`FIFO`, ...); None when it is gone."""
    try:
        mode = path.lstat().st_mode  # the entry itself: a link is never followed, nothing is opened
    except OSError:
        return None
    if stat.S_ISREG(mode):
        return ""
    if stat.S_ISLNK(mode):
        return "symbolic link"
    if stat.S_ISDIR(mode):
        return "folder"
    if stat.S_ISFIFO(mode):
        return "FIFO"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "device file"
    return "socket" if stat.S_ISSOCK(mode) else "special file"


def deck_files(folder: Path) -> list[Path]:
    """The importable files directly in `folder`, by name (no sub-folders, no sidecars, no dotfiles,
    no symbolic links, nothing but regular files)."""
    return [p for p in _candidates(folder) if _kind(p) == ""]


def skipped_files(folder: Path) -> list[Path]:
    """The entries in `folder` named like deck files that are no regular file (symbolic links,
    sub-folders, FIFOs, devices, sockets): left out of a folder import, by name."""
    return [p for p in _candidates(folder) if _kind(p)]


_WHY = {
    "symbolic link": "import the file a link points to by its own path",
    "folder": "a folder import does not look into sub-folders",
}
_ORDER = ("symbolic link", "folder", "FIFO", "device file", "socket", "special file")


def skipped_line(skipped: list[Path]) -> str:
    """`2 symbolic link(s) not imported: a.csv, b.md (...); 1 FIFO(s) not imported: c.toml (...)`,
    one line, or '' for none."""
    by_kind: dict[str, list[str]] = {}
    for p in skipped:
        kind = _kind(p)
        if kind:
            by_kind.setdefault(kind, []).append(p.name)
    parts: list[str] = []
    for kind in _ORDER:
        names = by_kind.get(kind, [])
        if names:
            shown = ", ".join(names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")
            why = _WHY.get(kind, "not a regular file: never opened")
            parts.append(f"{len(names)} {kind}(s) not imported: {shown} ({why})")
    return "; ".join(parts)


# the names the import command and the import dialog call them by
linked_files = skipped_files
links_line = skipped_line


def import_summary(imported: int, decks: Iterable[str], refused: list[str], *, dry_run: bool = False) -> str:
    """`imported 9 files (10 decks); 1 refused: README.md` (one line). `decks`: the ids of the decks
    the files wrote (or would write), each counted once however many files hold it (five copies of
    one deck are 1 deck: one file is written)."""
    count = len(set(decks))
    verb = "would import" if dry_run else "imported"
    files = "file" if imported == 1 else "files"
    deck_word = "deck" if count == 1 else "decks"
    line = f"{verb} {imported} {files} ({count} {deck_word})"
    if refused:
        line += f"; {len(refused)} refused: {', '.join(refused)}"
    return line
