"""`retain add` appends cards for scripts and keeps the deck file's comments."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from retain.core.deckfile import parse_deck


def retain(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "RETAIN_HOME": str(home)}
    return subprocess.run([sys.executable, "-m", "retain", *args], capture_output=True, text=True, env=env)


def test_add_creates_deck_then_appends_keeping_comments(tmp_path: Path) -> None:
    first = retain(
        tmp_path, "add", "--deck", "spanish", "--front", "perro", "--back", "dog", "--tags", "a, b"
    )
    assert first.returncode == 0, first.stderr
    path = tmp_path / "decks" / "spanish.toml"
    path.write_text("# my comment\n" + path.read_text("utf-8"), "utf-8")
    second = retain(tmp_path, "add", "--deck", "spanish", "--kind", "cloze", "--front", "El {{c1::gato}}")
    assert second.returncode == 0, second.stderr
    text = path.read_text("utf-8")
    assert text.startswith("# my comment\n")
    deck = parse_deck(text).deck
    assert deck is not None
    assert [(c.kind, c.tags) for c in deck.cards] == [("basic", ("a", "b")), ("cloze", ())]
    assert deck.cards[1].text == "El {{c1::gato}}" and deck.cards[1].id.startswith("el-gato-")
    assert f"added spanish/{deck.cards[1].id}" in second.stdout


def test_add_to_bundled_deck_writes_a_user_copy(tmp_path: Path) -> None:
    proc = retain(tmp_path, "add", "--deck", "kafka", "--front", "What is a broker?", "--back", "A server")
    assert proc.returncode == 0, proc.stderr
    copy = tmp_path / "decks" / "kafka.toml"
    deck = parse_deck(copy.read_text("utf-8")).deck
    assert deck is not None and deck.cards[-1].front == "What is a broker?"
    check = retain(tmp_path, "check")
    assert check.returncode == 0 and "already used" not in check.stdout


def test_add_rejects_bad_input_in_one_line(tmp_path: Path) -> None:
    for args in (["--deck", "Bad Id", "--front", "x"], ["--deck", "d", "--front", " "]):
        proc = retain(tmp_path, "add", *args)
        assert proc.returncode in (1, 2)
        assert len(proc.stderr.strip().splitlines()) == 1 and "Traceback" not in proc.stderr
