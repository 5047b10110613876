"""Find a card's media file on disk, inside its deck's media folder and nowhere else.

A reference `DECK.media/NAME` (`core.mediaref`) is resolved against the folder
of the deck's file: `<deck file's folder>/DECK.media/NAME`. It is refused when
it names another deck's folder, when the name is not one plain file name, or
when the real path (symbolic links followed) is not a regular file directly in
the real media folder: no traversal, no symlink escape.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from retain.core.mediaref import MediaRef

__all__ = ["MediaFile", "resolve_media"]

Status = Literal["ok", "missing", "refused"]


@dataclass(frozen=True, slots=True)
class MediaFile:
    ref: MediaRef
    status: Status
    path: Path | None = None  # the real path when status is "ok"
    size: int = 0
    mtime_ns: int = 0
    reason: str = ""


def resolve_media(deck_file: Path | None, deck_id: str, ref: MediaRef) -> MediaFile:
    """Where `ref` is on disk for a card of deck `deck_id` stored in `deck_file`."""
    if not ref.safe:
        return MediaFile(ref, "refused", reason="not a plain file name")
    if ref.folder != deck_id:
        return MediaFile(ref, "refused", reason="not in this deck's media folder")
    if deck_file is None:
        return MediaFile(ref, "missing")
    folder = deck_file.parent / f"{deck_id}.media"
    candidate = folder / ref.name
    try:
        if not candidate.is_symlink() and not candidate.exists():
            return MediaFile(ref, "missing")
        real = candidate.resolve(strict=True)
        real_folder = folder.resolve(strict=True)
        if real.parent != real_folder:
            return MediaFile(ref, "refused", reason="leaves the deck's media folder")
        st = real.stat()
    except (OSError, RuntimeError):  # a dangling link, a loop, no permission
        return MediaFile(ref, "missing")
    if not real.is_file():
        return MediaFile(ref, "refused", reason="not a regular file")
    return MediaFile(ref, "ok", real, st.st_size, st.st_mtime_ns)
