"""A deck whose file does not load (one typo) is named by every command that takes a deck (h23).

`retain check spanish` said "no such file or folder: spanish", and `retain stats --deck spanish`
and `retain export spanish` said "no deck or group 'spanish'", listing every deck but that one:
nothing but `retain due` named the broken file. Now each says, in one line, that the deck's file
does not load, with its first error (`spanish.toml:9:16: ...`), and `retain check spanish`
checks that file.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from retain.cli import main
from retain.commands.deckref import broken_deck_line, deck_table_fields
from retain.commands.review import _resolve
from retain.store.home import open_home

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
ERROR_AT = "9:16: error: TOML syntax"  # the missing quote: the first error `retain check` gives


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "home"
    (root / "decks").mkdir(parents=True)
    monkeypatch.setenv("RETAIN_HOME", str(root))
    monkeypatch.chdir(tmp_path)
    return root


def _said(capsys: pytest.CaptureFixture[str]) -> list[str]:
    return capsys.readouterr().err.splitlines()


def _one_line_naming(lines: list[str], path: Path) -> str:
    assert len(lines) == 1, lines
    line = lines[0]
    assert f"{path}:{ERROR_AT}" in line, line  # the file and its first error
    assert "does not load" in line and "retain check" in line, line
    assert "decks: " not in line, line  # not "no such deck", listing every other one
    return line


@pytest.mark.parametrize("ref", ["spanish", "Spanish Words", "languages"])
def test_stats_export_review_name_the_broken_file(
    home: Path, tmp_path: Path, ref: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """By id, by the deck's name, or by its group's name (as `decks_named` matches them)."""
    path = home / "decks" / "spanish.toml"
    path.write_text(BROKEN, "utf-8")
    assert main(["stats", "--deck", ref]) == 2  # an unknown deck's exit code (README)
    _one_line_naming(_said(capsys), path)
    assert main(["export", ref, "-o", str(tmp_path / "out.toml")]) == 2
    _one_line_naming(_said(capsys), path)
    assert not (tmp_path / "out.toml").exists()


def test_review_names_the_broken_file(home: Path) -> None:
    """`retain review spanish` (its deck arguments resolved before the TUI starts)."""
    path = home / "decks" / "spanish.toml"
    path.write_text(BROKEN, "utf-8")
    library = open_home().library(cards=False)
    said = _resolve(["kafka", "spanish"], library.decks, library.broken)
    assert isinstance(said, str) and said.startswith(f"deck 'spanish' does not load: {path}:{ERROR_AT}")
    assert _resolve(["kafka"], library.decks, library.broken) == ["kafka"]


def test_check_takes_the_broken_decks_id_and_checks_its_file(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = home / "decks" / "spanish.toml"
    path.write_text(BROKEN, "utf-8")
    assert main(["check", "spanish"]) == 1  # the file was checked: it has an error
    captured = capsys.readouterr()
    assert captured.out.startswith(f"{path}:{ERROR_AT}"), captured.out
    err = captured.err.splitlines()
    assert str(path) in err[0] and "spanish" in err[0], err
    assert err[-1] == "1 deck file(s): 0 ok, 1 error(s), 0 warning(s)"


def test_check_with_a_missing_path_too_names_the_broken_file(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = home / "decks" / "spanish.toml"
    path.write_text(BROKEN, "utf-8")
    assert main(["check", "spanish", "nosuch", "no/such.toml"]) == 2  # a usage error: nothing checked
    captured = capsys.readouterr()
    assert captured.out == ""
    first, second, third = captured.err.splitlines()
    assert first.startswith("retain check: no such file or folder: spanish; deck 'spanish' does not load: ")
    assert f"{path}:{ERROR_AT}" in first
    assert second == "retain check: no such file or folder: nosuch"
    assert third == "retain check: no such file or folder: no/such.toml"


def test_check_takes_a_loaded_decks_id_too(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The doc's `retain check kafka`: the bundled deck's file is checked, and named."""
    assert main(["check", "kafka"]) == 0
    err = capsys.readouterr().err.splitlines()
    assert "kafka.toml" in err[0] and err[-1] == "1 deck file(s): 1 ok, 0 error(s), 0 warning(s)"


