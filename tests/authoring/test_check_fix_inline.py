"""`retain check --fix` adds the missing ids of cards written as an inline `cards = [{...}]` array.

`check` advises `--fix` for a card without an id in every layout, so `--fix` must be able to
add it in every layout: it once wrote nothing and said nothing for inline tables.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from retain.cli import main
from retain.core.deckfile import parse_deck
from retain.core.fixids import add_missing_ids
from retain.store import home as store_home

TAIL = '\n[deck]\nid = "d"\nname = "x"\n'


def test_check_fix_adds_the_id_of_an_inline_card(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("RETAIN_HOME", str(tmp_path / "home"))
    monkeypatch.setattr(store_home, "bundled_decks_dir", lambda: None)
    path = tmp_path / "d.toml"
    path.write_text('format = 1\ncards = [ { front = "q", back = "a" } ]\n' + TAIL, "utf-8")
    assert main(["check", "--fix", str(path)]) == 0
    said = capsys.readouterr()
    assert f"{path}: added 1 card id" in said.out
    fixed = parse_deck(path.read_text("utf-8"), str(path))
    assert fixed.deck is not None and not fixed.errors, said.out + said.err
    assert [c.front for c in fixed.deck.cards] == ["q"]


def test_inline_ids_come_first_and_every_other_byte_is_kept() -> None:
    text = (
        "format = 1 # the format\n"
        "# the cards\n"
        "cards = [ # one per line\n"
        '  { front = "q", back = "a" }, # first\n'
        '  { id = "kept", front = "q2", back = "b" },\n'
        "  # a comment line\n"
        "  {front='q3',back=\"c\"},\n"
        "]\n" + TAIL
    )
    fixed, count = add_missing_ids(text)
    assert count == 2
    result = parse_deck(fixed)
    assert result.deck is not None and not result.errors
    first, kept, third = (c.id for c in result.deck.cards)
    assert kept == "kept" and first.startswith("q-") and third.startswith("q3-")
    assert fixed == text.replace("{ front", f'{{ id = "{first}", front', 1).replace(
        "{front='q3'", f"{{id = \"{third}\", front='q3'"
    )


def test_an_empty_inline_table_and_crlf_lines() -> None:
    text = ('format = 1\ncards = [{}, { front = "q", back = "a" }]\n' + TAIL).replace("\n", "\r\n")
    fixed, count = add_missing_ids(text)
    assert count == 2
    assert "\r\n" in fixed and fixed.count("\n") == fixed.count("\r\n") == text.count("\r\n")
    data = parse_deck(fixed)
    assert [p.message for p in data.errors if "--fix" in p.message] == []


def test_inline_cards_that_all_have_ids_are_left_alone() -> None:
    text = 'format = 1\ncards = [ { id = "a", front = "q", back = "a" } ]\n' + TAIL
    assert add_missing_ids(text) == (text, 0)


def test_cards_the_line_scan_cannot_place_get_their_ids_through_tomlkit() -> None:
    """A quoted `["deck"]` header sends the scan to its line-by-line fallback, which takes the
    `[[cards]]` line inside the multi-line string for a header: the ids go in through tomlkit."""
    text = (
        'format = 1\n["deck"]\nid = "d"\nname = "x"\n\n[[cards]]\nfront = """\n[[cards]]\n"""\nback = "a"\n'
    )
    fixed, count = add_missing_ids(text)
    assert count == 1
    result = parse_deck(fixed)
    assert result.deck is not None and not result.errors
    assert result.deck.cards[0].front == "[[cards]]\n"
