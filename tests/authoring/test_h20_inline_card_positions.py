"""A card written inline (`cards = [ {...}, ... ]`) or with a dotted key is blamed at its own line.

`retain check` put every error of an inline card on the `cards = [` line, or on
an unrelated `id =` line further down (the [deck] table's), and a dotted key
(`back.x = 1`) on the card's header: an editor's jump landed on the wrong card.
"""

from __future__ import annotations

from retain.core.deckfile import parse_deck

INLINE = """format = 1
cards = [
  { id = "ok", front = "q1", back = "a1" },
  { id = "empty", front = "", back = "a2" },
  { id = "num", front = "q3", back = 3 },
]
[deck]
id = "i"
"""


def _errors(text: str) -> list[tuple[int, int, str]]:
    return [(p.line, p.col, p.message) for p in parse_deck(text).problems]


def test_each_inline_card_is_blamed_at_its_own_line_and_key() -> None:
    assert _errors(INLINE) == [
        (4, 5, "card 'empty' needs a non-empty `front`"),
        (5, 31, "card 'num': `back` must be a string, not an integer"),
    ]


def test_cards_after_a_comment_and_blank_lines_inside_the_array() -> None:
    text = (
        'format = 1\ncards = [ # the cards\n\n  { id = "a", front = "q", back = "a" },\n'
        '  # [ a comment with a { brace\n\n  { id = "b", front = "q2", kind = "odd" },\n]\n[deck]\nid = "d"\n'
    )
    assert _errors(text) == [(7, 29, "unknown kind 'odd'; use one of basic, reversed, cloze, typed")]


def test_inline_cards_on_one_line_are_blamed_on_that_line() -> None:
    text = 'format = 1\ncards = [{ id = "a", front = "q", back = "a" }, { id = "b", front = "", back = "x" }]\n[deck]\nid = "d"\n'
    assert [(line, message) for line, _col, message in _errors(text)] == [
        (2, "card 'b' needs a non-empty `front`")
    ]


def test_a_key_inside_a_string_is_not_the_key() -> None:
    text = (
        'format = 1\ncards = [\n  { id = "a", front = "{ back = 1 }", back = "x" },\n'
        '  { id = "b", front = "q", extra = ", back = 2", back = 3 },\n]\n[deck]\nid = "d"\n'
    )
    assert _errors(text) == [(4, 50, "card 'b': `back` must be a string, not an integer")]


def test_a_dotted_key_is_blamed_at_its_own_line() -> None:
    text = 'format = 1\n[deck]\nid = "d"\n\n[[cards]]\nid = "one"\nfront = "q"\nback.x = 1\n'
    assert _errors(text) == [(8, 1, "card 'one': `back` must be a string, not a table")]


def test_a_value_of_the_wrong_type_names_its_card() -> None:
    """ "`extra` must be a string" named no card: in a long deck the author had to count lines."""
    text = 'format = 1\n[deck]\nid = "d"\n\n[[cards]]\nid = "one"\nfront = "q"\nback = "a"\nextra = 5\ntags = [1]\n'
    assert _errors(text) == [
        (9, 1, "card 'one': `extra` must be a string, not an integer"),
        (10, 1, 'card \'one\': `tags` must be a list of strings, like ["a", "b"]'),
    ]
