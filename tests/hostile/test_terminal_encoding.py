"""On a terminal whose encoding is not UTF-8, what it cannot show is printed as `?`, never a traceback.

A deck name's control character is shown as its Unicode symbol (ESC as U+241B),
which Latin-1 cannot encode: `retain due` and `retain stats` died on a Latin-1
locale. PYTHONIOENCODING=latin-1 stands in for such a terminal here.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

DECK = 'format = 1\n[deck]\nid = "e"\nname = "a\\u001bb ✓"\n\n[[cards]]\nid = "a"\nfront = "q"\nback = "b"\n'


def _latin1(home: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONUTF8", "LC_ALL", "LANG")}
    env.update(RETAIN_HOME=str(home), PYTHONIOENCODING="latin-1", COLUMNS="120")
    return subprocess.run(
        [sys.executable, "-m", "retain", *args],
        capture_output=True,
        env=env,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )


@pytest.fixture
def home(tmp_path: Path) -> Path:
    decks = tmp_path / "home" / "decks"
    decks.mkdir(parents=True)
    (decks / "e.toml").write_text(DECK, "utf-8")
    return tmp_path / "home"


@pytest.mark.parametrize("command", [["due"], ["stats"], ["stats", "--deck", "e"], ["due", "--json"]])
def test_a_latin1_terminal_gets_question_marks(home: Path, command: list[str]) -> None:
    got = _latin1(home, *command)
    assert b"Traceback" not in got.stderr, got.stderr.decode("latin-1")
    assert got.returncode == 0
    if "--json" not in command:
        assert b"a?b ?" in got.stdout  # ESC's symbol and the check mark: one `?` each


def test_an_error_line_on_a_latin1_terminal(home: Path) -> None:
    (home / "decks" / "bad.toml").write_text('format = 1\n[deck]\nid = "✓"\n', "utf-8")
    got = _latin1(home, "check", str(home / "decks" / "bad.toml"))
    assert b"Traceback" not in got.stderr
    assert got.returncode == 1
    assert len(got.stdout.splitlines()) >= 1 and got.stderr.decode("latin-1").count("\n") == 1


@pytest.mark.parametrize("command", [["due", "--json"], ["stats", "--json"]])
def test_json_on_a_latin1_terminal_escapes_what_it_cannot_show(home: Path, command: list[str]) -> None:
    """`--json` printed `?` for every character Latin-1 lacks: a script read "a?b ?" as the
    deck's name. JSON's `\\uXXXX` escapes carry every name exactly, in ASCII."""
    (home / "decks" / "jp.toml").write_text(DECK.replace('"e"', '"jp"').replace("a\\u001bb ✓", "日本語 — ☃"))
    got = _latin1(home, *command)
    assert got.returncode == 0, got.stderr.decode("latin-1")
    data = json.loads(got.stdout.decode("ascii"))
    names = {d.get("id", d.get("deck_id")): d["name"] for d in data["decks"]}
    assert names["e"] == "a\x1bb ✓" and names["jp"] == "日本語 — ☃"
