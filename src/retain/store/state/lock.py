"""The single-writer lock: one process at a time may change the state.

A separate lock file (`state/writer.lock`, held with filelock's OS-level lock,
so it is released when the process dies, even by SIGKILL) plus an
informational `state/writer.toml` naming the holder for the message a second
instance shows. Taking the lock never waits: a second instance opens read-only.
"""

from __future__ import annotations

import contextlib
import os
import tomllib
from datetime import datetime
from pathlib import Path

from retain.store.files import atomic_write
from retain.store.state.statecodec import format_time, toml_str

__all__ = ["WriterLock"]

_MAX_INFO = 4096  # writer.toml holds three short lines: a larger one is not read


class WriterLock:
    def __init__(self, state_dir: Path) -> None:
        self.path = state_dir / "writer.lock"
        self.info_path = state_dir / "writer.toml"
        self._lock: object | None = None

    def acquire(self, now: datetime) -> bool:
        """Take the lock without waiting; False when another process holds it."""
        import socket

        import filelock

        self.path.parent.mkdir(parents=True, exist_ok=True)
        lock = filelock.FileLock(self.path, timeout=0, thread_local=False, preserve_lock_file=True)
        try:
            lock.acquire(timeout=0, blocking=False)
        except filelock.Timeout:
            return False
        self._lock = lock
        info = f"pid = {os.getpid()}\nhost = {toml_str(socket.gethostname()[:100])}\nsince = {format_time(now)}\n"
        with contextlib.suppress(OSError):
            atomic_write(self.info_path, info, durable=False)
        return True

    @property
    def held(self) -> bool:
        return self._lock is not None

    def holder(self) -> str:
        """`pid 123 on host` from the info file, or a plain description.

        The file is anyone's to write (or damage): each field is used only when it has its
        type and a sensible value (`pid = inf`, `pid = [1]`, a host with a line break are not).
        """
        try:
            with self.info_path.open("rb") as fh:
                raw = fh.read(_MAX_INFO + 1)
            data = tomllib.loads(raw.decode("utf-8-sig")) if len(raw) <= _MAX_INFO else {}
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError, RecursionError):
            data = {}
        pid, host = data.get("pid"), data.get("host")
        pid = pid if isinstance(pid, int) and not isinstance(pid, bool) and 0 < pid < 2**32 else None
        host = "".join(c for c in host if c.isprintable()).strip()[:60] if isinstance(host, str) else ""
        if pid is not None:
            return f"pid {pid} on {host}" if host else f"pid {pid}"
        return f"a process on {host}" if host else "another process"

    def release(self) -> None:
        lock, self._lock = self._lock, None
        if lock is not None:
            with contextlib.suppress(OSError):
                self.info_path.unlink()
            lock.release()  # type: ignore[attr-defined]
