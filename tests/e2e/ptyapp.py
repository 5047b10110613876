"""Run the installed `retain` in a real pseudo-terminal, press keys, and read the raw output."""

from __future__ import annotations

import contextlib
import fcntl
import os
import pty
import re
import shutil
import signal
import struct
import subprocess
import sys
import termios
import threading
import time
from pathlib import Path

__all__ = ["KEYS", "PtyApp", "retain_command", "strip_ansi"]

KEYS = {"space": b" ", "enter": b"\r", "escape": b"\x1b", "ctrl+z": b"\x1a", "ctrl+c": b"\x03"}
_ANSI = re.compile(
    rb"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[PX^_][^\x1b]*\x1b\\|\x1b[@-Z\\-_]|\x1b."
)


def retain_command() -> list[str]:
    """The `retain` script installed next to this Python, else `python -m retain`."""
    script = shutil.which("retain", path=str(Path(sys.executable).parent))
    return [script] if script else [sys.executable, "-m", "retain"]


def strip_ansi(raw: bytes) -> str:
    return _ANSI.sub(b"", raw).decode("utf-8", "replace")


class PtyApp:
    def __init__(
        self,
        args: list[str],
        home: Path,
        size: tuple[int, int] = (100, 30),
        *,
        command: list[str] | None = None,
    ) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith("TEXTUAL")}
        env.update(RETAIN_HOME=str(home), TERM="xterm-256color", COLUMNS=str(size[0]), LINES=str(size[1]))
        master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", size[1], size[0], 0, 0))
        self.proc = subprocess.Popen(
            [*(command or retain_command()), *args],
            stdin=slave,
            stdout=slave,
            stderr=slave,
            env=env,
            start_new_session=True,
            close_fds=True,
        )
        os.close(slave)
        self.master = master
        self.raw = bytearray()
        self.chunks: list[tuple[float, int]] = []  # (perf_counter when read, len(raw) after it)
        self._lock = threading.Lock()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        while True:
            try:
                chunk = os.read(self.master, 65536)
            except OSError:
                return
            if not chunk:
                return
            with self._lock:
                self.raw += chunk
                self.chunks.append((time.perf_counter(), len(self.raw)))

    def mark(self) -> int:
        with self._lock:
            return len(self.raw)

    def text(self, since: int = 0) -> str:
        with self._lock:
            return strip_ansi(bytes(self.raw[since:]))

    def wait_for(self, text: str, since: int = 0, timeout: float = 20.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if text in self.text(since):
                return
            if self.proc.poll() is not None:
                break
            time.sleep(0.05)
        raise AssertionError(f"{text!r} did not appear; screen output was:\n{self.text(since)[-3000:]}")

    def arrival(self, text: str) -> float:
        """perf_counter time at which the output chunk that completed `text` was read (for benchmarks)."""
        with self._lock:
            chunks, raw = list(self.chunks), bytes(self.raw)
        lo, hi = 0, len(chunks) - 1
        if hi < 0 or text not in strip_ansi(raw):
            raise AssertionError(f"{text!r} has not appeared")
        while lo < hi:  # the first chunk after which the text is on screen
            mid = (lo + hi) // 2
            if text in strip_ansi(raw[: chunks[mid][1]]):
                hi = mid
            else:
                lo = mid + 1
        return chunks[lo][0]

    def press(self, *keys: str) -> None:
        for key in keys:
            os.write(self.master, KEYS.get(key, key.encode()))
            time.sleep(0.05)

    def step(self, *keys: str, expect: str) -> None:
        """Press keys and wait until `expect` is painted again."""
        mark = self.mark()
        self.press(*keys)
        self.wait_for(expect, since=mark)

    def wait_exit(self, timeout: float = 20.0) -> int:
        try:
            return self.proc.wait(timeout)
        finally:
            self.close()

    def kill(self) -> None:
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(10)
        self.close()

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)
        self._reader.join(2)
        with contextlib.suppress(OSError):
            os.close(self.master)
