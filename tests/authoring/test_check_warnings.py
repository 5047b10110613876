"""`retain check` warnings about what a card's author wrote for nothing: cloze markup that makes
no deletion, an empty cloze answer, keys the card's kind does not read, a reversed card whose
reverse side asks what another card asks; and one message per problem."""

from __future__ import annotations

from pathlib import Path

import pytest

from retain.core.deckfile import parse_deck

HEAD = 'format = 1\n[deck]\nid = "d"\nname = "D"\n'


def _cloze(text: str) -> str:
    return HEAD + f'[[cards]]\nid = "c"\nkind = "cloze"\ntext = "{text}"\n'


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("The {{c1::leader}} and {{c2::followers", "{{c2::"),
        ("The {{c1::leader}} and {{C2::followers}}", "{{C2::"),
        ("The {{c1::leader}} and {{c0::followers}}", "{{c0::"),
        ("The {{c1::leader}} and {{c2:followers}}", "{{c2:"),
        ("The {{c1::leader}} and {{ c2::followers }}", "{{ c2::"),
    ],
)
def test_cloze_markup_that_makes_no_deletion_is_a_warning(text: str, shown: str) -> None:
    result = parse_deck(_cloze(text), "d.toml")
    warned = [p.message for p in result.warnings]
    assert any(shown in m for m in warned), warned


def test_a_cloze_with_an_empty_answer_is_a_warning() -> None:
    result = parse_deck(_cloze("The {{c1::}} is elected"), "d.toml")
    assert any("empty" in p.message for p in result.warnings), result.problems


def test_a_typed_card_without_back_gets_one_error_not_also_an_empty_back_warning() -> None:
    text = HEAD + '[[cards]]\nid = "t"\nkind = "typed"\nfront = "Q?"\nback = ""\n'
    result = parse_deck(text, "d.toml")
    assert [p.severity for p in result.problems] == ["error"], result.problems


def test_reversed_cards_with_the_same_back_ask_the_same_reverse_question() -> None:
    text = (
        HEAD
        + '[[cards]]\nid = "r1"\nkind = "reversed"\nfront = "Term one"\nback = "The meaning"\n'
        + '[[cards]]\nid = "r2"\nkind = "reversed"\nfront = "Term two"\nback = "the  meaning"\n'
    )
    result = parse_deck(text, "d.toml")
    assert any("r1" in p.message and "back" in p.message for p in result.warnings), result.problems


@pytest.mark.parametrize(
    ("card", "key"),
    [
        ('front = "Q?"\nback = "A"\naccept = ["a"]\n', "accept"),
        ('front = "Q?"\nback = "A"\ntext = "{{c1::A}}"\n', "text"),
        ('kind = "cloze"\ntext = "{{c1::A}}"\nfront = "Q?"\n', "front"),
        ('kind = "cloze"\ntext = "{{c1::A}}"\nback = "A"\n', "back"),
    ],
)
def test_a_key_the_cards_kind_does_not_read_is_a_warning(card: str, key: str) -> None:
    result = parse_deck(HEAD + '[[cards]]\nid = "a"\n' + card, "d.toml")
    assert any(f"`{key}`" in p.message for p in result.warnings), result.problems


def test_spreadsheet_array_range_in_a_cloze_is_not_called_broken_cloze_markup(tmp_path: Path) -> None:
    """A Google Sheets card: `={C1:C5}` is an array literal of a range, in a code span even. The
    new look-alike rule (core/cloze.py survey, `_LOOKALIKE` allows one brace and one colon) warns
    "`{C1:` is not a cloze (write {{c1::...}})" on an ordinary, correct card."""
    deck = tmp_path / "sheets.toml"
    deck.write_text(
        HEAD
        + '[[cards]]\nid = "arr"\nkind = "cloze"\n'
        + 'text = "In Google Sheets, `={C1:C5}` returns the cells as an {{c1::array}}"\n',
        encoding="utf-8",
    )
    result = parse_deck(deck.read_text(encoding="utf-8"), str(deck))
    assert result.deck is not None and len(result.deck.cards) == 1
    assert [p.message for p in result.problems] == []
