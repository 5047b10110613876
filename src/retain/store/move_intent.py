"""A move of cards in progress, recorded before its first write, so a kill never resets a card.

Moving a card to another deck (the browser's `m`, the editor's deck field), or giving it another
id or other review units (a renumbered cloze, another kind), rewrites one or two deck files and
then records the move of its progress in the journal (`progress_edits.move_progress`). A kill
between those writes left the card in its new place as new, its progress on a key no deck holds
(or the card in both files). So the move's intent is written first, `state/moving.toml`
(atomically, fsynced): the unit keys that move, each deck file's digest before and after, the
cards removed from a file; it is removed once the journal holds the move. A start that may
write finds it there and finishes the move (`finish_moves`), or takes it back when no deck file
was written yet, with one line. An import that moves cards between decks writes one without
files before it writes its decks (`begin_moves`); `progress_io.record_moves` ends it.

See docs/state-format.md, "A move cut short".
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import tomllib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from retain.core.state import CardState
from retain.store.files import MAX_DECK_BYTES, atomic_write, fsync_dir, open_regular, read_text_limited

if TYPE_CHECKING:
    from retain.store.collection import Collection
    from retain.store.decks.deckedit import DeckFile

__all__ = [
    "MOVED_BY_IMPORT",
    "FileStep",
    "begin_moves",
    "end_moves",
    "finish_moves",
    "intent_path",
    "moving",
    "preview_moves",
]

NAME = "moving.toml"
_HEAD = "# retain: cards being moved; the next start finishes the move (docs/state-format.md)\n"


def intent_path(state_dir: Path) -> Path:
    return state_dir / NAME


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True, slots=True)
class FileStep:
    """One deck file the move writes: digest of its bytes before, of its text after, and the
    cards the move takes out of it (id, with the comment above it) to do that again."""

    path: str
    before: str
    after: str
    removed: tuple[tuple[str, bool], ...] = ()

    @classmethod
    def of(cls, deck_file: DeckFile, removed: Sequence[tuple[str, bool]] = ()) -> FileStep:
        """The step of a deck file read (its `digest`) and edited in memory (its `text`)."""
        return cls(str(deck_file.path), deck_file.digest, _sha(deck_file.text.encode()), tuple(removed))


@dataclass(slots=True)
class _Intent:
    time: datetime
    what: str
    moves: dict[str, str]
    before: dict[str, CardState | None] = field(default_factory=dict)  # keys moved from and to
    files: list[FileStep] = field(default_factory=list)


def _write(col: Collection, intent: _Intent) -> None:
    import tomli_w

    from retain.store.state.statecodec import state_table

    data: dict[str, Any] = {"format": 1, "time": intent.time.astimezone(UTC), "what": intent.what}
    data["moves"] = dict(intent.moves)
    data["before"] = {k: state_table(s) for k, s in intent.before.items() if s is not None}
    data["files"] = [
        {"path": f.path, "before": f.before, "after": f.after, "removed": [list(r) for r in f.removed]}
        for f in intent.files
    ]
    col.state_dir.mkdir(parents=True, exist_ok=True)
    atomic_write(intent_path(col.state_dir), _HEAD + tomli_w.dumps(data))


def _swap_states(col: Collection, moves: Mapping[str, str]) -> dict[str, CardState | None]:
    """The states of the keys both moved from and moved to (a renumbered cloze): only their
    states tell a move recorded from one not recorded."""
    both = set(moves) & set(moves.values())
    return {key: col.states.get(key) for key in both}


MOVED_BY_IMPORT = "the cards an import moved between decks"  # (`what` of an import's moves)


def begin_moves(
    col: Collection, moves: Mapping[str, str], now: datetime, what: str, files: Sequence[FileStep] = ()
) -> None:
    """Record durably that `moves` are about to be made (before any deck file is written);
    OSError when it cannot be written (nothing else is written then), or when a move cut short
    earlier is not finished yet (its record would be lost: its card came back new)."""
    if os.path.lexists(intent_path(col.state_dir)):
        raise OSError(
            errno.EBUSY,
            "a card move cut short earlier is not finished yet; close and reopen retain to finish "
            "it, then move again",
            os.fspath(intent_path(col.state_dir)),
        )
    moves = {old: new for old, new in moves.items() if old != new}
    _write(col, _Intent(now, what, moves, _swap_states(col, moves), list(files)))


def end_moves(col: Collection) -> None:
    """The move is in the journal: its intent goes."""
    with contextlib.suppress(FileNotFoundError):
        os.unlink(intent_path(col.state_dir))


@contextlib.contextmanager
def moving(
    col: Collection, moves: Mapping[str, str], now: datetime, what: str, files: Sequence[FileStep]
) -> Iterator[None]:
    """Around a move's writes (deck files, then the journal): its intent written first and removed
    after. A `DeckEditError` (refused before the write, or said to the user) removes it too; any
    other failure (the journal could not be written) keeps it, for the next start to finish."""
    from retain.store.decks.deckedit import DeckEditError

    try:
        begin_moves(col, moves, now, what, files)
    except OSError as exc:
        from retain.store.oserror import os_error_text

        raise DeckEditError(
            f"cannot write {intent_path(col.state_dir)}: {os_error_text(exc, name=False)}; nothing was written"
        ) from None
    try:
        yield
    except DeckEditError:
        end_moves(col)
        raise
    end_moves(col)


# -- at a start --------------------------------------------------------------------------------


def _read(path: Path, now: datetime) -> _Intent | None:
    from retain.store.state.statecodec import decode_state

    try:
        data = tomllib.loads(read_text_limited(path, 1 << 24))
        moves = {str(k): str(v) for k, v in data["moves"].items()}
        time = data["time"]
        if not isinstance(time, datetime) or time.tzinfo is None:
            return None
        before: dict[str, CardState | None] = {
            str(k): decode_state(v, now) for k, v in data.get("before", {}).items()
        }
        for key in set(moves) & set(moves.values()):
            before.setdefault(key, None)
        files = [
            FileStep(
                str(f["path"]),
                str(f["before"]),
                str(f["after"]),
                tuple((str(i), bool(c)) for i, c in f.get("removed", [])),
            )
            for f in data.get("files", [])
        ]
        return _Intent(time, str(data.get("what", "cards")), moves, before, files)
    except Exception:  # (any damage: the intent is no use; the files are as they are)
        return None


def _where(step: FileStep) -> str:
    """The deck file as the move left it: "before", "after" or "other" (also a file that is no
    regular file, a FIFO or a device named there, or one larger than a deck can be: never read)."""
    try:
        with open_regular(Path(step.path)) as fh:
            data = fh.read(MAX_DECK_BYTES + 1)
    except (OSError, ValueError):  # (a NUL in the path: no file)
        return "other"
    if len(data) > MAX_DECK_BYTES:
        return "other"
    if _sha(data) == step.before:
        return "before"
    text = data.decode("utf-8", "replace").removeprefix("\ufeff")
    return "after" if _sha(text.encode()) == step.after else "other"


def _redo(step: FileStep) -> bool:
    """Take the moved cards out of a source file the kill left unwritten; True when its text is
    then exactly the move's (saved)."""
    from retain.store.decks.deckedit import DeckEditError, DeckFile

    if not step.removed:
        return False
    try:
        deck_file = DeckFile.load(Path(step.path))
        for card_id, comment in step.removed:
            deck_file.remove(card_id, comment=comment)
        if _sha(deck_file.text.encode()) != step.after:
            return False
        deck_file.save()
    except DeckEditError:
        return False
    return True


