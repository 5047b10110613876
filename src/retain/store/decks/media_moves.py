"""A card moved to another deck takes its media along.

A card names files in its own deck's media folder (`DECK.media/NAME`, `core.mediaref`), and a
reference to another deck's folder is refused (`store.media`). So a card moved to another deck
(the browser's `m`, the editor's deck field) has each reference to its old deck's folder
re-pointed to the new deck's, and each file it names copied there: copied, never moved, as the
old deck's other cards may use it too. A name the new folder already holds with other bytes is
given a free one (`NAME-2.EXT`). A file the old folder does not hold (missing, or refused: a link
out of the deck's folder) is re-pointed but not copied, so the card shows the same `missing:` line
it did. Nothing is copied into a media folder that is a link out of its deck's folder.
"""

from __future__ import annotations

import contextlib
import filecmp
import shutil
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path, PurePosixPath

from retain.core.mediaref import MediaRef, media_refs, repoint_refs
from retain.core.model import Card
from retain.store.decks.deckedit import DeckEditError
from retain.store.files import atomic_output, open_regular
from retain.store.media import linked_out, resolve_media
from retain.store.oserror import os_error_text

__all__ = ["carry_media"]

_TRIES = 1000  # free names tried for one file (`NAME-2.EXT` .. `NAME-1000.EXT`)


def _texts(card: Card) -> Iterator[str]:
    yield from (card.front, card.back, card.text, card.extra)


def _free_name(folder: Path, name: str) -> Iterator[str]:
    path = PurePosixPath(name)
    stem, ext = (path.stem, path.suffix) if path.stem else (name, "")
    for n in range(2, _TRIES + 1):
        yield f"{stem}-{n}{ext}"
    raise DeckEditError(f"media {name!r}: no free name for it in {folder}; nothing was moved")


def _same(src: Path, to_file: Path, to_deck: str, name: str) -> bool | None:
    """True: the new folder holds these bytes under `name`; False: nothing is there; None: it holds
    something else (other bytes, a link out, a FIFO)."""
    found = resolve_media(to_file, to_deck, MediaRef("", to_deck, name))
    if found.status == "missing":
        folder = to_file.parent / f"{to_deck}.media"
        taken = (folder / name).is_symlink() or (folder / name).exists()
        return None if taken else False
    if found.status != "ok" or found.path is None:
        return None
    return True if filecmp.cmp(src, found.path, shallow=False) else None


def _copy(src: Path, dst: Path) -> None:
    with open_regular(src) as fin, atomic_output(dst, through_links=False) as tmp, open(tmp, "wb") as fout:
        shutil.copyfileobj(fin, fout)


def carry_media(card: Card, from_deck: str, from_file: Path, to_deck: str, to_file: Path) -> Card:
    """`card`, moved from deck `from_deck` (stored in `from_file`) to `to_deck` (in `to_file`), with
    its media references re-pointed and the files they name copied to `to_deck`'s media folder.
    DeckEditError (one line) when a file cannot be copied: the files copied before it are removed."""
    if from_deck == to_deck:
        return card
    folder = to_file.parent / f"{to_deck}.media"
    renamed: dict[str, str] = {}
    made: list[Path] = []
    seen: set[str] = set()
    done = False
    try:
        for text in _texts(card):
            for ref in media_refs(text):
                if ref.folder != from_deck or ref.name in seen:
                    continue
                seen.add(ref.name)
                found = resolve_media(from_file, from_deck, ref)
                if found.status != "ok" or found.path is None or linked_out(folder):
                    continue
                name = ref.name
                same = _same(found.path, to_file, to_deck, name)
                if same is None:
                    for name in _free_name(folder, ref.name):
                        same = _same(found.path, to_file, to_deck, name)
                        if same is not None:
                            break
                    renamed[ref.name] = name
                if not same:
                    folder.mkdir(parents=True, exist_ok=True)
                    _copy(found.path, folder / name)
                    made.append(folder / name)
        done = True
    except OSError as exc:
        raise DeckEditError(f"media of card {card.id!r}: {os_error_text(exc)}; nothing was moved") from None
    finally:
        if not done:  # (copied before the one that failed: taken back)
            for path in made:
                with contextlib.suppress(OSError):
                    path.unlink()

    def fix(text: str) -> str:
        return repoint_refs(text, from_deck, to_deck, renamed)

    return replace(
        card, front=fix(card.front), back=fix(card.back), text=fix(card.text), extra=fix(card.extra)
    )
