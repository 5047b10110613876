"""One command-line deck edit at a time: `retain add` and `retain check --fix` read a deck
file, change it and write it back; run together (`xargs -P4 retain add ...`), two of them
read the same text and the second write dropped the first one's card, though both had
said "added". They take this lock around read-change-write, waiting their turn.

The lock is `cache/deck-edit.lock` (an OS-level lock, released when the process dies);
where the cache folder cannot be made (a read-only home) the edit goes on without it:
the deck write then fails with its own one-line message anyway.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

__all__ = ["DeckLockTimeout", "deck_edit_lock"]

WAIT_SECONDS = 60.0


class DeckLockTimeout(Exception):
    """Another deck edit held the lock for longer than the wait (one line)."""


@contextlib.contextmanager
def deck_edit_lock(cache_dir: Path, *, timeout: float = WAIT_SECONDS) -> Iterator[None]:
    import filelock

    path = cache_dir / "deck-edit.lock"
    lock = filelock.FileLock(path, timeout=timeout, thread_local=False, preserve_lock_file=True)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        lock.acquire()
        held = True
    except filelock.Timeout:
        raise DeckLockTimeout(
            f"another retain has been editing the decks for {timeout:.0f} s (lock {path}); try again"
        ) from None
    except OSError:  # no cache folder to lock in: edit unlocked, as before
        held = False
    try:
        yield
    finally:
        if held:
            lock.release()
