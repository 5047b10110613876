"""Import a folder: every deck file directly in it, one after the other, each on its own.

A file that is refused is named in the summary and the others still go in;
each file is applied atomically as a single import is. Sidecars that belong to
a deck file (`NAME.progress.toml`) and hidden files are not decks.
"""

from __future__ import annotations

from pathlib import Path

from retain.interop.history import sidecar_path
from retain.interop.importer import IMPORT_SUFFIXES

__all__ = ["deck_files", "import_summary"]


def deck_files(folder: Path) -> list[Path]:
    """The importable files directly in `folder`, by name (no sub-folders, no sidecars, no dotfiles)."""
    sidecar = sidecar_path("x.toml").removeprefix("x")  # ".progress.toml"
    files = [
        p
        for p in folder.iterdir()
        if p.is_file() and not p.name.startswith(".") and not p.name.lower().endswith(sidecar)
    ]
    return sorted((p for p in files if p.suffix.lower() in IMPORT_SUFFIXES), key=lambda p: p.name.casefold())


def import_summary(imported: int, decks: int, refused: list[str], *, dry_run: bool = False) -> str:
    """`imported 9 files (10 decks); 1 refused: README.md` (one line)."""
    verb = "would import" if dry_run else "imported"
    files = "file" if imported == 1 else "files"
    deck_word = "deck" if decks == 1 else "decks"
    line = f"{verb} {imported} {files} ({decks} {deck_word})"
    if refused:
        line += f"; {len(refused)} refused: {', '.join(refused)}"
    return line
