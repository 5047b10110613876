"""The single-writer lock: one process at a time may change the state.

A separate lock file (`state/writer.lock`, held with filelock's OS-level lock,
so it is released when the process dies, even by SIGKILL) plus an
informational `state/writer.toml` naming the holder for the message a second
instance shows. Taking the lock never waits: a second instance opens read-only.

`acquire` only takes the OS lock (a read-only retain trying whether the other one has
closed takes it and lets go at once, and writes nothing); the writer then calls `announce`,
which writes `writer.toml`. `release` removes the file it announced, so a `writer.toml`
still there when the lock is free was left by a retain on this computer that did not close
(killed, crashed, power cut): `announce` says so in one line as it takes over.

`writer.toml` also names the state folder it was written in (`path`) and the start of the
process (`started`: the boot and the kernel's start time, where /proc tells them). A note copied
with the home (`cp -a` while retain runs on the original) names another state folder that is
still there, and a note whose process runs still (the same pid and start) was left by no killed
retain: neither is said. A note from before these fields is read as it always was.
"""

from __future__ import annotations

import contextlib
import os
import tomllib
from datetime import UTC, datetime
from pathlib import Path

from retain.store.files import ReadError, atomic_write, read_text_limited

__all__ = ["WriterLock"]

_MAX_INFO = 4096  # writer.toml holds three short lines: a larger one is not read


class WriterLock:
    def __init__(self, state_dir: Path) -> None:
        self.path = state_dir / "writer.lock"
        self.info_path = state_dir / "writer.toml"
        self._lock: object | None = None
        self._announced = False  # this lock wrote writer.toml: `release` removes it

    def acquire(self, now: datetime) -> bool:
        """Take the lock without waiting; False when another process holds it. Writes nothing
        but the (empty) lock file: `announce` names the holder."""
        import filelock

        self.path.parent.mkdir(parents=True, exist_ok=True)
        lock = filelock.FileLock(self.path, timeout=0, thread_local=False, preserve_lock_file=True)
        try:
            lock.acquire(timeout=0, blocking=False)
        except filelock.Timeout:
            return False
        self._lock = lock
        return True

    def announce(self, now: datetime) -> str | None:
        """Write `writer.toml` naming this process (the lock is held); return one line when the
        file left there says that a retain on this computer held the lock and never let go."""
        import socket

        import tomli_w  # (only a writer announces itself: a read-only start never imports it)

        assert self._lock is not None
        host = socket.gethostname()[:100]
        stale = self._stale(host)
        note: dict[str, object] = {"pid": os.getpid(), "host": host, "since": now.astimezone(UTC)}
        here, started = self._here(), _started(os.getpid())
        if here is not None:
            note["path"] = here
        if started is not None:
            note["started"] = started
        info = tomli_w.dumps(note)
        with contextlib.suppress(OSError):
            if self.info_path.is_symlink():  # never written through: the file is the writer's alone
                self.info_path.unlink()  # (a link in a synced folder may name any file of the user)
            atomic_write(self.info_path, info, durable=False)
            self._announced = True
        return stale

    def _stale(self, host: str) -> str | None:
        """The line for a `writer.toml` left by a retain of this host that did not close."""
        data = self._info()
        pid, since = _pid(data.get("pid")), data.get("since")
        if pid is None or data.get("host") != host:  # not retain's file, or another computer's
            return None  # (a folder synced from it): its lock was never this computer's
        if self._elsewhere(data.get("path")):  # copied with the home: the original's retain may run
            return None  # on, and its note is the original's to say (nothing here was lost)
        started = data.get("started")
        if isinstance(started, str) and started == _started(pid):  # that very retain runs still
            return None  # (its lock is another file: this one was deleted under it)
        when = ""
        if isinstance(since, datetime) and since.tzinfo is not None:
            with contextlib.suppress(OverflowError, ValueError):  # `0001-01-01T00:00:00+01:00`
                when = f", since {since.astimezone(UTC):%Y-%m-%d %H:%M} UTC"
        return (
            f"the retain that last wrote the progress (pid {pid}{when}) did not close "
            "(killed or crashed); took over its lock: every review it recorded is kept"
        )

    def _here(self) -> str | None:
        """The state folder as the note records it (`path`): absolute, links resolved, as
        `device.toml` does; None when it cannot be written as UTF-8 text."""
        try:
            here = str(self.path.parent.resolve())
            here.encode("utf-8")
        except (OSError, RuntimeError, UnicodeError):  # (a link loop; a name not in UTF-8)
            return None
        return here

    def _elsewhere(self, there: object) -> bool:
        """Whether the note's `path` is another state folder that is still there (or one this user
        may not look into): the home was copied on this computer. False for this folder (by any
        path: a bind mount), for a folder that is gone (the home was moved), and for anything
        that is no path a state folder has (a hand edit, damage; a note without one, from an
        older retain)."""
        if not isinstance(there, str) or not os.path.isabs(there) or "\0" in there or len(there) > 4096:
            return False
        if there == self._here():
            return False
        try:
            if os.path.samefile(there, self.path.parent):
                return False
            os.stat(os.path.join(there, self.path.name))  # a state folder a retain wrote in
        except PermissionError:
            return True  # there, but not ours to look into: another user's home
        except (OSError, ValueError):
            return False  # gone (or no state folder): the home was moved, the note is this folder's
        return True

    def _info(self) -> dict[str, object]:
        try:  # a regular file of at most _MAX_INFO bytes (a FIFO is not waited on, a device not read)
            return tomllib.loads(read_text_limited(self.info_path, _MAX_INFO))
        except (OSError, ReadError, ValueError, RecursionError):
            return {}

    @property
    def held(self) -> bool:
        return self._lock is not None

    def holder(self) -> str:
        """`pid 123 on host` from the info file, or a plain description.

        The file is anyone's to write (or damage): each field is used only when it has its
        type and a sensible value (`pid = inf`, `pid = [1]`, a host with a line break are not).
        """
        data = self._info()
        pid, host = _pid(data.get("pid")), data.get("host")
        host = "".join(c for c in host if c.isprintable()).strip()[:60] if isinstance(host, str) else ""
        if pid is not None:
            return f"pid {pid} on {host}" if host else f"pid {pid}"
        return f"a process on {host}" if host else "another process"

    def release(self) -> None:
        lock, self._lock = self._lock, None
        if lock is not None:
            if self._announced:  # only the file this lock wrote: a probe leaves a stale one
                with contextlib.suppress(OSError):
                    self.info_path.unlink()
            self._announced = False
            lock.release()  # type: ignore[attr-defined]


def _started(pid: int) -> str | None:
    """When process `pid` started, as `<boot id>:<clock ticks since boot>` (None where /proc does
    not tell, or no such process runs): the same pid and start are the same process, a pid
    taken again by another program (or after a reboot) starts at another time."""
    try:
        with open("/proc/sys/kernel/random/boot_id", encoding="ascii") as fh:
            boot = fh.read(64).strip()
        with open(f"/proc/{pid}/stat", "rb") as fh:
            stat = fh.read(4096)
        ticks = stat[stat.rindex(b")") + 2 :].split()[19]  # field 22, `starttime` (proc(5))
    except (OSError, ValueError, IndexError, UnicodeError):
        return None
    return f"{boot}:{int(ticks)}" if boot and ticks.isdigit() else None


def _pid(value: object) -> int | None:
    """A process id as retain writes it (`pid = inf`, `pid = [1]`, `true` are not)."""
    return value if isinstance(value, int) and not isinstance(value, bool) and 0 < value < 2**32 else None
