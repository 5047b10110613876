"""Deck names in the `retain due` and `retain stats` tables: measured in the columns a terminal
gives them, and cut when long, so every row's counts stand under their headings."""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path

import pytest

from retain.commands.output import NAME_COLUMNS, clip, columns
from retain.store import home as store_home


def _deck(folder: Path, deck_id: str, name: str) -> None:
    (folder / f"{deck_id}.toml").write_text(
        f"format = 1\n[deck]\nid = {json.dumps(deck_id)}\nname = {json.dumps(name, ensure_ascii=False)}\n"
        '[[cards]]\nid = "a"\nfront = "q"\nback = "b"\n',
        "utf-8",
    )


def _cells(text: str) -> int:
    """Terminal columns as wcwidth counts them: marks and format characters take none."""
    return sum(
        0
        if unicodedata.category(ch) in ("Mn", "Me", "Cf")
        else 2
        if unicodedata.east_asian_width(ch) in "WF"
        else 1
        for ch in text
    )


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "decks").mkdir()
    monkeypatch.setenv("RETAIN_HOME", str(tmp_path))
    monkeypatch.setattr(store_home, "bundled_decks_dir", lambda: None)
    return tmp_path


def _table_rows(command: str, text: str) -> list[str]:
    """The deck rows and the total, the header left out."""
    if command == "stats":
        return [line.rstrip() for line in text.split("\nstudy day ")[0].splitlines()[1:]]
    return [line.rstrip() for line in text.splitlines()[1:] if line.rstrip()[-1:].isdigit()]


@pytest.mark.parametrize("command", ["due", "stats"])
def test_names_with_combining_marks_line_up(
    home: Path, command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """Thai vowel and tone marks take no column on a terminal; counted as one each, the Thai
    deck's counts stood two columns right of every other row's."""
    from retain.cli import main

    _deck(home / "decks", "th", "ภาษาไทยที่นี่")
    _deck(home / "decks", "en", "English")
    assert main([command]) == 0
    rows = _table_rows(command, capsys.readouterr().out)
    assert len(rows) == 3 and len({_cells(r) for r in rows}) == 1, rows


@pytest.mark.parametrize("command", ["due", "stats"])
def test_a_long_name_is_cut_not_every_row_widened(
    home: Path, command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """One deck named with 10,000 characters made every row of the table 10,000 columns wide."""
    from retain.cli import main

    _deck(home / "decks", "long", "Long name " * 1000)
    _deck(home / "decks", "short", "Short")
    assert main([command]) == 0
    rows = _table_rows(command, capsys.readouterr().out)
    assert len(rows) == 3 and len({_cells(r) for r in rows}) == 1, [r[:80] for r in rows]
    assert max(_cells(r) for r in rows) <= NAME_COLUMNS + 90
    assert any(r.startswith("Long name Long") and "…" in r for r in rows)
    assert any(r.startswith("Short ") for r in rows)


@pytest.mark.parametrize(
    ("text", "width"),
    [("漢字" * 40, 10), ("ภาษาไทยที่นี่" * 10, 10), ("a" * 60, 10), ("short", 10), ("漢字漢字漢", 10)],
)
def test_clip_keeps_to_the_width(text: str, width: int) -> None:
    cut = clip(text, width)
    assert columns(cut) <= width and _cells(cut) <= width
    assert cut == text if columns(text) <= width else cut.endswith("…")
