"""Media files: content-hash names, placeholders in card text, and the deck's media folder.

A media file from an archive is never written under the name it came with: its
name is the SHA-256 of its bytes plus a short, sanitised extension. Cards refer
to it with a Markdown image placeholder, `![image](DECK.media/HASH.png)`, a
path relative to the deck file.
"""

from __future__ import annotations

import hashlib
import re
import shutil
from collections.abc import Iterable
from pathlib import Path, PurePosixPath

from retain.core.mediaref import AUDIO_EXTS
from retain.core.model import Deck
from retain.store.files import fsync_dir

__all__ = [
    "AUDIO_EXTS",
    "PLACEHOLDER_RE",
    "hash_name",
    "is_unsafe_name",
    "media_dir",
    "placeholder",
    "referenced_media",
    "safe_ext",
    "sha256_file",
    "store_media",
]

_EXT_RE = re.compile(r"^[a-z0-9]{1,8}$")
PLACEHOLDER_RE = re.compile(
    r"!\[([^\[\]\n]*)\]\(([a-z0-9][a-z0-9-]*)\.media/([0-9a-f]{64}(?:\.[a-z0-9]{1,8})?)\)"
)


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


def referenced_media(deck: Deck) -> list[str]:
    """Hash names of media that the deck's cards refer to, in first-use order."""
    seen: dict[str, None] = {}
    for card in deck.cards:
        for text in (card.front, card.back, card.text, card.extra):
            for m in PLACEHOLDER_RE.finditer(text):
                if m[2] == deck.id:
                    seen.setdefault(m[3], None)
    return list(seen)


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def store_media(decks_dir: Path, deck_id: str, names: Iterable[str], staged: dict[str, Path]) -> int:
    """Copy staged media into the deck's media folder; existing files (same hash) are kept."""
    target = media_dir(decks_dir, deck_id)
    written = 0
    for name in names:
        src = staged.get(name)
        dst = target / name
        if src is None or dst.exists():
            continue
        target.mkdir(parents=True, exist_ok=True)
        tmp = target / f".{name}.tmp"
        shutil.copyfile(src, tmp)
        tmp.replace(dst)
        written += 1
    if written:
        fsync_dir(target)
    return written
