"""A command whose report cannot be written (`> /dev/full`) says in its error line what it did.

`retain add ... > /dev/full` added the card, then said only "retain: no space left on device",
exit 1: a script that retries on failure added it twice. `export`, `check --fix` and `optimize`
wrote their files the same way. The exit code stays 1 (the report is lost); the line now ends
"; done before that: added mine/q-one-… to …/mine.toml".
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(not os.path.exists("/dev/full"), reason="no /dev/full")

DECK = 'format = 1\n[deck]\nid = "mine"\nname = "Mine"\n\n[[cards]]\nfront = "Q"\nback = "A"\n'


def _run(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "RETAIN_HOME": str(home), "PYTHONUTF8": "1"}
    with open("/dev/full", "w") as full:
        return subprocess.run(
            [sys.executable, "-m", "retain", *args],
            env=env,
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            timeout=120,
            cwd=home,
        )


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (("add", "--deck", "mine", "--front", "Q two", "--back", "A"), "done before that: added mine/q-two-"),
        (
            ("export", "mine", "-o", "out.csv"),
            "done before that: exported deck mine (1 note, 1 card) to out.csv",
        ),
        (("check", "--fix"), "mine.toml: added 1 card id"),
        (("stats", "--svg", "out.svg"), "done before that: saved out.svg"),
    ],
)
def test_the_error_line_names_what_was_done(tmp_path: Path, args: tuple[str, ...], said: str) -> None:
    (tmp_path / "decks").mkdir()
    deck = tmp_path / "decks" / "mine.toml"
    deck.write_text(
        DECK if args[0] == "check" else DECK.replace("[[cards]]\n", '[[cards]]\nid = "q"\n'), "utf-8"
    )
    done = _run(tmp_path, *args)
    assert done.returncode == 1, done
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("retain: no space left on device; "), lines
    assert said in lines[0], lines


def test_a_command_that_changed_nothing_says_only_the_error(tmp_path: Path) -> None:
    (tmp_path / "decks").mkdir()
    (tmp_path / "decks" / "mine.toml").write_text(
        DECK.replace("[[cards]]\n", '[[cards]]\nid = "q"\n'), "utf-8"
    )
    done = _run(tmp_path, "due")
    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == ["retain: no space left on device"]
