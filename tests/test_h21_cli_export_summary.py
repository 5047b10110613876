"""`retain export NAME -o FILE`: the summary names what NAME matched (h21).

Two decks named "Basics" (in groups French and Spanish) exported by their name said
`exported 2 decks of 'French'`, naming the first deck's group; with no groups at all it said
`exported 2 decks of ''`. A name says `named 'Basics'`; a group's decks say `of 'French'`, as
before (tests/interop/test_group_export.py).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from retain.cli import main


def _deck(home: Path, deck_id: str, name: str, group: str | None) -> None:
    line = f'group = "{group}"\n' if group is not None else ""
    (home / "decks" / f"{deck_id}.toml").write_text(
        f'format = 1\n[deck]\nid = "{deck_id}"\nname = "{name}"\n{line}'
        f'\n[[cards]]\nid = "c"\nfront = "{deck_id} q"\nback = "a"\n',
        encoding="utf-8",
    )


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "home"
    (home / "decks").mkdir(parents=True)
    monkeypatch.setenv("RETAIN_HOME", str(home))
    monkeypatch.chdir(tmp_path)
    return home


def _first_line(argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    assert main(argv) == 0, capsys.readouterr().err
    return capsys.readouterr().out.splitlines()[0]


@pytest.mark.parametrize("groups", [("French", "Spanish"), (None, None), ("French", None)])
@pytest.mark.parametrize("out", ["b.apkg", "b.csv", "dir/"])
def test_decks_matched_by_name_are_said_by_name(
    home: Path, capsys: pytest.CaptureFixture[str], groups: tuple[str | None, str | None], out: str
) -> None:
    _deck(home, "french-basics", "Basics", groups[0])
    _deck(home, "spanish-basics", "Basics", groups[1])
    first = _first_line(["export", "basics", "-o", out], capsys)
    assert first.startswith("exported 2 decks named 'Basics' (2 notes, 2 cards)"), first
    assert "French" not in first and "of ''" not in first


def test_decks_matched_by_group_are_said_by_group(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The group as the deck list shows it, whatever case and spacing were typed."""
    _deck(home, "french-basics", "Basics", "French  Words")
    _deck(home, "french-verbs", "Verbs", "French  Words")
    _deck(home, "spanish-basics", "Basics", "Spanish")
    first = _first_line(["export", "FRENCH words", "-o", "f.apkg"], capsys)
    assert first == "exported 2 decks of 'French Words' (2 notes, 2 cards):", first


def test_one_deck_is_said_by_its_id(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _deck(home, "french-basics", "Basics", "French")
    _deck(home, "spanish-basics", "Basics", "Spanish")
    first = _first_line(["export", "french", "-o", "f.toml"], capsys)
    assert first.startswith("exported deck french-basics (1 note"), first
