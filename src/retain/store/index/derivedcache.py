"""Disposable derived caches: parsed decks and snapshots as `marshal` data in the cache folder.

TOML files stay the source of truth. A cache entry remembers the identity of
the file it was derived from (inode, mtime_ns, size: `os.replace` gives every
rewrite a new inode) and a code fingerprint (the retain version plus the size
and modification time of every module in the package), so edits,
rewrites and upgrades all invalidate it. Anything unexpected on load (a
missing, stale, truncated or foreign file) is treated as a miss: the cache is
never trusted over the TOML and never needed for correctness.

marshal (not pickle) is used: it loads only plain data, never runs code.
"""

from __future__ import annotations

import contextlib
import marshal
import os
import zlib
from pathlib import Path
from typing import Any

from retain import __version__
from retain.store.files import atomic_write

__all__ = ["FileId", "cache_path", "code_fingerprint", "file_id", "load", "save"]

FileId = tuple[int, int, int]
_MAGIC = "retain-derived-cache"
_fingerprint: str | None = None


def file_id(path: Path) -> FileId | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_ino, st.st_mtime_ns, st.st_size)


def code_fingerprint() -> str:
    """The retain version plus the size and mtime of every module of the installed package.

    Computed over the whole package (not a list of files), so any change to
    the code that shapes derived data invalidates it; ~1 ms for ~150 modules.
    """
    global _fingerprint
    if _fingerprint is None:
        import retain

        here = Path(retain.__file__).resolve().parent
        parts = [__version__]
        for root, dirs, files in os.walk(here):
            dirs[:] = sorted(d for d in dirs if d != "__pycache__")
            for name in sorted(files):
                if name.endswith(".py"):
                    path = os.path.join(root, name)
                    with contextlib.suppress(OSError):
                        st = os.stat(path)
                        parts.append(f"{os.path.relpath(path, here)}:{st.st_size}:{st.st_mtime_ns}")
        text = "|".join(parts).encode()
        _fingerprint = f"{zlib.crc32(text):08x}{zlib.adler32(text):08x}{len(text):x}"
    return _fingerprint


def cache_path(cache_dir: Path, kind: str, source: Path) -> Path:
    name = os.fsencode(os.path.abspath(source))  # (any bytes: a Latin-1 file name too)
    digest = f"{zlib.crc32(name):08x}{zlib.adler32(name):08x}"
    return cache_dir / kind / f"{source.stem[:40]}-{digest}.marshal"


def load(path: Path, kind: str, identity: Any) -> Any | None:
    """The payload saved under `identity`, or None (missing, stale or damaged)."""
    try:
        with path.open("rb") as fh:
            data = marshal.loads(fh.read())  # ~15x faster than marshal.load(fh)
    except (OSError, EOFError, ValueError, TypeError):
        return None
    if (
        not isinstance(data, tuple)
        or len(data) != 5
        or data[0] != _MAGIC
        or data[1] != kind
        or data[2] != code_fingerprint()
        or data[3] != identity
    ):
        return None
    return data[4]


def save(path: Path, kind: str, identity: Any, payload: Any) -> None:
    """Write the cache; failures are ignored (the cache is only an accelerator)."""
    with contextlib.suppress(OSError, ValueError):
        blob = marshal.dumps((_MAGIC, kind, code_fingerprint(), identity, payload))
        atomic_write(path, blob, durable=False)
