"""One deck edit at a time, across every retain: the app's card editor, new-deck screen,
delete and move, `retain add` and `retain check --fix` each read a deck file, change it
and write it back. Two of them interleaved lost one's change (`xargs -P4 retain add`
dropped cards; a `retain add --new-deck` landing while the app created the same deck was
overwritten by the app's empty file). Each takes this lock around its whole
read-check-change-write, so the check that the file is still the one read happens
inside it, and waits its turn.

The lock is `cache/deck-edit.lock` (an OS-level lock, released when the process dies).
The command line waits up to `WAIT_SECONDS`; the app, whose edits run on its UI thread,
only `APP_WAIT_SECONDS` (another retain holds the lock for milliseconds), then says so
in one line and keeps the edit on screen. Where the cache folder cannot be made (a
read-only home) the edit goes on without the lock: the deck write then fails with its
own one-line message anyway.
"""

from __future__ import annotations

import contextlib
import errno
from collections.abc import Iterator
from pathlib import Path

from retain.store.decks.deckedit import DeckEditError

__all__ = ["APP_WAIT_SECONDS", "WAIT_SECONDS", "DeckLockTimeout", "deck_edit_lock", "lock_path"]

WAIT_SECONDS = 60.0  # the command line
APP_WAIT_SECONDS = 2.0  # the app: never freeze its screen for longer


class DeckLockTimeout(DeckEditError):
    """Another deck edit held the lock for longer than the wait, or the lock file is there but
    cannot be used (a directory); one line, nothing was changed."""


_NO_CACHE = {errno.EACCES, errno.EPERM, errno.EROFS, errno.ENOSPC, errno.ENOENT, errno.ENOTDIR}


def lock_path(cache_dir: Path) -> Path:
    return cache_dir / "deck-edit.lock"


def _seconds(wait: float) -> str:
    return f"{wait:.0f} s" if wait >= 1 else f"{wait * 1000:.0f} ms"


@contextlib.contextmanager
def deck_edit_lock(cache_dir: Path, *, timeout: float | None = None) -> Iterator[None]:
    """Hold the deck-edit lock; `timeout` None: `WAIT_SECONDS` (read now, so a caller may change it)."""
    import filelock

    wait = WAIT_SECONDS if timeout is None else timeout
    path = lock_path(cache_dir)
    # (kept on release: a removed lock file lets two processes lock two different files)
    lock = filelock.FileLock(path, thread_local=False, preserve_lock_file=True)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.is_symlink():  # never followed (filelock refuses one): the cache is ours, replace it
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
        lock.acquire(timeout=wait)
        held = True
    except filelock.Timeout:
        raise DeckLockTimeout(
            f"another retain (`retain add`, `retain check --fix`, `retain import` or the app) has been "
            f"editing the decks for {_seconds(wait)} (lock {path}); nothing was changed, try again"
        ) from None
    except OSError as exc:
        if exc.errno not in _NO_CACHE or path.exists():  # the lock file is there but unusable
            from retain.store.oserror import os_error_text

            raise DeckLockTimeout(
                f"cannot take the deck-edit lock {path} ({os_error_text(exc, name=False)}); remove it and try "
                "again; nothing was changed"
            ) from None
        held = False  # no cache folder to lock in (a read-only home): edit unlocked, as before
    try:
        yield
    finally:
        if held:
            lock.release()
