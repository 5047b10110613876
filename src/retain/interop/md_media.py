"""Images in hashcards decks, imported like `.apkg` media.

hashcards resolves `![alt](path)` against the collection root (the folder
passed to `hashcards drill`), never the card's file, and refuses symbolic links
and paths that leave the root. retain takes as the root the nearest folder at
or above the file that holds `hashcards.db`, else the file's own folder.

Each image is copied into the import's stage under the SHA-256 of its bytes
(plus a short extension), and the card points at `DECK.media/HASH.ext`, as for
`.apkg` media. A path that leaves the root or is a symbolic link refuses the
whole import (as a zip-slip name refuses a package); a missing file is a
warning and the text stays as written. URLs are left alone.

Only what the card's lines show as an image is looked up: hashcards shows and resolves those. The
exact text a `[retain]` entry gives back (a card retain's export could not write in hashcards'
syntax) may show more; such a reference is the card's text, as in a `.toml`, and no file is read
for it, unless it names a file directly in the deck's own `DECK.media/` (`own_media`), where the
export puts the deck's media. An export writes each reference the format cannot carry
(`carried`) as text, so its own files always import.

What is an image is core's one pattern (`core.mediaref.sub_refs`): a reference in a code
span or fenced code block is text, and a target retain would not show as media (`a<b.png`)
is never looked up. A reference brought in is written `![alt](DECK.media/HASH.ext)`, as a
`.toml` import writes the references it re-points; one that already names its content-hash
file in the deck's own `DECK.media/` (an export's) stays exactly as written, as in a `.toml`.

Only image, audio and video files come in (by their extension, `core.mediaref`'s
`IMAGE_EXTS`, `AUDIO_EXTS` and `VIDEO_EXTS`: a video is played media, as a sound is, and `o`
opens it only when its first bytes are a video's; or retain's own extension-less
content-hash names; any file directly in the deck's own `DECK.media/`, where an export puts
them), and none from a hidden folder: the root of a stranger's `deck.md` saved
in a home folder is that home folder, and `![x](.ssh/id_rsa)` would copy the key into the
deck, from where every export would ship it. Such a reference is a warning and stays text.
The images, sounds and videos are bounded as a package's media are: each in size, and in count
and total size.
"""

from __future__ import annotations

import hashlib
import os
import re
import stat
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from retain.core.mediaref import (
    AUDIO_EXTS,
    IMAGE_EXTS,
    REF_RE,
    VIDEO_EXTS,
    is_safe_name,
    ref_target,
    sub_refs,
)
from retain.core.model import Card
from retain.interop.bundle import Bundle
from retain.interop.errors import InteropError, LimitError
from retain.interop.limits import Limits, Writer, copy_bounded, mb
from retain.interop.media import hash_name, safe_ext
from retain.store.files import NotRegularFileError, open_regular
from retain.store.oserror import os_error_text

if TYPE_CHECKING:
    from retain.interop.markdown import _Block

__all__ = ["MEDIA_EXTS", "ImageImporter", "carried", "collection_root", "own_media"]

_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
_HASH = re.compile(r"[0-9a-f]{64}")
MEDIA_EXTS = IMAGE_EXTS | AUDIO_EXTS | VIDEO_EXTS  # what an image reference of a `.md` may bring in


def own_media(target: str, deck_id: str) -> bool:
    """`target` names one file directly in the deck's own `DECK.media/` (a plain name: `is_safe_name`),
    read as written and as a URL alike (the import tries both: `%2e%2e%2f` is `../`)."""
    folder = f"{deck_id}.media/"
    return all(
        name.startswith(folder) and is_safe_name(name[len(folder) :]) for name in {target, unquote(target)}
    )


def carried(target: str, deck_id: str) -> bool:
    """A reference `.md` export writes as an image: one the import leaves alone (no target, a URL,
    a `#` fragment) or the deck's own media, which the export puts beside the file. Any other path
    (absolute, leaving the media folder, another folder's) is no media of the deck: the import
    would refuse the file for it or bring in a file from the folder the `.md` is saved in."""
    return not target or bool(_URL.match(target)) or target.startswith("#") or own_media(target, deck_id)


