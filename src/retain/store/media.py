"""Find a card's media file on disk, inside its deck's media folder and nowhere else.

A reference `DECK.media/NAME` (`core.mediaref`) is resolved against the folder
of the deck's file: `<deck file's folder>/DECK.media/NAME`. It is refused when
it names another deck's folder, when the name is not one plain file name,
when the media folder is a symbolic link out of the deck file's folder (a
cloned deck's `DECK.media -> ~/.ssh`: `linked_out`, refused by exports too), or
when the real path (symbolic links followed) is not a regular file directly in
the real media folder: no traversal, no symlink escape.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from retain.core.mediaref import MediaRef, may_hold_refs, media_refs
from retain.core.model import Deck, Problem

__all__ = ["MediaFile", "linked_out", "media_problems", "resolve_media"]

Status = Literal["ok", "missing", "refused"]


@dataclass(frozen=True, slots=True)
class MediaFile:
    ref: MediaRef
    status: Status
    path: Path | None = None  # the real path when status is "ok"
    size: int = 0
    mtime_ns: int = 0
    reason: str = ""


def linked_out(folder: Path) -> bool:
    """The media folder is a symbolic link to a folder outside the deck file's own folder (a
    cloned deck's `DECK.media -> ~/.ssh`): nothing in it is shown, opened or exported."""
    try:
        if not folder.is_symlink():
            return False
        return folder.resolve(strict=True).parent != folder.parent.resolve(strict=True)
    except (OSError, RuntimeError):
        return True


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
        if linked_out(folder):
            if not folder.exists():
                return MediaFile(ref, "missing")  # a dangling link: no folder
            return MediaFile(ref, "refused", reason="the media folder is a link out of the deck's folder")
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


def media_problems(deck: Deck) -> list[Problem]:
    """A warning per card and media file it uses that the study screen would show as `missing:`
    or `refused:`, at the card's line (for `retain check`)."""
    if not deck.path:
        return []
    deck_file = Path(deck.path)
    found: list[Problem] = []
    for card in deck.cards:
        seen: set[MediaRef] = set()
        for text in (card.front, card.back, card.text, card.extra):
            for ref in media_refs(text) if may_hold_refs(text) else ():
                if ref in seen:
                    continue
                seen.add(ref)
                media = resolve_media(deck_file, deck.id, ref)
                if media.status == "missing":
                    what = f"not found in {deck_file.parent / (deck.id + '.media')}"
                elif media.status == "refused":
                    what = f"refused ({media.reason})"
                else:
                    continue
                name = ref.name if len(ref.name) <= 80 else ref.name[:79] + "…"
                found.append(
                    Problem(deck.path, card.line, 1, f"card '{card.id}': media {name!r} {what}", "warning")
                )
    return found
