"""Every problem about a key points at where that key is written, however it is written.

A misspelt table far down a deck file (`[[card]]` for `[[cards]]`, `[extras]`) was reported at
line 1, and a bad `[cards.aliases]` sub-table at its card's `[[cards]]` line: only `key =` lines
were looked for. A key may be written `key = ...`, `"key" = ...`, `key.x = ...`, `[key]`,
`[[key]]` or `[key.x]`, at the top level, in `[deck]` (or `[deck.key]`) or in a card
(`[cards.key]`). A misspelt `[Deck]` asked for an `id` and a `name`, though `name` is optional,
and three cards sharing an id were said to be "both" left out.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from retain.core.deckfile import parse_deck
from retain.core.model import Problem

REPRO = """format = 1

[deck]
id = "geo"
name = "Geography"

[[cards]]
id = "france"
front = "Capital of France?"
back = "Paris"

[[card]]
id = "spain"
front = "Capital of Spain?"
back = "Madrid"

[extras]
note = "x"
"""


def _about(problems: list[Problem], key: str) -> list[Problem]:
    return [p for p in problems if f"`{key}`" in p.message]


def _at(text: str, key: str) -> tuple[int, int]:
    result = parse_deck(text, "deck.toml")
    [problem] = _about(result.problems, key)
    return problem.line, problem.col


def test_misspelt_tables_far_down_are_reported_at_their_headers() -> None:
    assert _at(REPRO, "card") == (12, 1)
    assert _at(REPRO, "extras") == (17, 1)


def test_a_misspelt_cards_table_says_its_cards_are_not_loaded() -> None:
    result = parse_deck(REPRO, "deck.toml")
    assert result.deck is not None and [c.id for c in result.deck.cards] == ["france"]
    [problem] = _about(result.problems, "card")
    assert "did you mean [[cards]]?" in problem.message
    assert "1 card" in problem.message and "not loaded" in problem.message
    two = REPRO.replace("[extras]", '[[card]]\nid = "x"\nfront = "q"\nback = "a"\n\n[extras]')
    [problem] = _about(parse_deck(two, "deck.toml").problems, "card")
    assert "2 cards" in problem.message


def test_an_unknown_top_level_key_is_found_in_any_spelling() -> None:
    head = 'format = 1\n[deck]\nid = "d"\n'
    assert _at('"extras" = 1\n' + head, "extras") == (1, 1)
    assert _at("format = 1\n  extras.note = 1\n[deck]\nid = 'd'\n", "extras") == (2, 3)
    assert _at(head + '\n[ "extras" . sub ]\na = 1\n', "extras") == (5, 1)
    assert _at(head + "\n  [[ extras ]]\na = 1\n", "extras") == (5, 3)


CARD = 'format = 1\n[deck]\nid = "d"\n\n[[cards]]\nid = "c"\nkind = "typed"\nfront = "Flag?"\nback = "-n"\n'


def test_a_bad_aliases_sub_table_is_reported_at_its_own_line() -> None:
    text = CARD + 'match = "command"\n\n[cards.aliases]\n"--namespace" = 3\n'
    result = parse_deck(text, "d.toml")
    [error] = result.errors
    assert "`aliases` must map strings to strings" in error.message
    assert (error.line, error.col) == (12, 1)


def test_an_unknown_card_sub_table_is_reported_at_its_own_line() -> None:
    assert _at(CARD + '\n[cards.bakc]\nx = "y"\n', "bakc") == (11, 1)
    assert _at(CARD + '\n[["cards".notes]]\nx = "y"\n', "notes") == (11, 1)


def test_an_unknown_deck_sub_table_is_reported_at_its_own_line() -> None:
    assert _at(CARD + '\n[deck.extra]\nx = "y"\n', "extra") == (11, 1)
    assert _at('format = 1\n"deck".id = "d"\n"deck" . "extra" = 2\n', "extra") == (3, 1)


def test_a_misspelt_deck_table_asks_only_for_the_id_at_its_header() -> None:
    result = parse_deck('format = 1\n[Deck]\nid = "geo"\n', "bad.toml")
    assert result.deck is None
    [error] = result.errors
    assert (error.line, error.col) == (2, 1)
    assert "`name`" not in error.message
    assert "did you mean [deck] for `Deck`?" in error.message and "case-sensitive" in error.message
    assert not result.warnings  # (the error says it: `Deck` is not warned of again)
    [error] = parse_deck('format = 1\n\n[decks]\nid = "geo"\n', "bad.toml").errors
    assert (error.line, "did you mean [deck] for `decks`?" in error.message) == (3, True)


def test_a_missing_deck_table_asks_only_for_the_id() -> None:
    [error] = parse_deck('format = 1\n[[cards]]\nid = "a"\n', "bad.toml").errors
    assert error.message.startswith("missing [deck] table")
    assert "`id`" in error.message and "`name`" not in error.message


def test_a_deck_that_is_not_a_table_is_said_where_it_is() -> None:
    [error] = parse_deck('format = 1\n\ndeck = "geo"\n', "bad.toml").errors
    assert (error.line, error.col) == (3, 1)
    assert "`deck` must be a table" in error.message


def _dups(n: int) -> str:
    cards = "".join(f'\n[[cards]]\nid = "a"\nfront = "q{i}"\nback = "x"\n' for i in range(n))
    return 'format = 1\n[deck]\nid = "d"\n' + cards + '\n[[cards]]\nid = "ok"\nfront = "fine"\nback = "y"\n'


def test_the_duplicate_id_message_counts_every_card_sharing_the_id() -> None:
    two = parse_deck(_dups(2), "d.toml")
    [error] = two.errors
    assert "both cards are left out" in error.message
    three = parse_deck(_dups(3), "d.toml")
    assert three.deck is not None and [c.id for c in three.deck.cards] == ["ok"]
    assert [e.line for e in three.errors] == [11, 16]
    for error in three.errors:
        assert "(first at line 6)" in error.message
        assert "all 3 cards with this id are left out" in error.message, error.message
        assert "both" not in error.message


def test_the_parse_result_counts_the_cards_left_out() -> None:
    three_errors = (
        'format = 1\n[deck]\nid = "t"\n[[cards]]\nid="g"\nfront=1\nback="x"\ntags="a"\nsource=3\n'
        '[[cards]]\nid="ok"\nfront="fine"\nback="y"\n'
    )
    assert parse_deck(three_errors).left_out == 1
    assert parse_deck(_dups(3)).left_out == 3
    assert parse_deck('format = 1\n[deck]\nid = "d"\nname = 3\n[[cards]]\nid="a"\nfront="q"\n').left_out == 0


# ---- generated decks: a misspelt key at a random place, in a random spelling -------------------


@dataclass(frozen=True)
class Placed:
    text: str
    name: str
    line: int
    col: int


FORMS = ("top_line", "top_table", "deck_line", "deck_table", "card_line", "card_table")


@st.composite
def decks_with_a_stray_key(draw: st.DrawFn) -> Placed:
    name = draw(st.from_regex(r"zz[a-z]{1,6}", fullmatch=True))
    form = draw(st.sampled_from(FORMS))
    n_cards = draw(st.integers(1 if form.startswith("card") else 0, 4))
    indent = draw(st.sampled_from(["", "  ", "\t"]))
    decoy = draw(st.booleans())  # a multi-line string holding the key's spellings: text, not keys
    spelt = draw(st.sampled_from([name, f'"{name}"', f"'{name}'", f"{name}.x", f'{name} . "y"']))
    header = draw(st.sampled_from([f"[{name}]", f"[[{name}]]", f'["{name}"]', f"[{name}.sub]"]))
    top = ["format = 1", "# a comment"]
    deck = ["", "[deck]", 'id = "d"', 'name = "D"']
    cards: list[list[str]] = []
    for i in range(n_cards):
        back = f'"""\n{name} = 1\n[{name}]\n[cards.{name}]\n"""' if decoy and i == 0 else '"a"'
        cards.append(["", "[[cards]]", f'id = "c{i}"', f'front = "q{i}"', f"back = {back}"])
    line = f"{indent}{spelt} = 1"
    col = len(indent) + 1  # of the key, or of the header's `[`
    target = line
    if form == "top_line":
        top.insert(draw(st.integers(0, len(top))), line)
    elif form == "deck_line":
        deck.insert(draw(st.integers(2, len(deck))), line)
    elif form == "card_line":
        card = cards[draw(st.integers(0, n_cards - 1))]
        card.insert(draw(st.integers(2, len(card))), line)
    else:
        if form == "top_table":
            table = [f"{indent}{header}", "a = 1"]
        elif form == "deck_table":
            table = [f"{indent}[deck.{name}]", "a = 1"]
        else:
            table = [f"{indent}[cards.{name}]", "a = 1"]
        target = table[0]
        if form == "card_table":  # right after its card: a sub-table of the card above
            cards[draw(st.integers(0, n_cards - 1))].extend(table)
        elif n_cards > 0 and draw(st.booleans()):
            cards[draw(st.integers(0, n_cards - 1))].extend(["", *table])
        else:
            deck.extend(["", *table])
    lines = [*top, *deck, *(x for card in cards for x in card)]
    text = "\n".join(lines) + "\n"
    # its line: the one holding `target` outside the decoy string (the decoy is inside card 0's back)
    at = 0
    inside = False
    for n, row in enumerate(text.split("\n"), 1):
        if row.endswith('"""'):
            inside = not inside
            continue
        if not inside and row == target:
            at = n
            break
    assert at
    return Placed(text, name, at, col)