def _what(ref: str) -> str:
    """What the file `ref` names is called in a message: an image, a video, else a media file (a
    sound, or `clip.mp4`, either)."""
    ext = safe_ext(ref.rsplit("/", 1)[-1])
    return "image" if ext in IMAGE_EXTS else "video" if ext in VIDEO_EXTS else "media file"


def _refused(rel: Path, deck_id: str) -> str:
    """Why the file at `rel` (under the root) is no image, sound or video to bring in, or ''. A
    file directly in the deck's own `DECK.media/` (where retain's export puts its media) may have any name."""
    own = len(rel.parts) == 2 and rel.parts[0] == f"{deck_id}.media"
    if safe_ext(rel.name) not in MEDIA_EXTS and not _HASH.fullmatch(rel.name) and not own:
        return "not an image, sound or video file (by its name)"
    if any(part.startswith(".") for part in rel.parts[:-1]):
        return "it is in a hidden folder"
    return ""


def _special(path: Path) -> bool:
    """True when `path` is there but is neither a regular file nor a folder (a FIFO, a socket, a device)."""
    try:
        mode = path.stat().st_mode
    except (OSError, ValueError):
        return False
    return not stat.S_ISREG(mode) and not stat.S_ISDIR(mode)


def collection_root(path: Path) -> Path:
    folder = path.resolve().parent
    for candidate in (folder, *folder.parents):
        if (candidate / "hashcards.db").is_file():
            return candidate
    return folder


class _Hashing:
    """A writer that hashes what it passes on."""

    def __init__(self, out: Writer, h: hashlib._Hash) -> None:
        self.out, self.h = out, h

    def write(self, data: bytes, /) -> int:
        self.h.update(data)
        return self.out.write(data)


