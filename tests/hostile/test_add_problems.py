"""`retain add` reports the problems of the card it adds, never another card's.

The new card is found by the lines of its own table in the text: a card with an error is left
out of the parsed deck, so "the deck's last card" was an older one, whose warnings were printed
as the refused card's (and whose units let a unit-less card through).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from retain.cli import main
from retain.store import home as store_home

FIRST = (
    'id = "first"\nfront = "What is one?"\nback = "1"\npattern = "1+"\n'  # `pattern` without regex: a warning
)
TABLES = 'format = 1\n\n[deck]\nid = "mine"\nname = "Mine"\n\n[[cards]]\n' + FIRST
INLINE = (
    'format = 1\ncards = [\n  { id = "first", front = "What is one?", back = "1", pattern = "1+" },\n]\n'
    '\n[deck]\nid = "mine"\nname = "Mine"\n'
)


@pytest.fixture
def deck(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("RETAIN_HOME", str(tmp_path))
    monkeypatch.setattr(store_home, "bundled_decks_dir", lambda: None)
    path = tmp_path / "decks" / "mine.toml"
    path.parent.mkdir()
    return path


def _add(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, list[str]]:
    code = main(["add", "--deck", "mine", *args])
    return code, capsys.readouterr().err.strip().splitlines()


@pytest.mark.parametrize(("layout", "line"), [(TABLES, 17), (INLINE, 2)], ids=["tables", "inline"])
def test_a_refused_card_is_not_blamed_for_an_older_cards_warning(
    deck: Path, capsys: pytest.CaptureFixture[str], layout: str, line: int
) -> None:
    """In an inline `cards = [...]` array the card has no lines of its own: it is checked alone,
    at the array's line."""
    deck.write_text(layout, "utf-8")
    # (a card refused for its text, not its options: `--match regex` without `--pattern` is a
    # usage error before any card is made since session 37)
    code, lines = _add(capsys, "--front", "Two?", "--back", "lots", "--match", "number")
    assert code == 1, lines
    assert lines[0].startswith(f"{deck}:{line}:") and "is not a number" in lines[0], lines
    assert not any("`pattern` is only used" in line for line in lines), lines
    assert deck.read_text("utf-8") == layout


def test_an_added_card_does_not_carry_an_older_cards_warning(
    deck: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    deck.write_text(TABLES, "utf-8")
    code, lines = _add(capsys, "--front", "Two?", "--back", "2")
    assert code == 0
    assert len(lines) == 0, lines


def test_a_unit_less_card_after_an_older_broken_card_is_still_refused(
    deck: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The older card's error keeps it out of the deck; the new cloze without a closed deletion
    gives no units and is refused on its own line, whatever the cards before it."""
    deck.write_text(TABLES + '\n[[cards]]\nid = "broken"\nkind = "nope"\nfront = "q"\n', "utf-8")
    code, lines = _add(capsys, "--kind", "cloze", "--front", "Yo {{c1::vivo")
    assert code == 1, lines
    assert lines[0].startswith(f"{deck}:21:") and "{{c1::...}}" in lines[0], lines
    assert not any("nope" in line or "`pattern`" in line for line in lines), lines
