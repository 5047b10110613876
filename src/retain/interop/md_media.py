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
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from retain.core.model import Card
from retain.interop.bundle import Bundle
from retain.interop.errors import InteropError, LimitError
from retain.interop.limits import Limits, mb
from retain.interop.media import hash_name

if TYPE_CHECKING:
    from retain.interop.markdown import _Block

__all__ = ["IMAGE_RE", "ImageImporter", "collection_root"]

IMAGE_RE = re.compile(r"!\[([^\[\]\n]*)\]\(\s*(<[^>\n]*>|[^()\s]+)(\s+\"[^\"\n]*\")?\s*\)")
_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


def collection_root(path: Path) -> Path:
    folder = path.resolve().parent
    for candidate in (folder, *folder.parents):
        if (candidate / "hashcards.db").is_file():
            return candidate
    return folder


class ImageImporter:
    def __init__(self, path: Path, stage: Path, limits: Limits, bundle: Bundle, deck_id: str) -> None:
        self.root = collection_root(path)
        self.stage, self.limits, self.bundle, self.deck_id = stage, limits, bundle, deck_id
        self.done: dict[Path, str] = {}

    def rewrite(self, card: Card, block: _Block) -> Card:
        changes: dict[str, Any] = {}
        for key in ("front", "back", "text", "extra"):
            value = getattr(card, key)
            if "![" in value:
                new = IMAGE_RE.sub(lambda m: self._one(m, block), value)
                if new != value:
                    changes[key] = new
        return replace(card, **changes) if changes else card

    def _line(self, ref: str, block: _Block) -> int:
        return next((block.line + i for i, ln in enumerate(block.raw) if ref in ln), block.line)

    def _one(self, m: re.Match[str], block: _Block) -> str:
        ref = m[2][1:-1] if m[2].startswith("<") else m[2]
        if not ref or _URL.match(ref) or ref.startswith("#"):
            return m[0]
        where = f"line {self._line(ref, block)}"
        src = self._resolve(ref, where)
        if src is None:
            self.bundle.warnings.append(
                f"{where}: image {ref[:80]} not found under {self.root}; kept as text"
            )
            return m[0]
        hashed = self.done.get(src) or self._copy(src, ref)
        return f"![{m[1]}]({self.deck_id}.media/{hashed})"

    def _resolve(self, ref: str, where: str) -> Path | None:
        for name in dict.fromkeys((ref, unquote(ref))):
            if name.startswith(("/", "\\", "~")) or re.match(r"^[A-Za-z]:", name) or "\x00" in name:
                raise InteropError(
                    f"{where}: image path {name[:80]!r} leaves the collection root {self.root}"
                )
            joined = Path(os.path.normpath(self.root / name))
            if not joined.is_relative_to(self.root):
                raise InteropError(
                    f"{where}: image path {name[:80]!r} leaves the collection root {self.root}"
                )
            for part in (joined, *joined.parents):
                if part == self.root:
                    break
                if part.is_symlink():
                    raise InteropError(f"{where}: image path {name[:80]!r} is a symbolic link; refused")
            if joined.is_file():
                return joined
        return None

    def _copy(self, src: Path, ref: str) -> str:
        size = src.stat().st_size
        if size > self.limits.max_media_bytes:
            raise LimitError(
                f"image {ref[:60]!r} is {mb(size)}; the media-file size limit is {mb(self.limits.max_media_bytes)}"
            )
        tmp = self.stage / f"md-part-{len(self.done)}"
        h = hashlib.sha256()
        with src.open("rb") as fin, tmp.open("wb") as fout:
            for chunk in iter(lambda: fin.read(1 << 20), b""):
                h.update(chunk)
                fout.write(chunk)
        hashed = hash_name(h.hexdigest(), src.name)
        final = self.stage / hashed
        tmp.replace(final)
        self.bundle.media[hashed] = final
        self.done[src] = hashed
        return hashed
