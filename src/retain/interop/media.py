"""Media files: content-hash names, placeholders in card text, and the deck's media folder.

A media file from an archive is never written under the name it came with: its
name is the SHA-256 of its bytes plus a short, sanitised extension. Cards refer
to it with a Markdown image placeholder, `![image](DECK.media/HASH.png)`, a
path relative to the deck file. Authors may use their own names
(`![image](k8s.media/etcd.png)`): `referenced_media` gives every name in the
deck's own folder that retain shows (`core.mediaref`), so exports carry them too.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import re
from collections.abc import Iterable
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from retain.core.mediaref import AUDIO_EXTS, is_safe_name, may_hold_refs, media_refs
from retain.core.model import Deck
from retain.store.files import file_kind, fsync_dir, open_regular
from retain.store.media import linked_out
from retain.store.oserror import os_error_text, shown_name

__all__ = [
    "AUDIO_EXTS",
    "deck_media_dir",
    "hash_name",
    "is_unsafe_name",
    "linked_out",
    "media_dir",
    "media_file",
    "media_left_behind",
    "media_refusal",
    "media_stored",
    "missing_media",
    "placeholder",
    "referenced_media",
    "safe_ext",
    "sha256_file",
    "sha256_of",
    "store_media",
]

_EXT_RE = re.compile(r"^[a-z0-9]{1,8}\Z")


def safe_ext(name: str) -> str:
    """The lowercase extension of `name` if it is short and alphanumeric, else ''."""
    ext = PurePosixPath(name.replace("\\", "/")).suffix.lower().lstrip(".")
    return ext if _EXT_RE.match(ext) else ""


def hash_name(digest: str, original_name: str) -> str:
    ext = safe_ext(original_name)
    return f"{digest}.{ext}" if ext else digest


def is_unsafe_name(name: str) -> bool:
    """True for names that try to leave a folder: separators, '..', drives, NUL, control chars."""
    if not name or name in (".", "..") or "\x00" in name:
        return True
    if "/" in name or "\\" in name or name.startswith("~"):
        return True
    if re.match(r"^[A-Za-z]:", name):
        return True
    return any(ord(c) < 0x20 for c in name)


def placeholder(deck_id: str, name: str) -> str:
    kind = "audio" if safe_ext(name) in AUDIO_EXTS else "image"
    return f"![{kind}]({deck_id}.media/{name})"


def media_dir(decks_dir: Path, deck_id: str) -> Path:
    return decks_dir / f"{deck_id}.media"


def deck_media_dir(deck: Deck, decks_dir: Path | None) -> Path | None:
    """The deck's media folder: `DECK.media/` beside the file it was loaded from (a configured deck
    folder, the bundled decks), else in `decks_dir`; None when neither is known."""
    if deck.path:
        return media_dir(Path(deck.path).parent, deck.id)
    return media_dir(decks_dir, deck.id) if decks_dir is not None else None


def media_file(folder: Path | None, name: str) -> Path | None:
    """The file `name` of the media folder `folder`, as an export may read it: a plain name
    (`is_safe_name`) of a regular file directly in the folder. A symbolic link counts only while
    its target stays in the folder, so a deck never carries a file from elsewhere on the disk."""
    if folder is None or not is_safe_name(name) or linked_out(folder):
        return None
    candidate = folder / name
    try:
        if not candidate.is_symlink():
            return candidate if candidate.is_file() else None
        real = candidate.resolve(strict=True)
        if real.parent != folder.resolve(strict=True) or not real.is_file():
            return None
    except (OSError, RuntimeError):  # a dangling link, a loop, no permission
        return None
    return real


def referenced_media(deck: Deck) -> list[str]:
    """Names of the media in the deck's own folder that its cards show, in first-use order:
    content-hash names and the author's own, each one plain file name (`is_safe_name`)."""
    seen: dict[str, None] = {}
    for card in deck.cards:
        for text in (card.front, card.back, card.text, card.extra):
            for ref in media_refs(text) if may_hold_refs(text) else ():
                if ref.folder == deck.id and ref.safe:
                    seen.setdefault(ref.name, None)
    return list(seen)