class ImageImporter:
    def __init__(self, path: Path, stage: Path, limits: Limits, bundle: Bundle, deck_id: str) -> None:
        self.root = collection_root(path)
        self.stage, self.limits, self.bundle, self.deck_id = stage, limits, bundle, deck_id
        self.done: dict[Path, str] = {}
        self.total = 0  # bytes of the images copied so far
        self._lines: tuple[_Block, dict[str, int]] | None = None  # a block's references' lines
        self.shown: set[str] | None = None  # the targets the card being read shows in its lines

    def rewrite(self, card: Card, block: _Block, shown: set[str] | None = None) -> Card:
        """The card with the images it brings in re-pointed: those whose target is in `shown` (the
        targets the card's lines show as images; None: the card is its lines) or names the deck's
        own media."""
        self.shown = shown
        changes: dict[str, Any] = {}
        for key in ("front", "back", "text", "extra"):
            value = getattr(card, key)
            if "![" in value:
                new = sub_refs(value, lambda m: self._one(m, block))
                if new != value:
                    changes[key] = new
        return replace(card, **changes) if changes else card

    def _line(self, ref: str, block: _Block) -> int:
        """The file line of the first reference to `ref` in the block (else the block's first)."""
        if self._lines is None or self._lines[0] is not block:  # one pass over a block's lines
            found: dict[str, int] = {}
            for i, ln in enumerate(block.raw):
                if "![" in ln:
                    for m in REF_RE.finditer(ln):
                        found.setdefault(ref_target(m), block.line + i)
            self._lines = (block, found)
        return self._lines[1].get(ref, block.line)

    def _one(self, m: re.Match[str], block: _Block) -> str:
        ref = ref_target(m)
        if not ref or _URL.match(ref) or ref.startswith("#"):
            return m[0]
        if self.shown is not None and ref not in self.shown and not own_media(ref, self.deck_id):
            return m[0]  # only in a `[retain]` entry's exact text: the card's text, no file
        where = f"line {self._line(ref, block)}"
        src, why = self._resolve(ref, where)
        if src is None:
            self.bundle.warnings.append(
                f"{where}: {ref[:80]} is not imported: {why}; kept as text"
                if why
                else f"{where}: {_what(ref)} {ref[:80]} not found under {self.root}; kept as text"
            )
            return m[0]
        hashed = self.done.get(src) or self._copy(src, ref, where)
        if not hashed:
            return m[0]
        target = f"{self.deck_id}.media/{hashed}"
        return m[0] if ref == target else f"![{m['alt']}]({target})"

    def _resolve(self, ref: str, where: str) -> tuple[Path | None, str]:
        """The file `ref` names under the root, or (None, why it is not brought in: '' when
        there is no such file); raises when it leaves the root."""
        why = ""
        for name in dict.fromkeys((ref, unquote(ref))):
            leaves = f"{where}: {_what(name)} path {name[:80]!r} leaves the collection root {self.root}"
            if name.startswith(("/", "\\", "~")) or re.match(r"^[A-Za-z]:", name) or "\x00" in name:
                raise InteropError(leaves)
            joined = Path(os.path.normpath(self.root / name))
            if not joined.is_relative_to(self.root):
                raise InteropError(leaves)
            for part in (joined, *joined.parents):
                if part == self.root:
                    break
                if part.is_symlink():
                    raise InteropError(
                        f"{where}: {_what(name)} path {name[:80]!r} is a symbolic link; refused"
                    )
            if joined.is_file():
                why = _refused(joined.relative_to(self.root), self.deck_id)
                if not why:
                    return joined, ""
            elif not why and joined.is_dir():
                why = "it is a folder"
            elif not why and _special(joined):
                why = "not a regular file"
        return None, why

    def _copy(self, src: Path, ref: str, where: str) -> str:
        """The content-hash name `src` is staged under; '' (and a warning) when it is no longer a
        regular file to read: it is opened without following a link below the root, and checked
        on the open descriptor, as a file may be swapped after `_resolve` looked (a FIFO would
        block the import forever)."""
        limits = self.limits
        if len(self.done) >= limits.max_entries:
            raise LimitError(
                f"the file uses more than {limits.max_entries} media files; the limit is {limits.max_entries}"
            )
        try:
            fin = open_regular(src, under=self.root)
        except NotRegularFileError as exc:
            if "symbolic link" in (exc.strerror or ""):
                raise InteropError(
                    f"{where}: {_what(ref)} path {ref[:80]!r} is a symbolic link; refused"
                ) from None
            self.bundle.warnings.append(
                f"{where}: {ref[:80]} is not imported: {os_error_text(exc, name=False)}; kept as text"
            )
            return ""
        except OSError as exc:
            self.bundle.warnings.append(
                f"{where}: {ref[:80]} is not imported: cannot read it ({os_error_text(exc, name=False)}); kept as text"
            )
            return ""
        with fin:
            size = os.fstat(fin.fileno()).st_size
            what = _what(ref)
            too_big = f"{what} {ref[:60]!r} is over the media-file size limit of {mb(limits.max_media_bytes)}"
            if size > limits.max_media_bytes:
                raise LimitError(
                    f"{what} {ref[:60]!r} is {mb(size)}; the media-file size limit is {mb(limits.max_media_bytes)}"
                )
            if self.total + size > limits.max_total_bytes:
                raise LimitError(
                    f"the media files the file uses total more than {mb(limits.max_total_bytes)}, the total size limit"
                )
            tmp = self.stage / f"md-part-{len(self.done)}"
            h = hashlib.sha256()
            with tmp.open("wb") as fout:  # bounded as it runs: a file that grows
                self.total += copy_bounded(fin, _Hashing(fout, h), limits.max_media_bytes, "", "", too_big)
        hashed = hash_name(h.hexdigest(), src.name)
        final = self.stage / hashed
        tmp.replace(final)
        self.bundle.media[hashed] = final
        self.done[src] = hashed
        return hashed
