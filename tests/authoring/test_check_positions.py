"""`retain check` puts every error at its real line and column, with a whole one-line message.

An editor jumps to `file:line:col`; errors found outside the TOML parser (a byte
that is not UTF-8, an integer past Python's digit limit) were all put at 1:1,
and the digit-limit message was cut mid-word.
"""

from __future__ import annotations

import sys
import tomllib
from pathlib import Path

import pytest

from retain.cli import main
from retain.core.deckfile import card_header_lines, parse_deck
from retain.core.tomlsafe import TomlFailure, loads_careful
from retain.store.decks.library import load_deck_file

HEAD = 'format = 1\n[deck]\nid = "d"\nname = "x"\n\n[[cards]]\nid = "a"\n'
LIMIT = sys.get_int_max_str_digits()
needs_limit = pytest.mark.skipif(LIMIT == 0, reason="no integer digit limit in this Python")


def _check(path: Path, capsys: pytest.CaptureFixture[str]) -> list[str]:
    assert main(["check", str(path)]) == 1
    return capsys.readouterr().out.splitlines()


def test_a_bad_byte_is_reported_where_it_is(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "u8.toml"
    path.write_bytes(HEAD.encode() + b'front = "caf\xe9"\nback = "b"\n')
    assert _check(path, capsys) == [
        f"{path}:8:13: error: not UTF-8 text (bad byte at line 8); save the file as UTF-8"
    ]


def test_a_bad_byte_in_a_library_deck_is_reported_where_it_is(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`retain check` with no path reads the library (through the deck cache): it said 1:1."""
    from retain.store import home as store_home

    monkeypatch.setattr(store_home, "bundled_decks_dir", lambda: None)
    monkeypatch.setenv("RETAIN_HOME", str(tmp_path))
    (tmp_path / "decks").mkdir()
    path = tmp_path / "decks" / "u8.toml"
    path.write_bytes(HEAD.encode() + b'front = "caf\xe9"\nback = "b"\n')
    assert main(["check"]) == 1
    assert f"{path}:8:13: error: not UTF-8 text" in capsys.readouterr().out


def test_the_column_of_a_bad_byte_counts_characters(tmp_path: Path) -> None:
    """As tomllib counts its columns: `é` before the bad byte is one column, not two."""
    path = tmp_path / "u8.toml"
    path.write_bytes(HEAD.encode() + 'front = "é'.encode() + b'\xff"\n')
    [problem] = load_deck_file(path).problems
    assert (problem.line, problem.col) == (8, 11)


@needs_limit
def test_a_huge_integer_is_reported_where_it_is(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "big.toml"
    digits = LIMIT + 700
    path.write_text(HEAD + 'front = "q"\nback = "b"\nsource = ' + "9" * digits + "\n", "utf-8")
    assert _check(path, capsys) == [
        f"{path}:10:10: error: TOML value out of range: an integer of {digits} digits (the limit is {LIMIT})"
    ]


@needs_limit
def test_a_huge_integer_with_underscores_in_an_array_is_found() -> None:
    text = 'a = "' + "1" * (LIMIT + 5) + '"\nb = [\n  1,\n  -' + "1_2" * LIMIT + "]\n"
    got = loads_careful(text)
    assert isinstance(got, TomlFailure)
    assert (got.line, got.col) == (4, 3)  # the run inside the string is not taken for it
    assert got.message == f"TOML value out of range: an integer of {2 * LIMIT} digits (the limit is {LIMIT})"


def test_a_long_value_error_is_cut_at_a_word(monkeypatch: pytest.MonkeyPatch) -> None:
    words = " ".join(f"word{i}" for i in range(60))

    def refuse(_text: str) -> None:
        raise ValueError(words + "\nsecond line")

    monkeypatch.setattr(tomllib, "loads", refuse)
    got = loads_careful("x = 1\n")
    assert isinstance(got, TomlFailure)
    assert (got.line, got.col) == (1, 1)
    shown = got.message.removeprefix("TOML value out of range: ")
    assert shown.endswith("…") and "\n" not in shown
    assert set(shown.removesuffix("…").split()) <= set(words.split())  # whole words only
    assert len(shown) < len(words)


CARDS_FIRST = 'format = 1\n\n[[cards]]\nid = "a"\nfront = "q"\nback = "a"\ntags = ["t"]\nname = "n"\n\n'


def test_a_bad_deck_id_after_the_cards_is_reported_at_the_decks_line() -> None:
    """`[deck]` after the `[[cards]]` is valid TOML: its id was blamed on the first card's `id` line."""
    result = parse_deck(CARDS_FIRST + '[deck]\nid = "Bad Deck"\nname = "x"\n', "d.toml")
    assert [(p.line, p.col) for p in result.errors] == [(11, 1)], [str(p) for p in result.errors]


@pytest.mark.parametrize(
    ("deck", "lines"),
    [
        ('[deck]\nid = "d"\nname = 3\n', [12]),  # after the cards
        ('["deck"]\nid = "d"\ntags = 3\nname = 3\n', [12, 13]),  # a quoted header (the scan falls back)
        ('[deck]\nid = "d"\ngroup = 3\n\n[[cards]]\nid = "b"\nfront = "r"\ngroup = 1\n', [12]),
    ],
)
def test_a_deck_key_is_looked_for_only_in_the_deck_table(deck: str, lines: list[int]) -> None:
    result = parse_deck(CARDS_FIRST + deck, "d.toml")
    assert [p.line for p in result.errors] == lines, [str(p) for p in result.errors]


@pytest.mark.parametrize(
    ("head", "line"),
    [
        ('format = 1\ndeck = { id = "d", name = 3 }\n', 2),  # an inline table: its line
        ('format = 1\ndeck.id = "d"\ndeck.name = 3\n', 3),  # dotted keys at the top
    ],
)
def test_a_deck_written_before_the_cards_in_other_shapes(head: str, line: int) -> None:
    result = parse_deck(head + '\n[[cards]]\nid = "a"\nfront = "q"\nback = "a"\nname = "n"\n', "d.toml")
    assert [p.line for p in result.errors] == [line], [str(p) for p in result.errors]


def test_a_deck_header_inside_a_multiline_string_is_not_the_deck() -> None:
    text = 'format = 1\n\n[[cards]]\nid = "a"\nfront = """\n[deck]\nid = 3\n"""\nback = "a"\n\n'
    result = parse_deck(text + '[deck]\nname = "x"\nid = "B"\n', "d.toml")
    assert [p.line for p in result.errors] == [13], [str(p) for p in result.errors]


# ---- a key or header written inside a multi-line string is text -------------------------

ML_HEAD = 'format = 1\n[deck]\nid = "d"\nname = "D"\n\n'


def _found(text: str) -> list[tuple[int, str]]:
    return [(p.line, p.message) for p in parse_deck(text, "d.toml").problems]


def test_a_key_line_inside_a_multiline_string_is_not_the_key() -> None:
    """`kind = "x"` inside a `back = \"\"\"...\"\"\"` took the blame for the card's real `kind`."""
    text = ML_HEAD + (
        '[[cards]]\nid = "one"\nfront = "q1"\nback = """\nkind = "x"\ntags = y\n"""\n'
        "kind = 'weird'\n\n"
        "[[cards]]\nid = \"two\"\nfront = \"q2\"\nback = '''\ntags = [\n'''\ntags = \"notalist\"\n"
    )
    assert [line for line, _ in _found(text)] == [13, 21]


def test_a_cards_header_in_a_string_beside_a_sub_table_keeps_the_later_cards_lines() -> None:
    """A `[cards.aliases]` sub-table sends the header search to its line-by-line fallback, which
    took a `[[cards]]` line inside a string for a card: every card's problems went to one line."""
    text = ML_HEAD + (
        '[[cards]]\nid = "one"\nkind = "typed"\nfront = "q1"\nback = "a, b"\nmatch = "set"\n'
        '[cards.aliases]\nx = "a"\n\n'
        '[[cards]]\nid = "two"\nfront = "q2"\nback = """\nsee\n[[cards]]\n"""\n\n'
        '[[cards]]\nid = "three"\nfront = "q3"\nback = 3\n'
    )
    assert _found(text) == [(26, "card 'three': `back` must be a string, not an integer")]
    assert card_header_lines(text) == [6, 15, 23]


@pytest.mark.parametrize(
    "line",
    ['x = "a \\"\\"\\" b"', 'x = \'a """ b\'', '# a """ in a comment', 'x = """one line"""', "x = '''one'''"],
)
def test_a_quote_triple_that_opens_no_multiline_string_hides_no_line(line: str) -> None:
    text = ML_HEAD + f'[[cards]]\nid = "one"\nfront = "q"\nback = "a"\n{line}\nkind = "weird"\n'
    assert [n for n, _ in _found(text)][-1] == 11