def missing_media(deck: Deck, decks_dir: Path | None) -> list[str]:
    """A warning line naming the deck's referenced media that are not in its media folder, and one
    naming those that are symbolic links out of it (never exported)."""
    folder = deck_media_dir(deck, decks_dir)
    if folder is not None and linked_out(folder) and referenced_media(deck):
        return [
            f"deck {deck.id}: the media folder {folder} is a symbolic link out of the deck's folder; "
            "exported without its files"
        ]
    gone = [n for n in referenced_media(deck) if media_file(folder, n) is None]
    links = [n for n in gone if folder is not None and _is_link(folder / n)]
    where = folder if folder is not None else f"{deck.id}.media/"
    lines = []
    for names, what in (
        ([n for n in gone if n not in links], f"not found in {where}"),
        (links, f"in {where} are symbolic links out of that folder"),
    ):
        if names:
            shown = ", ".join(names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")
            lines.append(f"deck {deck.id}: {len(names)} media file(s) {what}, exported without them: {shown}")
    return lines


def media_left_behind(deck: Deck, suffix: str) -> list[str]:
    """A warning line naming the media the deck's cards show, which a `suffix` file (Anki's text
    format: no media) cannot carry; [] when the cards show none."""
    names = referenced_media(deck)
    if not names:
        return []
    shown = ", ".join(names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")
    return [
        f"deck {deck.id}: {len(names)} media file(s) not included: a {suffix} file carries no media "
        f"(export to .apkg, .toml or .md to take them): {shown}"
    ]


def _is_link(path: Path) -> bool:
    try:
        return path.is_symlink()
    except OSError:
        return False


def sha256_of(fh: BinaryIO) -> str:
    """The SHA-256 of what is left to read in `fh`."""
    h = hashlib.sha256()
    for chunk in iter(lambda: fh.read(1 << 20), b""):
        h.update(chunk)
    return h.hexdigest()


def sha256_file(path: Path) -> str:
    """The SHA-256 of the regular file `path`; NotRegularFileError (an OSError) for a FIFO or a
    device, which is never opened in a way that could block."""
    with open_regular(path) as fh:
        return sha256_of(fh)


_HASHED_RE = re.compile(r"^([0-9a-f]{64})(?:\.[a-z0-9]{1,8})?\Z")


def media_stored(folder: Path, name: str) -> bool:
    """The media folder `folder` holds `name` as an import keeps it (`media_file`: a regular file,
    or a symbolic link to one that stays in the folder): never a link out, a FIFO, a folder."""
    return media_file(folder, name) is not None


def media_refusal(folder: Path, names: Iterable[str]) -> str:
    """Why an import may not store `names` in the media folder `folder` (one line), '' when it may.

    Nothing is written through a symbolic link out of the deck's folder, as exports refuse to read
    one and moving a card between decks copies nothing into one (`store.decks.media_moves`): not
    through the folder (`DECK.media -> /somewhere`, or to nothing), nor through a name in it
    (`DECK.media/HASH.png -> ~/.bashrc`), which never counts as the file already stored. A name
    taken by something else than a regular file (a FIFO, a folder) is refused too. (A file where
    the folder goes is left to the write, which says so: `os_error_text`.)"""
    names = list(names)
    if not names:
        return ""
    shown = shown_name(folder)
    deck = f"deck {shown_name(folder.name.removesuffix('.media'))}: "
    if linked_out(folder):
        to = "to nothing" if not folder.exists() else "out of the deck's folder"
        return (
            f"{deck}the media folder {shown} is a symbolic link {to}; no media are stored through it "
            "(make it a folder, or remove it)"
        )
    for name in names:
        entry = folder / name
        if media_stored(folder, name) or not os.path.lexists(entry):
            continue
        if entry.is_symlink():
            what = "a symbolic link out of that folder or to nothing"
        else:
            try:
                what = f"not a regular file ({file_kind(entry.lstat().st_mode)})"
            except OSError as exc:
                what = f"unreadable ({os_error_text(exc, name=False)})"
        return (
            f"{deck}media file {shown_name(name)} in {shown} is {what}; nothing is stored through it "
            "(move it away)"
        )
    return ""


def store_media(deck_folder: Path, deck_id: str, names: Iterable[str], staged: dict[str, Path]) -> int:
    """Copy staged media into the media folder of deck `deck_id` beside its file, in `deck_folder`
    (where its cards' references are looked up); files already stored (`media_stored`) are kept.

    Every media file an import writes (.apkg, .md, .toml, each file of a folder) is written
    here, after `media_refusal`: an OSError with its line, and nothing written, for a folder or a
    name that is a symbolic link out (asked again at each file: a link planted since the plan).

    A staged file may be the file an import read where it lies (a `.toml` import's `DECK.media/`):
    it is read again here, as `open_regular` opens it (never a FIFO swapped in, never a symbolic
    link), and a content-hash name must hold those bytes still. Otherwise an OSError with one
    line, and nothing of that file written."""
    target = media_dir(deck_folder, deck_id)
    names = [name for name in names if name in staged]
    if why := media_refusal(target, names):
        raise OSError(errno.EPERM, why, os.fspath(target))
    written = 0
    for name in names:
        src = staged[name]
        dst = target / name
        if media_stored(target, name):
            continue
        target.mkdir(parents=True, exist_ok=True)
        if why := media_refusal(target, [name]):  # (planted since: nothing written through it)
            raise OSError(errno.EPERM, why, os.fspath(target))
        tmp = target / f".{name}.tmp"
        with contextlib.suppress(FileNotFoundError):  # a stray one (a crash's, or a FIFO) is replaced
            tmp.unlink()
        try:
            fin = open_regular(src, under=src.parent)
        except OSError as exc:
            raise OSError(
                exc.errno, f"media file {src.name}: {os_error_text(exc, name=False)}", os.fspath(src)
            ) from None
        h = hashlib.sha256()
        try:
            with fin, open(tmp, "xb") as fout:  # (exclusive: never a link followed)
                while chunk := fin.read(1 << 20):
                    h.update(chunk)
                    fout.write(chunk)
            hashed = _HASHED_RE.match(name)
            if hashed and hashed[1] != h.hexdigest():
                raise OSError(
                    errno.EINVAL,
                    f"media file {src.name} changed since the import read it (import again)",
                    os.fspath(src),
                )
            tmp.replace(dst)  # (a link at `dst` is replaced itself, never written through)
        except BaseException:
            with contextlib.suppress(OSError):
                tmp.unlink()
            raise
        written += 1
    if written:
        fsync_dir(target)
    return written
