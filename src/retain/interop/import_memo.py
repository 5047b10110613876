"""Recognise a re-import that would change nothing, without reading the package again.

After an import, a memo is kept in `cache/imports/` under a key made of the file's
SHA-256 and its absolute path (the name gives Anki text files and Markdown decks
their id and separator; the folder holds what is read beside the file): what a
second import of the very same file would print, and everything that answer
depends on. A later import of that file with the same bytes, the same options
and the same retain build prints the memo's lines at once when all of these
still hold:

- every deck file of the library is as the import left it (path, inode, size,
  modification time; for a file the import wrote, its bytes are enough: touched
  or saved again with the same content, it still holds), and each deck file and
  Anki sidecar it wrote has the same SHA-256;
- every media file it stored is still there;
- everything the import read beside the file is as it was (`_inputs`): for a
  `.toml`, its `DECK.media/` folder (present or not; each entry's name, type,
  size and modification time, so a file added, removed or changed counts) and,
  with `--with-history`, its `NAME.progress.toml` sidecar (SHA-256, or absent);
  for a `.md`, the collection root and every image path it could look up (found
  or missing, size and modification time); for a card left in the deck the learner
  moved it to (`moved_away`), that deck's `DECK.anki.json` (SHA-256, or absent: it
  may be what tells the card there is the file's);
- with `--with-history`: every card the package has a review log for still has
  progress here (so the history is kept, exactly as a full import decides).

Media are compared by size and modification time (nanoseconds), never hashed:
a re-import stays fast however large they are. Anything else, or any doubt (no
memo, a damaged one, an unreadable file, an image a `.md` import found that the
memo cannot place), takes the full import, which writes a fresh memo. The memo
is derived data like the rest of `cache/`: deleting it only costs the next
re-import its speed. A memo is written only when the written deck files read
back as the package's decks, so a full re-import would indeed report them
unchanged.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import stat
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import tomli_w

from retain.core.mediaref import REF_RE, ref_target
from retain.core.tomlsafe import loads_safe
from retain.interop.ankikeep import keep_path
from retain.interop.errors import InteropError
from retain.interop.history import sidecar_path
from retain.interop.importer import ImportPlan, count_line
from retain.interop.limits import Limits
from retain.interop.md_media import collection_root
from retain.interop.media import media_dir, referenced_media, safe_ext
from retain.interop.textfile import read_text
from retain.interop.upgrade import diff_decks
from retain.store.decks.library import deck_file_ids
from retain.store.files import ReadError, atomic_write, open_regular, read_text_limited
from retain.store.home import Home, library_folders
from retain.store.index.derivedcache import code_fingerprint

__all__ = ["Options", "Replayed", "digest", "replay", "save"]

_FORMAT = 2  # 2: keyed by the path too, with `inputs`
_CHUNK = 1 << 20


@dataclass(frozen=True, slots=True)
class Options:
    with_history: bool
    force: bool

    def key(self) -> str:
        return f"history={int(self.with_history)} force={int(self.force)}"


@dataclass(frozen=True, slots=True)
class Replayed:
    """What a full import would print now: its warnings (stderr), then its lines (stdout)."""

    warnings: list[str]
    lines: list[str]


def digest(path: Path) -> str:
    """The memo's key: SHA-256 of the file's absolute path and its bytes (a 6 MB package: ~10 ms).
    The same bytes under another name or in another folder are another import."""
    h = hashlib.sha256(os.fsencode(path.absolute()) + b"\0")
    with open_regular(path) as fh:  # never blocks: a FIFO swapped in after a check is refused
        while chunk := fh.read(_CHUNK):
            h.update(chunk)
    return h.hexdigest()


def _memo_path(home: Home, package: str) -> Path:
    return home.paths.cache_dir / "imports" / f"{package}.toml"


def _sha(path: Path) -> str:
    h = hashlib.sha256()
    with open_regular(path) as fh:  # never blocks: a FIFO swapped in after a check is refused
        while chunk := fh.read(_CHUNK):
            h.update(chunk)
    return h.hexdigest()


def _library(home: Home) -> dict[str, list[int]]:
    ids = deck_file_ids(library_folders(home.paths, home.config))
    return {path: list(fid) if fid is not None else [] for path, fid in ids.items()}


# -- what the import read beside the file ------------------------------------------------------

_ABSOLUTE = re.compile(r"^(?:[/\\~]|[A-Za-z]:)")
_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


def _entry_state(st: os.stat_result) -> str:
    if stat.S_ISLNK(st.st_mode):
        return "link"
    if stat.S_ISDIR(st.st_mode):
        return "dir"
    if stat.S_ISREG(st.st_mode):
        return f"{st.st_size}:{st.st_mtime_ns}"
    return "other"


def _state(path: Path, kind: str) -> str | None:
    """What `path` is now, as the input of kind `kind` (None: an unknown kind).

    - `sha`: a file read whole (the progress sidecar): its SHA-256, or `none`;
    - `stat`: a path looked up (a media file, a folder on the way): `missing`, `link`, `dir`,
      `other`, or a regular file's `size:mtime_ns` (never hashed: media can be large);
    - `folder`: a media folder whose files are looked up by name: `missing`, `link`, `other`, or the
      SHA-256 of its listing (each entry's name and `stat` state), so any file added, removed or
      changed in it counts;
    - `root`: a `.md` file's collection root (where `hashcards.db` is).
    """
    try:
        if kind == "sha":
            return _sha(path) if path.is_file() else "none"
        if kind == "root":
            return str(collection_root(path))
        if kind not in ("stat", "folder"):
            return None
        try:
            st = path.lstat()
        except FileNotFoundError:
            return "missing"
        state = _entry_state(st)
        if kind == "stat" or state != "dir":
            return state
        h = hashlib.sha256()
        for entry in sorted(os.scandir(path), key=lambda e: e.name):
            h.update(
                f"{entry.name}\0{_entry_state(entry.stat(follow_symlinks=False))}\n".encode(
                    "utf-8", "surrogateescape"
                )
            )
        return h.hexdigest()
    except NotADirectoryError:
        return "missing"
    except OSError:
        return "unreadable"  # never equal to what a memo records: any doubt imports in full


def _note(inputs: dict[str, str], path: Path, kind: str) -> None:
    state = _state(path, kind)
    if state is not None and state != "unreadable":
        inputs[str(path)] = f"{kind} {state}"
    else:
        raise OSError(f"cannot read {path}")


def _md_images(source: Path, plan: ImportPlan, inputs: dict[str, str]) -> bool:
    """Note every path a `.md` import could look an image up at (as `md_media` resolves them):
    those written in the file, and those kept as text in its cards (missing). False when an image
    the import found cannot be placed among them (the memo is then not kept)."""
    root = collection_root(source)
    _note(inputs, source, "root")
    try:
        texts = [read_text(source, Limits())]
    except InteropError:
        return False
    texts += [
        t for d in plan.bundle.decks for c in d.cards for t in (c.front, c.back, c.text, c.extra) if "![" in t
    ]
    found: list[Path] = []
    for text in texts:
        for m in REF_RE.finditer(text):  # (in code too: a path noted in vain costs nothing)
            ref = ref_target(m)
            if not ref or _URL.match(ref) or ref.startswith("#"):
                continue
            for name in dict.fromkeys((ref, unquote(ref))):
                if _ABSOLUTE.match(name) or "\x00" in name:
                    continue  # refused by the import when a card shows it
                joined = Path(os.path.normpath(root / name))
                if not joined.is_relative_to(root) or str(joined) in inputs:
                    continue
                for part in (joined, *joined.parents):
                    if part == root:
                        break
                    _note(inputs, part, "stat")
                if inputs[str(joined)].partition(" ")[2] not in ("missing", "link", "dir", "other"):
                    found.append(joined)
    for key, staged in plan.bundle.media.items():  # each stored image came from a path noted above
        size = staged.stat().st_size
        if not any(p.stat().st_size == size and safe_ext(p.name) == safe_ext(key) for p in found):
            return False
    return True


def _inputs(source: Path, plan: ImportPlan, with_history: bool) -> dict[str, str] | None:
    """Path -> `KIND STATE` of everything the import of `source` read besides its bytes (see
    `_state`); None when that cannot be told for sure."""
    inputs: dict[str, str] = {}
    source = source.absolute()  # a relative path would mean another file from another folder
    suffix = source.suffix.lower()
    if suffix == ".toml":
        if with_history:
            _note(inputs, Path(sidecar_path(str(source))), "sha")
        for deck in plan.bundle.decks:
            if referenced_media(deck):
                _note(inputs, media_dir(source.parent, deck.id), "folder")
    elif suffix == ".md" and not _md_images(source, plan, inputs):
        return None
    for planned in plan.decks:  # a card left where the learner moved it: by its GUID there too
        for moved in planned.away:
            _note(inputs, keep_path(moved.path.parent, moved.deck_id), "sha")
    return inputs


def _inputs_hold(inputs: dict[str, Any]) -> bool:
    for path, noted in inputs.items():
        kind, _, state = str(noted).partition(" ")
        if _state(Path(path), kind) != state:
            return False
    return True


def prepare(
    home: Home, options: Options, plan: ImportPlan, history_keys: list[str], source: Path
) -> dict[str, Any] | None:
    """The memo of an import of `source` whose deck files are written (None when a re-import could
    report changes); `save` it once the import has succeeded. Made before the history is recorded
    (and while the import's staged media are still there), so the plan's texts and read-back decks
    can be let go meanwhile.

    `history_keys`: the units the package's history is about (sorted; [] without history).
    """
    inputs = _inputs(source, plan, options.with_history)
    if inputs is None:
        return None
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
        lines += again.lines() + planned.away_lines()  # (cards the learner moved away stay away)
        imported.append(f"imported deck {planned.deck.id}: {count_line(planned.deck)} -> {planned.target}")
        written[str(planned.target)] = _sha(planned.target)
        keep = keep_path(planned.target.parent, planned.deck.id)
        if planned.deck.id in plan.bundle.keeps and keep.exists():
            written[str(keep)] = _sha(keep)
        folder = media_dir(planned.target.parent, planned.deck.id)
        media += [str(folder / n) for n in plan.media_names(planned)]
    keys = history_keys if options.with_history else []
    memo: dict[str, Any] = {
        "format": _FORMAT,
        "code": code_fingerprint(),
        "options": options.key(),
        "made": datetime.now(UTC),
        "warnings": list(plan.bundle.warnings),
        "lines": lines,
        "imported": imported,
        "library": _library(home),
        "written": written,
        "media": media,
        "inputs": inputs,
        "history": {"keys": keys},
    }
    return memo


def save(home: Home, package: str, memo: dict[str, Any], also: Sequence[Path] = ()) -> None:
    """Keep `memo` (from `prepare`) for the package whose digest is `package`; `also`: files the
    import read or wrote after `prepare` (config.toml, which took the package's Anki options), as
    they are now: a change to one of them since, and the next import is a full one."""
    inputs = dict(memo["inputs"])
    for path in also:
        _note(inputs, path, "sha")
    memo = {**memo, "inputs": inputs, "made": datetime.now(UTC)}
    path = _memo_path(home, package)
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(path, tomli_w.dumps(memo))


def _load(home: Home, package: str) -> dict[str, Any] | None:
    try:  # (a regular file only: never a FIFO put there)
        memo = loads_safe(read_text_limited(_memo_path(home, package), 1 << 30))
    except (OSError, ReadError, ValueError):  # missing, unreadable, not UTF-8
        return None
    return memo if isinstance(memo, dict) else None  # a TomlFailure: damaged, import in full


def _still_holds(home: Home, memo: dict[str, Any]) -> bool:
    written = memo.get("written")
    media = memo.get("media")
    inputs = memo.get("inputs")
    if not isinstance(written, dict) or not isinstance(media, list) or not isinstance(inputs, dict):
        return False
    if not _same_library(memo.get("library"), _library(home), written):
        return False
    with contextlib.suppress(OSError):
        return (
            all(_sha(Path(p)) == h for p, h in written.items())
            and all(Path(m).is_file() for m in media)
            and _inputs_hold(inputs)
        )
    return False


def _same_library(then: Any, now: dict[str, list[int]], written: dict[str, Any]) -> bool:
    """The library's deck files are the ones the memo saw: the same paths, each with the same
    identity (inode, modification time, size), except a file the import wrote, whose identity may
    differ (touched, or saved again by an editor or a `git checkout`) while its SHA-256 (checked
    with `written`) says its bytes are the same."""
    if not isinstance(then, dict) or set(then) != set(now):
        return False
    return all(then[path] == fid or path in written for path, fid in now.items())


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


def replay(home: Home, package: str, options: Options) -> Replayed | None:
    """What a full import of the package would print now, when the memo proves it changes
    nothing (else None: import it in full)."""
    memo = _load(home, package)
    if memo is None or memo.get("format") != _FORMAT or memo.get("code") != code_fingerprint():
        return None
    if memo.get("options") != options.key() or not _still_holds(home, memo):
        return None
    lines, imported, history = memo.get("lines"), memo.get("imported"), memo.get("history")
    if not isinstance(lines, list) or not isinstance(imported, list) or not isinstance(history, dict):
        return None
    warnings = memo.get("warnings")
    if not isinstance(warnings, list):
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
    return Replayed([str(w) for w in warnings], out)
