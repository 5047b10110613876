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

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from operator import attrgetter
from pathlib import Path
from typing import Literal

from retain.core.deckfile import FieldSpots, parse_deck
from retain.core.mediaref import MediaRef, image_refs, may_hold_refs, media_refs, ref_target
from retain.core.model import Card, Deck, Problem

__all__ = ["MediaFile", "deck_text", "file_media_problems", "linked_out", "media_problems", "resolve_media"]

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


_FIELDS = ("front", "back", "text", "extra")  # a card's texts that may name media files
# (card, field, its text, the reference's offset in it, the warning)
_Found = tuple[Card, str, str, int, str]


def media_problems(deck: Deck) -> list[Problem]:
    """A warning per card and media file it uses that the study screen would show as `missing:`
    or `refused:`, at the card's line (for the card editor, with no file read; `retain check`
    uses `file_media_problems`)."""
    return [
        Problem(deck.path, card.line, 1, message, "warning") for card, *_, message in _found(deck, deck.cards)
    ]


def file_media_problems(deck: Deck, *, left_out: bool = False) -> list[Problem]:
    """`media_problems` for `retain check`, each at the line and column of the reference in the
    deck's file (`core.deckfile.FieldSpots`); with `left_out` (cards the deck leaves out for an
    error), those cards' references are said too, as the card's other warnings are. The file is
    read again only when there is something to say (or cards were left out)."""
    if not deck.path:
        return []
    text: str | None = None
    cards: Sequence[Card] = deck.cards
    if left_out:
        text = deck_text(deck.path)
        if text is not None:
            refused = parse_deck(text, deck.path).refused
            cards = sorted((*deck.cards, *refused), key=attrgetter("line"))
    found = _found(deck, cards)
    if not found:
        return []
    if text is None:
        text = deck_text(deck.path)
    if text is None:  # (gone since it was read: at each card's line)
        return media_problems(replace(deck, cards=tuple(cards)))
    spots = FieldSpots(text, deck.path)
    groups: dict[tuple[int, str, str], list[int]] = {}
    for card, key, value, offset, _message in found:
        groups.setdefault((card.line, key, value), []).append(offset)
    places: dict[tuple[int, str, str, int], tuple[int, int]] = {}
    for (line, key, value), offsets in groups.items():
        for offset, at in zip(offsets, spots.at(line, key, value, offsets), strict=True):
            places[line, key, value, offset] = at
    said = []
    for card, key, value, offset, message in found:
        line, col = places[card.line, key, value, offset]
        said.append(Problem(deck.path, line, col, message, "warning"))
    return said


def deck_text(path: str) -> str | None:
    """A deck file's text as it is now, read again for the places of a problem (None: it cannot
    be read any more)."""
    from retain.store.files import ReadError, read_text_limited

    try:
        return read_text_limited(Path(path))
    except ReadError:
        return None


def _refs_at(text: str) -> list[tuple[int, MediaRef]]:
    """Each media reference of the text (`media_refs`) with the offset of its `![`: the image
    references are read in order, and each that names a media folder is the next of them."""
    refs = media_refs(text)
    if not refs:
        return []
    found: list[tuple[int, MediaRef]] = []
    for m in image_refs(text):
        ref = refs[len(found)]
        if ref_target(m) == f"{ref.folder}.media/{ref.name}":
            found.append((m.start(), ref))
            if len(found) == len(refs):
                return found
    return found + [(0, ref) for ref in refs[len(found) :]]  # (never: at the text's start)


def _found(deck: Deck, cards: Iterable[Card]) -> list[_Found]:
    if not deck.path:
        return []
    deck_file = Path(deck.path)
    found: list[_Found] = []
    for card in cards:
        seen: set[MediaRef] = set()
        for key in _FIELDS:
            text: str = getattr(card, key)
            for offset, ref in _refs_at(text) if may_hold_refs(text) else ():
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
                found.append((card, key, text, offset, f"card '{card.id}': media {name!r} {what}"))
    return found
