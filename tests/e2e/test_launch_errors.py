"""Launching the TUI where it cannot run gives one clear line and exit 2, never a hang or a traceback."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from .ptyapp import PtyApp, retain_command


def test_without_a_terminal_it_says_so(tmp_path: Path) -> None:
    env = {**os.environ, "RETAIN_HOME": str(tmp_path)}
    for args in ([], ["review"]):
        out = subprocess.run(
            [*retain_command(), *args],
            env=env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=30,
        )
        assert out.returncode == 2
        assert (
            out.stderr.strip()
            == "retain: the study screen needs a terminal; for scripts use `retain due --json`"
        )


def test_unknown_deck_is_a_one_line_error(tmp_path: Path) -> None:
    app = PtyApp(["review", "no-such-deck"], tmp_path)
    assert app.wait_exit() == 2
    text = app.text()
    assert "retain: no deck or group 'no-such-deck'; decks: " in text and "kafka (Apache Kafka)" in text
    assert "Traceback" not in text