def _library_files(col: Collection) -> set[str] | None:
    """The deck files of this library, as real paths (None: no library was read)."""
    library = getattr(col, "library", None)
    if library is None:
        return None
    out: set[str] = set()
    for entry in library.entries:
        with contextlib.suppress(OSError, ValueError):
            out.add(os.path.realpath(entry.path))
    return out


def _decks_state(col: Collection, intent: _Intent, *, write: bool = True) -> str:
    """Where the deck files are: "done" (each as the move writes it: a source file the kill left
    unwritten is written now, unless not `write`), "none" (none written) or "other". Only deck
    files of this library count: a record naming any other file (planted, or synced from another
    computer whose paths these are not) is "other", and nothing is written."""
    ours = _library_files(col)
    if intent.files and ours is not None:
        for step in intent.files:
            try:
                real = os.path.realpath(step.path)
            except (OSError, ValueError):
                return "other"
            if real not in ours:
                return "other"
    elif intent.files:
        write = False  # (no library read: nothing to tell the files are ours)
    if intent.files:
        where = [_where(f) for f in intent.files]
        if all(w == "before" for w in where):
            return "none"
        if all(w == "after" for w in where):
            return "done"
        redone = write and "other" not in where
        if redone and all(w == "after" or _redo(f) for w, f in zip(where, intent.files, strict=True)):
            return "done"
    keys = {key for _deck, key in col.unit_keys()}
    targets = set(intent.moves.values())
    olds = [k for k in intent.moves if k not in targets]
    news = [k for k in targets if k not in intent.moves]
    if not olds and not news:  # (numbers swapped within a card: only the file's text tells)
        return "other"
    if all(k in keys for k in news) and not any(k in keys for k in olds):
        return "done"
    if not intent.files and news and all(k in keys for k in news):
        # an import's (judged by its keys alone): it wrote the decks the cards go to, not yet the
        # ones they leave (a full disk, a kill). Their progress goes with them; the import run
        # again takes the old copies out (left where it was, the copy it keeps would be new)
        return "done"
    if all(k in keys for k in olds) and not any(k in keys for k in news):
        return "none"
    return "other"