@pytest.mark.slow  # (about a second: listed here rather than in tests/slow.txt)
@settings(max_examples=300, deadline=None)
@given(decks_with_a_stray_key())
def test_a_stray_key_is_reported_where_it_is_written(placed: Placed) -> None:
    result = parse_deck(placed.text, "deck.toml")
    assert not result.errors, [str(p) for p in result.problems]
    found = _about(result.problems, placed.name)
    assert found, [str(p) for p in result.problems]
    assert [(p.line, p.col) for p in found] == [(placed.line, placed.col)], (
        placed.text,
        [str(p) for p in result.problems],
    )


def _typos(word: str) -> set[str]:
    """Every string one typo from `word` (a letter added, dropped, changed, two swapped), and `word`."""
    letters = sorted(set(word + "acdefkmorstxz"))  # (every letter the keys are drawn from)
    out = {word}
    for i in range(len(word) + 1):
        out.update(word[:i] + c + word[i:] for c in letters)
        if i < len(word):
            out.add(word[:i] + word[i + 1 :])
            out.update(word[:i] + c + word[i + 1 :] for c in letters)
        if i + 1 < len(word):
            out.add(word[:i] + word[i + 1] + word[i] + word[i + 2 :])
    return out


@given(st.sampled_from(["format", "deck", "cards"]), st.text("acdefkmorstxz", max_size=8))
def test_one_typo_is_told_from_more(word: str, key: str) -> None:
    from retain.core.deckfile import _one_edit

    assert _one_edit(key, word) == (key in _typos(word))
    for typo in _typos(word):
        assert _one_edit(typo, word)
