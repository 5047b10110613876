"""`optimize`, `add --deck` and `import` name a deck whose file does not load, as `stats` and
`export` do (`commands.deckref`): they said "no deck or group named 'spanish'" / "no deck
'spanish'" / "no such file", and never named the broken file."""

from __future__ import annotations

from pathlib import Path

import pytest

from retain.cli import main

BROKEN = """\
format = 1
[deck]
id = "spanish"
name = "Spanish Words"
group = "Languages"

[[cards]]
id = "hola"
front = "Hello?
back = "Hola"
"""
ERROR_AT = "9:16: error: TOML syntax"  # the missing quote (as in test_h23_broken_deck_named)


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A home whose `deck_folders` folder holds the broken deck under another file name."""
    root = tmp_path / "home"
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "words.toml").write_text(BROKEN, "utf-8")
    root.mkdir()
    (root / "config.toml").write_text(f"deck_folders = [{str(folder)!r}]\n", "utf-8")
    monkeypatch.setenv("RETAIN_HOME", str(root))
    monkeypatch.chdir(tmp_path)
    return folder / "words.toml"


def _line(capsys: pytest.CaptureFixture[str]) -> str:
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 1, lines
    return lines[0]


def test_optimize_names_the_broken_file(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["optimize", "spanish"]) == 2
    line = _line(capsys)
    assert (
        line.startswith("retain: optimize: deck 'spanish' does not load: ") and f"{home}:{ERROR_AT}" in line
    )


def test_add_names_the_broken_file_and_new_deck_makes_no_second_one(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for extra in ([], ["--new-deck"]):
        assert main(["add", "--deck", "spanish", *extra, "--front", "q", "--back", "a"]) == 2
        assert f"{home}:{ERROR_AT}" in _line(capsys)
    assert not (tmp_path / "home" / "decks" / "spanish.toml").exists()


def test_import_of_a_broken_decks_id_names_its_file(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["import", "spanish"]) != 0
    line = _line(capsys)
    assert "import refused: spanish: no such file; deck 'spanish' does not load" in line
    assert f"{home}:{ERROR_AT}" in line