def _is_new(state: CardState | None) -> bool:
    return state is None or state.is_new


def _recorded(col: Collection, intent: _Intent) -> bool:
    """The journal holds the move already: no old key keeps progress, and the keys moved from and
    to (a renumbered cloze) hold what their old keys held."""
    from retain.store.state.statecodec import canonical_state

    targets = set(intent.moves.values())
    if any(not _is_new(col.states.get(old)) for old in intent.moves if old not in targets):
        return False
    for old, new in intent.moves.items():
        if old not in intent.before:
            continue
        was, now = intent.before[old], col.states.get(new)
        if _is_new(was) != _is_new(now):
            return False
        if was is not None and now is not None and canonical_state(was) != canonical_state(now):
            return False
    return True


def finish_moves(col: Collection, now: datetime, *, failed: str = "") -> str | None:
    """At a start that may write: finish (or take back) a move a kill cut short; its one line,
    None when there was none (or the deck-edit lock is held: the next start tries again).
    `failed` names what failed in the middle of the move (an import that could not write a deck
    file: it settles its move at once); it says nothing when nothing had moved."""
    path = intent_path(col.state_dir)
    if not path.exists():
        return None
    from retain.store.decks import editlock
    from retain.store.state.progress_edits import move_progress

    intent = _read(path, now)
    if intent is None:
        end_moves(col)
        return f"{path}: a record of a card move cut short could not be read; it was removed"
    try:
        with editlock.deck_edit_lock(col.cache_dir, timeout=editlock.APP_WAIT_SECONDS):
            decks = _decks_state(col, intent)
            if decks == "done":
                col.reload_library()
                if not _recorded(col, intent):
                    move_progress(col, intent.moves, intent.time)
            end_moves(col)
            with contextlib.suppress(OSError):
                fsync_dir(col.state_dir)
    except editlock.DeckLockTimeout:
        return None
    head = f"{failed or 'retain was stopped'} in the middle of moving {intent.what}"
    if failed and decks == "none":
        return None
    if decks == "done":
        return f"{head}: the move is finished, its progress kept"
    if decks == "none":
        return f"{head} before it wrote anything: nothing moved"
    return f"{head}, and the deck files changed since: they were left as they are, the progress where it was"


def preview_moves(col: Collection, now: datetime) -> str | None:
    """A reader (which writes nothing) shows a move a kill cut short after its deck files were
    written as finished, as the next start that may write will finish it: the progress on the
    new keys, in memory only. Its one line, None when there is none."""
    path = intent_path(col.state_dir)
    if not path.exists():
        return None
    intent = _read(path, now)
    if intent is None or _decks_state(col, intent, write=False) != "done" or _recorded(col, intent):
        return None
    states = col.writer.states
    if not isinstance(states, dict):  # (the writer's own table: read-only to everyone else)
        return None
    before = {key: states.get(key) for key in {*intent.moves, *intent.moves.values()}}
    for old in intent.moves:
        states.pop(old, None)
    for old, new in intent.moves.items():
        if (state := before[old]) is not None:
            states[new] = state
        else:
            states.pop(new, None)
    return (
        f"retain was stopped in the middle of moving {intent.what}: shown here as finished; "
        "the next retain that records progress finishes it"
    )
