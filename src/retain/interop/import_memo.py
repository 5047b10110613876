"""Recognise a re-import that would change nothing, without reading the package again.

After an import, a memo is kept in `cache/imports/` under the package's SHA-256:
what a second import of the very same file would print, and everything that
answer depends on. A later import of a file with that digest, the same options
and the same retain build prints the memo's lines at once when all of these
still hold:

- every deck file of the library is as the import left it (path, inode, size,
  modification time), and each deck file and Anki sidecar it wrote has the same
  SHA-256;
- every media file it stored is still there;
- with `--with-history`: every card the package has a review log for still has
  progress here (so the history is kept, exactly as a full import decides).

Anything else, or any doubt (no memo, a damaged one, an unreadable file), takes
the full import, which writes a fresh memo. The memo is derived data like the
rest of `cache/`: deleting it only costs the next re-import its speed.
A memo is written only when the written deck files read back as the package's
decks, so a full re-import would indeed report them unchanged.
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import tomli_w

from retain.core.tomlsafe import loads_safe
from retain.interop.ankikeep import keep_path
from retain.interop.importer import ImportPlan, count_line
from retain.interop.media import media_dir, referenced_media
from retain.interop.upgrade import diff_decks
from retain.store.decks.library import deck_file_ids
from retain.store.files import atomic_write
from retain.store.home import Home, library_folders
from retain.store.index.derivedcache import code_fingerprint

__all__ = ["Options", "digest", "replay", "save"]

_FORMAT = 1
_CHUNK = 1 << 20


@dataclass(frozen=True, slots=True)
class Options:
    with_history: bool
    force: bool

    def key(self) -> str:
        return f"history={int(self.with_history)} force={int(self.force)}"


def digest(path: Path) -> str:
    """SHA-256 of the file's bytes (a 6 MB package: ~10 ms)."""
    h = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(_CHUNK):
            h.update(chunk)
    return h.hexdigest()


def _memo_path(home: Home, package: str) -> Path:
    return home.paths.cache_dir / "imports" / f"{package}.toml"


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _library(home: Home) -> dict[str, list[int]]:
    ids = deck_file_ids(library_folders(home.paths, home.config))
    return {path: list(fid) if fid is not None else [] for path, fid in ids.items()}


def prepare(home: Home, options: Options, plan: ImportPlan, history_keys: list[str]) -> dict[str, Any] | None:
    """The memo of an import whose deck files are written (None when a re-import could report
    changes); `save` it once the import has succeeded. Made before the history is recorded, so
    the plan's texts and read-back decks can be let go meanwhile.

    `history_keys`: the units the package's history is about (sorted; [] without history).
    """
    lines: list[str] = []
    imported: list[str] = []
    written: dict[str, str] = {}
    media: list[str] = []
    for planned in plan.decks:
        if planned.note or planned.written is None:
            return None  # renamed on the way in, or not read back: the next import decides afresh
        again = diff_decks(planned.written, planned.deck)
        if not again.empty:
            return None  # the file does not read back as the package's deck: a re-import shows changes
        lines += again.lines()
        imported.append(f"imported deck {planned.deck.id}: {count_line(planned.deck)} -> {planned.target}")
        written[str(planned.target)] = _sha(planned.target)
        keep = keep_path(planned.target.parent, planned.deck.id)
        if planned.deck.id in plan.bundle.keeps and keep.exists():
            written[str(keep)] = _sha(keep)
        folder = media_dir(planned.target.parent, planned.deck.id)
        media += [str(folder / n) for n in referenced_media(planned.deck) if n in plan.bundle.media]
    keys = history_keys if options.with_history else []
    memo: dict[str, Any] = {
        "format": _FORMAT,
        "code": code_fingerprint(),
        "options": options.key(),
        "made": datetime.now(UTC),
        "lines": lines,
        "imported": imported,
        "library": _library(home),
        "written": written,
        "media": media,
        "history": {"keys": keys},
    }
    return memo


def save(home: Home, package: str, memo: dict[str, Any]) -> None:
    """Keep `memo` (from `prepare`) for the package whose digest is `package`."""
    memo = {**memo, "made": datetime.now(UTC)}
    path = _memo_path(home, package)
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(path, tomli_w.dumps(memo))


def _load(home: Home, package: str) -> dict[str, Any] | None:
    try:
        memo = loads_safe(_memo_path(home, package).read_text(encoding="utf-8"))
    except (OSError, ValueError):  # missing, unreadable, not UTF-8
        return None
    return memo if isinstance(memo, dict) else None  # a TomlFailure: damaged, import in full


def _still_holds(home: Home, memo: dict[str, Any]) -> bool:
    if memo.get("library") != _library(home):
        return False
    written = memo.get("written")
    media = memo.get("media")
    if not isinstance(written, dict) or not isinstance(media, list):
        return False
    with contextlib.suppress(OSError):
        return all(_sha(Path(p)) == h for p, h in written.items()) and all(Path(m).is_file() for m in media)
    return False


def _history_kept(home: Home, keys: Sequence[str]) -> int | None:
    """How many of `keys` have progress here; None when any has none (the full import records some)."""
    from retain.store.collection import Collection, CollectionError

    try:
        col = Collection.open(home, datetime.now(UTC), read_only=True, cards=False)
    except CollectionError:
        return None
    try:
        states = col.states
        return len(keys) if all(k in states for k in keys) else None
    finally:
        col.close()


def replay(home: Home, package: str, options: Options) -> list[str] | None:
    """The lines a full import of the package would print now, when the memo proves it changes
    nothing (else None: import it in full)."""
    memo = _load(home, package)
    if memo is None or memo.get("format") != _FORMAT or memo.get("code") != code_fingerprint():
        return None
    if memo.get("options") != options.key() or not _still_holds(home, memo):
        return None
    lines, imported, history = memo.get("lines"), memo.get("imported"), memo.get("history")
    if not isinstance(lines, list) or not isinstance(imported, list) or not isinstance(history, dict):
        return None
    out = [*map(str, lines), *map(str, imported)]
    if options.with_history:
        keys = history.get("keys")
        if not isinstance(keys, list):
            return None
        kept = _history_kept(home, [str(k) for k in keys]) if keys else 0
        if kept is None:
            return None
        if keys:
            out.append(
                f"recorded 0 event(s) of review history; {kept} card(s) already had progress here and kept it"
            )
        else:
            out.append("recorded 0 event(s) of review history")
    return out
