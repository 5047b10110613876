"""An export never makes a second deck of the same id in a folder the library reads.

`retain export notes -o <decks>/notes-backup.toml` wrote a second file with deck id
`notes` into the library without a word: `retain check` then blamed the original
`notes.toml` ("already used by notes-backup.toml"), retain used the backup, and a
card added to `notes.toml` never appeared.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from retain.cli import main

DECK = 'format = 1\n[deck]\nid = "notes"\nname = "Notes"\n[[cards]]\nid = "one"\nfront = "q1"\nback = "a1"\n'


@pytest.fixture
def decks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("RETAIN_HOME", str(tmp_path / "home"))
    folder = tmp_path / "home" / "decks"
    folder.mkdir(parents=True)
    (folder / "notes.toml").write_text(DECK, encoding="utf-8")
    return folder


@pytest.mark.parametrize("name", ["notes-backup.toml", "sub/notes.toml", "sub/"])
def test_a_copy_into_a_deck_folder_is_refused(
    decks: Path, capsys: pytest.CaptureFixture[str], name: str
) -> None:
    (decks / "sub").mkdir()
    before = sorted(p.name for p in decks.rglob("*"))
    assert main(["export", "notes", "-o", str(decks / name)]) == 1
    (line,) = capsys.readouterr().err.splitlines()
    assert "would be a second deck 'notes' beside" in line and str(decks / "notes.toml") in line, line
    assert sorted(p.name for p in decks.rglob("*")) == before
    assert main(["check"]) == 0


def test_exports_that_make_no_second_deck_go_ahead(
    decks: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["export", "notes", "-o", str(tmp_path / "elsewhere.toml")]) == 0
    assert main(["export", "notes", "-o", str(decks / "notes.toml"), "--force"]) == 0  # its own file
    assert main(["export", "notes", "-o", str(decks / ".backups" / "notes.toml")]) == 0  # hidden: not read
    assert main(["export", "notes", "-o", str(decks / "notes.apkg")]) == 0  # not a deck file
    assert main(["export", "kafka", "-o", str(decks / "my-kafka.toml")]) == 0  # a bundled deck's own copy
    capsys.readouterr()
    assert main(["check"]) == 0
