"""The native format: a retain deck file (`.toml`), plus an optional progress sidecar and the
deck's media folder beside it (`DECK.media/`).

Import reads only the media files the cards show, each a plain name inside that folder (no
symbolic link), and stages them under content-hash names, as `.apkg` media; cards that use the
author's own names are pointed at the content-hash names (`![alt](DECK.media/HASH.ext)`, as a
`.md` import writes them; references in code are text and stay).
"""

from __future__ import annotations

import errno
import os
import re
import stat
from dataclasses import replace
from pathlib import Path

from retain.core.deckfile import parse_deck
from retain.core.deckwrite import deck_to_toml
from retain.core.mediaref import REF_RE, may_hold_refs, ref_target, sub_refs
from retain.core.model import Card, Deck, Problem
from retain.interop.bundle import Bundle
from retain.interop.errors import InteropError, LimitError
from retain.interop.history import history_from_toml, sidecar_path
from retain.interop.limits import Limits, mb
from retain.interop.media import hash_name, media_dir, referenced_media, sha256_of
from retain.interop.textfile import read_text
from retain.store.files import NotRegularFileError, file_kind, open_regular
from retain.store.oserror import os_error_text

__all__ = ["deck_file_text", "read_native"]


def deck_file_text(deck: Deck) -> str:
    """The deck's own file, comments and all, when it still parses to this deck; else a fresh one."""
    if deck.path:
        try:
            text = read_text(Path(deck.path), Limits())
        except InteropError:
            text = ""
        result = parse_deck(text, deck.path) if text else None
        ok = result is not None and result.deck is not None and not result.errors
        if (
            ok
            and result
            and result.deck
            and result.deck.id == deck.id
            and len(result.deck.cards) == len(deck.cards)
        ):
            return text
    return deck_to_toml(deck)


def _refusal(path: Path, errors: list[Problem]) -> str:
    """One line: the first error where it is, and how many more `retain check` would list."""
    if not errors:
        return "not a valid deck file"
    first = errors[0]
    more = len(errors) - 1
    tail = f" (and {more} more problem(s): `retain check {path}` lists them)" if more else ""
    return f"not a valid deck file: {first.path}:{first.line}:{first.col}: {first.message}{tail}"


def read_native(path: Path, limits: Limits, *, with_history: bool = False) -> Bundle:
    text = read_text(path, limits)
    result = parse_deck(text, str(path))
    if result.deck is None or result.errors:
        raise InteropError(_refusal(path, result.errors))
    deck = result.deck
    bundle = Bundle("toml", [deck], texts={deck.id: text})
    # (said as warnings: the problem's own "warning:" would be said twice)
    bundle.warnings += [f"{p.path}:{p.line}:{p.col}: {p.message}" for p in result.warnings]
    renames = _stage_media(path, deck, limits, bundle)
    if renames:
        _rename_media(bundle, deck, text, renames)
    side = Path(sidecar_path(str(path)))
    unread = _sidecar_unread(side, path) if with_history else None
    if with_history and unread is None:
        reviews, warnings = history_from_toml(_sidecar_text(side, limits), {deck.id}, limits.max_notes * 20)
        bundle.reviews, bundle.warnings = reviews, bundle.warnings + warnings
    elif unread is not None:  # not only "recorded 0 event(s)"
        bundle.warnings.append(f"no review history: {unread}")
    return bundle


def _sidecar_unread(side: Path, deck_file: Path) -> str | None:
    """Why the sidecar `side` is not read, or None when it is a regular file (a link to one
    counts). Shared without it, it "is not beside" the deck; there but no regular file (a FIFO,
    a folder, a link loop) it is said as what it is: "not beside" was false."""
    try:
        mode = os.stat(side).st_mode
    except OSError as exc:
        if not os.path.lexists(side):
            return f"{side.name} is not beside {deck_file.name} (`retain export --with-progress` writes it)"
        what = "a broken symbolic link" if exc.errno == errno.ENOENT else os_error_text(exc, name=False)
        return f"{side.name} beside {deck_file.name} is not a regular file ({what}); not read"
    if stat.S_ISREG(mode):
        return None
    return f"{side.name} beside {deck_file.name} is not a regular file ({file_kind(mode)}); not read"


