"""Find the writable file for a deck: user decks in place, bundled decks as a user copy."""

from __future__ import annotations

import errno
import os
from pathlib import Path

from retain.core.ids import is_valid_id
from retain.core.model import Deck
from retain.store.decks.deckedit import DeckEditError, DeckFile, create_deck_file, write_new_file
from retain.store.decks.library import Library
from retain.store.home import Home
from retain.store.oserror import os_error_text

__all__ = ["taken_file_message", "writable_deck_file"]


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve()
    except (OSError, RuntimeError):  # a link loop
        return False


def _loops(path: Path) -> bool:
    try:
        os.stat(path)
    except OSError as exc:
        return exc.errno == errno.ELOOP
    return False


def taken_file_message(library: Library, path: Path, deck_id: str) -> str:
    """Why deck `deck_id` cannot be made at `path`, where a file already is, in one line.

    "Broken" only when the file has an error: a healthy file that holds another deck
    says which (a file name and its deck id may differ).
    """
    if os.path.islink(path) and not path.exists():  # (the library lists it as a broken deck too)
        what = "a symbolic link loop" if _loops(path) else "a broken symbolic link"
        return f"{path} is {what}; fix or remove the link"
    entry = next((e for e in library.entries if _same_file(e.path, path)), None)
    if entry is None:
        if not path.is_file():
            return f"{path} exists but is not a deck file; move it away or choose another id"
        return f"{path} exists but is not read as a deck; run `retain check {path}`"
    if entry.deck is None:  # what is wrong, said: a file's own check may not see it (an id another file has)
        why = entry.error
        return (
            f"{path} exists but is broken ({why}); fix it or choose another id"
            if why
            else (f"{path} exists but is broken; run `retain check {path}`")
        )
    if entry.deck.id == deck_id:  # (a bundled deck's id: the user copy is in another file)
        return f"{path} already holds deck {deck_id!r}"
    return f"{path} holds deck {entry.deck.id!r}; choose another id or rename the file"


def writable_deck_file(home: Home, deck_id: str, *, create: bool = False, name: str = "") -> DeckFile:
    """The deck's file, ready to edit.

    Bundled decks live inside the installed package, so the first edit copies the
    file into the user's deck folder; the copy then replaces the bundled deck.
    """
    if not is_valid_id(deck_id):
        raise DeckEditError(f"deck id {deck_id!r} is invalid: use lowercase letters, digits and '-'")
    library = home.library(cards=False)  # (which file: the cards are read from it)
    entry = library.entry(deck_id)
    target = home.paths.decks_dir / f"{deck_id}.toml"
    if entry is None:
        if not create:
            raise DeckEditError(f"no deck {deck_id!r}; see `retain due` for the deck ids")
        if os.path.lexists(target):  # (a broken symbolic link too: never replaced)
            raise DeckEditError(taken_file_message(library, target, deck_id))
        target.parent.mkdir(parents=True, exist_ok=True)
        return create_deck_file(target, Deck(id=deck_id, name=name or deck_id))
    if entry.origin == "bundled":
        if os.path.lexists(target):
            raise DeckEditError(taken_file_message(library, target, deck_id))
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            data = Path(entry.path).read_bytes()
        except OSError as exc:
            raise DeckEditError(
                f"cannot read the bundled deck {entry.path}: {os_error_text(exc, name=False)}"
            ) from None
        write_new_file(target, data)  # (atomic, and never over a copy made a moment ago)
        return DeckFile.load(target)
    return DeckFile.load(_savable(Path(entry.path)))


def _savable(path: Path) -> Path:
    """`path`, once the folder its file is saved in (a symbolic link's target's) is writable.

    A save replaces the file with a new one in that folder: say now, in one line, that it
    cannot be, rather than fail at the save.
    """
    real = Path(os.path.realpath(path))
    if not os.access(real.parent, os.W_OK):
        where = f" (a link to {real})" if os.path.islink(path) else ""
        raise DeckEditError(f"{path}{where} cannot be saved: its folder {real.parent} is not writable")
    return path
