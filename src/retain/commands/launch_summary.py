"""Read the launch summary in a forked child while this process imports the UI.

Bare `retain` paints its home screen from the launch summary
(`store.index.homesummary`): at 50k cards reading it (a 1 MB marshal) and
counting every deck's due cards from it is ~25 ms of CPU, importing Textual
~170 ms. Both hold the GIL, so a thread would not help; a child process
does the reading on another core while this one imports, and hands the
result back through a pipe. The result is the same `LaunchHome` (or None)
that `load_summary` gives in this process, which is what happens when there
is no `fork` (Windows), one core, or the child fails for any reason.
"""

from __future__ import annotations

import os
import pickle
from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from retain.store.home import Home
    from retain.store.index.homesummary import LaunchHome

__all__ = ["SummaryRead", "load_here", "start"]


def load_here(home: Home, now: datetime) -> LaunchHome | None:
    """The summary's figures at `now` (a stale summary too: it paints the first screen)."""
    from retain.store.index.homesummary import load_summary
    from retain.store.localzone import local_timezone

    return load_summary(home, now, local_timezone(), stale_ok=True)


class SummaryRead:
    """A child reading the summary; `result` waits for it (or reads in this process if it failed)."""

    def __init__(self, pid: int, fd: int) -> None:
        self._pid = pid
        self._fd = fd

    def result(self, home: Home, now: datetime) -> LaunchHome | None:
        chunks: list[bytes] = []
        try:
            while chunk := os.read(self._fd, 1 << 16):
                chunks.append(chunk)
        except OSError:
            chunks = []
        finally:
            os.close(self._fd)
        try:
            _pid, status = os.waitpid(self._pid, 0)
        except ChildProcessError:
            status = 1
        if status == 0 and chunks:
            try:
                found: LaunchHome | None = pickle.loads(b"".join(chunks))  # our own child, our own pipe
                return found
            except Exception:  # whatever it was: the summary is read here instead
                pass
        return load_here(home, now)


def start(home: Home, now: datetime) -> SummaryRead | None:
    """Fork a child that reads the summary; None when there is no point (no fork, one core) or it failed."""
    if not hasattr(os, "fork") or (os.cpu_count() or 1) < 2:
        return None
    read_end, write_end = os.pipe()
    try:
        pid = os.fork()
    except OSError:
        os.close(read_end)
        os.close(write_end)
        return None
    if pid == 0:  # the child: read, send, leave without running anything of the parent's
        code = 1
        try:
            os.close(read_end)
            data = pickle.dumps(load_here(home, now), protocol=pickle.HIGHEST_PROTOCOL)
            view = memoryview(data)
            while view:
                view = view[os.write(write_end, view) :]
            code = 0
        except BaseException:  # the parent reads the summary itself
            pass
        finally:
            os._exit(code)
    os.close(write_end)
    return SummaryRead(pid, read_end)