def _sidecar_text(side: Path, limits: Limits) -> str:
    """The sidecar's text; a refusal names it (`kafka.progress.toml: not UTF-8 text ...`), as
    without that it read as if the deck file itself were not UTF-8 or too big."""
    try:
        return read_text(side, limits)
    except InteropError as exc:
        raise type(exc)(f"{side.name}: {exc}") from None


def _unusable(folder: Path) -> str:
    """Why the media folder holds no file for import (' (no such folder)': the deck file shared
    alone, a plain file, a symbolic link), or '' when it is a folder."""
    if folder.is_symlink():
        return " (a symbolic link, not read)"
    if not folder.exists():
        return " (no such folder)"
    return "" if folder.is_dir() else " (not a folder)"


def _stage_media(path: Path, deck: Deck, limits: Limits, bundle: Bundle) -> dict[str, str]:
    """The cards' media from `DECK.media/` beside `path` into `bundle.media` under content-hash
    names; returns the names that differ from them (author's name -> content-hash name)."""
    folder = media_dir(path.parent, deck.id)
    names = referenced_media(deck)
    if not names:
        return {}
    if len(names) > limits.max_entries:
        raise LimitError(f"the deck uses {len(names)} media files; the limit is {limits.max_entries}")
    why = _unusable(folder)
    renames: dict[str, str] = {}
    missing: list[str] = []
    special: list[str] = []
    total = 0
    for name in names:
        src = folder / name
        if why or src.is_symlink() or not (src.is_file() or os.path.lexists(src)):
            missing.append(name)
            continue
        try:  # opened as checked: a FIFO or a link swapped in since is never read nor followed
            fh = open_regular(src, under=path.parent)
        except NotRegularFileError as exc:
            special.append(f"{name} ({exc.kind})")
            continue
        except OSError:
            missing.append(name)
            continue
        with fh:
            size = os.fstat(fh.fileno()).st_size
            if size > limits.max_media_bytes:
                raise LimitError(
                    f"media file {name[:60]!r} is {mb(size)}; "
                    f"the media-file size limit is {mb(limits.max_media_bytes)}"
                )
            total += size
            if total > limits.max_total_bytes:
                raise LimitError(
                    f"the media files in {folder.name} the deck uses total more than "
                    f"{mb(limits.max_total_bytes)}, the total size limit"
                )
            hashed = hash_name(sha256_of(fh), name)
        bundle.media[hashed] = src  # read again when written: `store_media` checks it holds these bytes
        if hashed != name:
            renames[name] = hashed
    if missing:
        bundle.warnings.append(
            f"{len(missing)} media file(s) not found in {folder}{why}: {', '.join(missing[:5])}"
        )
    if special:
        bundle.warnings.append(
            f"{len(special)} media file(s) in {folder} not imported, not being regular files: "
            f"{', '.join(special[:5])}"
        )
    return renames


def _rename_media(bundle: Bundle, deck: Deck, text: str, renames: dict[str, str]) -> None:
    """Point the cards (and the kept deck text, while it still parses to them) at the new names.

    A reference to a renamed file becomes `![alt](DECK.media/HASH.ext)`, the form a `.md` import
    writes; core's pattern says what a reference is, and one in code (`![x](a.png)` in backticks
    or a fenced block) is text, left as written."""
    prefix = f"{deck.id}.media/"

    def repoint(m: re.Match[str]) -> str:
        target = ref_target(m)
        new = renames.get(target[len(prefix) :]) if target.startswith(prefix) else None
        return f"![{m['alt']}]({prefix}{new})" if new else m[0]

    def sub(value: str) -> str:
        return sub_refs(value, repoint) if may_hold_refs(value) else value

    def card(c: Card) -> Card:
        return replace(c, front=sub(c.front), back=sub(c.back), text=sub(c.text), extra=sub(c.extra))

    renamed = replace(deck, cards=tuple(card(c) for c in deck.cards))
    bundle.decks = [renamed]
    # The file's text, comments and all: its code spans are told apart as in a card's text (a
    # string's escapes aside), else every reference in it; a fresh file when neither reads back.
    for new_text in dict.fromkeys((sub(text), REF_RE.sub(repoint, text))):
        again = parse_deck(new_text, deck.path).deck
        if again is not None and again.cards == renamed.cards:
            bundle.texts[deck.id] = new_text
            return
    del bundle.texts[deck.id]
