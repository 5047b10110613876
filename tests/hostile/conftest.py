"""Helpers for the hostile campaign: the real `retain` command in a subprocess, and raw-byte checks."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from retain.core.sanitize import is_unsafe


@dataclass(frozen=True, slots=True)
class Run:
    code: int
    out: bytes
    err: bytes

    @property
    def err_lines(self) -> list[str]:
        return self.err.decode("utf-8", "replace").strip().splitlines()


def retain(home: Path, *args: str, timeout: float = 120, cwd: Path | None = None) -> Run:
    """Run the real command line (`python -m retain`) with RETAIN_HOME=home."""
    env = {**os.environ, "RETAIN_HOME": str(home), "PYTHONUTF8": "1", "COLUMNS": "120"}
    proc = subprocess.run(
        [sys.executable, "-m", "retain", *args],
        capture_output=True,
        env=env,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
        cwd=cwd,
    )
    return Run(proc.returncode, proc.stdout, proc.stderr)


def unsafe_in(raw: bytes) -> list[str]:
    """Every terminal-unsafe character in raw output bytes (ESC, BEL, C1, bidi, ...), as repr."""
    text = raw.decode("utf-8", "surrogateescape")
    return sorted(
        {repr(ch) for ch in text if ch not in "\n" and (is_unsafe(ch) or "\udc80" <= ch <= "\udcff")}
    )