def test_a_file_named_otherwise_in_a_deck_folder_is_found_by_its_id(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The id read from the broken text's `[deck]` table (the file's name is no deck id)."""
    folder = tmp_path / "shared"
    folder.mkdir()
    path = folder / "Vocabulario ES.toml"
    path.write_text(BROKEN, "utf-8")
    (home / "config.toml").write_text(f'deck_folders = ["{folder}"]\n', "utf-8")
    assert main(["stats", "--deck", "spanish"]) == 2
    _one_line_naming(_said(capsys), path)
    assert main(["check", "spanish"]) == 1
    assert capsys.readouterr().out.startswith(f"{path}:{ERROR_AT}")


def test_a_file_that_is_no_text_is_found_by_its_name(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = home / "decks" / "spanish.toml"
    path.write_bytes(b"\xff\xfe not utf-8")
    assert main(["stats", "--deck", "spanish"]) == 2
    (line,) = _said(capsys)
    assert f"{path}:1:1: error: " in line and "does not load" in line


def test_an_unknown_deck_still_lists_the_decks(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (home / "decks" / "spanish.toml").write_text(BROKEN, "utf-8")
    assert main(["stats", "--deck", "french"]) == 2
    (line,) = _said(capsys)
    assert line.startswith("retain: no deck or group 'french'; decks: ") and "kafka" in line


def test_the_line_is_for_the_deck_asked_for(home: Path) -> None:
    """Two broken files: the one named after the deck, whatever the order of the files."""
    (home / "decks" / "a-copy.toml").write_text(BROKEN, "utf-8")
    (home / "decks" / "spanish.toml").write_text(BROKEN, "utf-8")
    (home / "decks" / "french.toml").write_bytes(b'[deck]\nid = "french"\n[[cards]\n')
    library = open_home().library(cards=False)
    line = broken_deck_line(library.broken, "spanish")
    assert line is not None and f"{home / 'decks' / 'spanish.toml'}:" in line
    assert "and 1 more" in line  # (a-copy.toml holds it too)
    french = broken_deck_line(library.broken, "french")
    assert french is not None and "french.toml:3:" in french
    assert broken_deck_line(library.broken, "german") is None


_IDS = st.from_regex(r"[a-z0-9][a-z0-9-]{0,20}", fullmatch=True)
_TEXT = st.text(st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters='"\\\n\r'), max_size=20)


@given(deck_id=_IDS, name=_TEXT, junk=st.text(max_size=200))
def test_the_deck_table_is_read_from_a_text_that_does_not_parse(deck_id: str, name: str, junk: str) -> None:
    """Whatever follows the `[deck]` table (a typo, binary junk), its id and name are read."""
    text = f'format = 1\n\n[deck]\n  id = "{deck_id}"   # a comment\nname = "{name}"\n\n[[cards]]\n{junk}'
    fields = deck_table_fields(text)
    assert fields.get("id") == deck_id and fields.get("name") == name


@given(text=st.text(max_size=300))
def test_any_text_gives_fields_or_none_never_an_exception(text: str) -> None:
    fields = deck_table_fields(text)
    assert all(k in ("id", "name", "group") and isinstance(v, str) for k, v in fields.items())


def test_the_deck_table_in_other_spellings() -> None:
    assert deck_table_fields('deck = { id = "es", name = "ES" }\n[[cards]\n') == {"id": "es", "name": "ES"}
    assert deck_table_fields("deck.id = 'es'\n\"oops\n") == {"id": "es"}
    assert deck_table_fields('[ deck ] # the deck\nid = "es"\n[[cards]]\nid = "x"\n') == {"id": "es"}
    assert deck_table_fields('[cards]\nid = "x"\n') == {}
