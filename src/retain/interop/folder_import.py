"""Import a folder: every deck file directly in it, one after the other, each on its own.

A file that is refused is named in the summary and the others still go in;
each file is applied atomically as a single import is. Sidecars that belong to
a deck file (`NAME.progress.toml`) and hidden files are not decks. Nor is a
symbolic link: a folder from a stranger could hold `notes.csv -> ~/.ssh/id_rsa`,
and importing it would copy that file into a deck (`linked_files` names them, so
the command can say they were left out; a file named by its own path still imports).
"""

from __future__ import annotations

from pathlib import Path

from retain.interop.history import sidecar_path
from retain.interop.importer import IMPORT_SUFFIXES

__all__ = ["deck_files", "import_summary", "linked_files", "links_line"]


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


def deck_files(folder: Path) -> list[Path]:
    """The importable files directly in `folder`, by name (no sub-folders, no sidecars, no dotfiles,
    no symbolic links)."""
    return [p for p in _candidates(folder) if not p.is_symlink() and p.is_file()]


def linked_files(folder: Path) -> list[Path]:
    """The symbolic links in `folder` named like deck files: left out of a folder import."""
    return [p for p in _candidates(folder) if p.is_symlink()]


def links_line(links: list[Path]) -> str:
    """`2 symbolic link(s) not imported: a.csv, b.md (...)`, one line, or '' for none."""
    if not links:
        return ""
    shown = ", ".join(p.name for p in links[:5]) + (f" and {len(links) - 5} more" if len(links) > 5 else "")
    return (
        f"{len(links)} symbolic link(s) not imported: {shown} "
        "(import the file a link points to by its own path)"
    )


def import_summary(imported: int, decks: int, refused: list[str], *, dry_run: bool = False) -> str:
    """`imported 9 files (10 decks); 1 refused: README.md` (one line)."""
    verb = "would import" if dry_run else "imported"
    files = "file" if imported == 1 else "files"
    deck_word = "deck" if decks == 1 else "decks"
    line = f"{verb} {imported} {files} ({decks} {deck_word})"
    if refused:
        line += f"; {len(refused)} refused: {', '.join(refused)}"
    return line
