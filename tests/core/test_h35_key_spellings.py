"""A key is found where it is written however TOML lets it be spelt: bare, `"quoted"` with any
escape (`"\\u0062akc"` is `bakc`), `'literal'`, dotted (`a."b".c`, spaces around the dots), in an
inline table or as a sub-table header. A quoted key with an escape was reported at its table's
line: the lines were indexed by the key as written and looked up by its decoded name.

Also: a message about a value's type says it in TOML's words (`a string`), never Python's (`str`).
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from retain.core.deckfile import parse_deck
from retain.core.model import Problem

REPRO = (
    'format = 1\n[deck]\nid = "x"\n"n\\u0061me2" = "oops"\n\n[[cards]]\nid = "a"\nfront = "q"\n'
    'back = "a"\n\n"\\u0062akc" = "x"\n'
)


def _where(problems: list[Problem], said: str) -> list[tuple[int, int]]:
    return [(p.line, p.col) for p in problems if p.message.startswith(said)]


def test_the_attackers_escaped_keys_are_reported_at_their_own_lines() -> None:
    problems = parse_deck(REPRO, "x.toml").problems
    assert _where(problems, "unknown [deck] key `name2`") == [(4, 1)]
    assert _where(problems, "unknown card key `bakc`") == [(11, 1)]


@pytest.mark.parametrize(
    ("line", "name"),
    [
        ('  "\\u0062akc" = 1', "bakc"),
        ("\t'bakc' = 1", "bakc"),
        ('  "b\\U00000061kc" . x = 1', "bakc"),
        ('  "tab\\there" = 1', "tab\there"),
        ('  "q\\"uote\\\\" = 1', 'q"uote\\'),
        ('  "a.b" . "c" = 1', "a.b"),
        ("  bakc  .  'x'  .  \"y\" = 1", "bakc"),
    ],
)
def test_a_card_key_in_any_spelling(line: str, name: str) -> None:
    text = 'format = 1\n[deck]\nid = "d"\n[[cards]]\nid = "a"\nfront = "q"\nback = "a"\n' + line + "\n"
    col = len(line) - len(line.lstrip(" \t")) + 1
    assert _where(parse_deck(text).problems, f"unknown card key `{name}`") == [(8, col)]


def test_the_deck_table_named_with_an_escape() -> None:
    text = 'format = 1\n"d\\u0065ck".id = "d"\n\n"d\\u0065ck" . "n\\u0061me2" = 2\n'
    assert _where(parse_deck(text).problems, "unknown [deck] key `name2`") == [(4, 1)]
    headed = 'format = 1\n["d\\u0065ck"]\nid = "d"\n\n[deck."\\u0078tra"]\nv = 1\n'
    assert _where(parse_deck(headed).problems, "unknown [deck] key `xtra`") == [(5, 1)]


def test_an_inline_table_key_with_an_escape() -> None:
    text = 'format = 1\ndeck = { id = "d", "n\\u0061me2" = 1 }\n'
    assert _where(parse_deck(text).problems, "unknown [deck] key `name2`") == [(2, 20)]


def test_a_card_sub_table_named_with_an_escape() -> None:
    text = 'format = 1\n[deck]\nid = "d"\n[[cards]]\nid = "a"\nfront = "q"\nback = "a"\n\n[cards."\\u0062akc"]\nv = 1\n'
    assert _where(parse_deck(text).problems, "unknown card key `bakc`") == [(9, 1)]


def test_a_cards_header_spelt_with_an_escape() -> None:
    text = 'format = 1\n[deck]\nid = "d"\n[[ "c\\u0061rds" ]]\nid = "a"\nfront = "q"\nback = "a"\n"\\u0062akc" = 1\n'
    more = '[[cards]]\nid = "b"\nfront = "q2"\nback = "b"\nzz = 2\n'
    problems = parse_deck(text + more).problems
    assert _where(problems, "unknown card key `bakc`") == [(8, 1)]
    assert _where(problems, "unknown card key `zz`") == [(13, 1)]


# ---- generated: any key name, in any spelling TOML allows, at any place a key is written ----------

_NAMED = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r"}
_NAME_CHARS = st.sampled_from(list("abkz09_-. \"'\\\t\né€\u0001\x7f🙂=[]#{},"))


def _must_escape(c: str) -> bool:
    return c in '"\\' or (ord(c) < 0x20 and c != "\t") or c == "\x7f"


@st.composite
def spellings(draw: st.DrawFn, name: str) -> str:
    """One way TOML lets `name` be written as a key."""
    ways = ["basic"]
    if re.fullmatch(r"[A-Za-z0-9_-]+", name):
        ways.append("bare")
    if "'" not in name and not any(_must_escape(c) and c not in '"\\' for c in name):
        ways.append("literal")
    way = draw(st.sampled_from(ways))
    if way == "bare":
        return name
    if way == "literal":
        return f"'{name}'"
    out = []
    for c in name:
        options = [f"\\u{ord(c):04X}", f"\\U{ord(c):08x}"] if ord(c) < 0xD800 or ord(c) > 0xDFFF else []
        if c in _NAMED:
            options.append(_NAMED[c])
        if not _must_escape(c):
            options.append(c)
        if ord(c) > 0xFFFF:
            options = [o for o in options if not o.startswith("\\u")]
        out.append(draw(st.sampled_from(options)))
    return '"' + "".join(out) + '"'


@dataclass(frozen=True)
class Placed:
    text: str
    said: str
    line: int
    col: int


PLACES = ("card_line", "deck_line", "top_dotted", "top_line", "inline_deck", "card_table", "deck_table")


@st.composite
def placed_keys(draw: st.DrawFn) -> Placed:
    name = "x" + draw(st.text(_NAME_CHARS, max_size=8))
    spelt = draw(spellings(name))
    place = draw(st.sampled_from(PLACES))
    indent = draw(st.sampled_from(["", " ", "\t", "  "]))
    dot = draw(st.sampled_from([".", " . ", "\t.", ".  "]))
    rest = draw(st.sampled_from(["", f"{dot}sub", f'{dot}"s\\u0075b"{dot}x', f"{dot}'s'"]))
    eq = draw(st.sampled_from(["=", " = ", "\t=\t"]))
    deck_word = draw(spellings("deck"))
    cards_word = draw(spellings("cards"))
    card = [f"[[{cards_word}]]", 'id = "a"', 'front = "q"', 'back = "a"']
    other = ["[[cards]]", 'id = "b"', 'front = "q2"', 'back = "b"']
    if place == "card_line":
        lines = [
            "format = 1",
            "[deck]",
            'id = "d"',
            *card,
            f"{indent}{spelt}{rest}{eq}1",
            'tags = ["t"]',
            *other,
        ]
        at, said = 8, "unknown card key"
    elif place == "deck_line":
        lines = ["format = 1", f"[{deck_word}]", 'id = "d"', f"{indent}{spelt}{rest}{eq}1", *card]
        at, said = 4, "unknown [deck] key"
    elif place == "top_dotted":
        lines = ["format = 1", f'{deck_word}{dot}id = "d"', f"{indent}{deck_word}{dot}{spelt}{rest}{eq}1"]
        at, said = 3, "unknown [deck] key"
    elif place == "top_line":
        lines = ["format = 1", f"{indent}{spelt}{rest}{eq}1", "[deck]", 'id = "d"']
        at, said = 2, "unknown top-level key"
    elif place == "inline_deck":
        head = f'{deck_word}{eq}{{ id = "d",{indent}'
        lines = ["format = 1", f"{head}{spelt}{rest}{eq}1 }}"]
        return Placed("\n".join(lines) + "\n", f"unknown [deck] key `{name}`", 2, len(head) + 1)
    elif place == "card_table":
        lines = [
            "format = 1",
            "[deck]",
            'id = "d"',
            *card,
            f"{indent}[{cards_word}{dot}{spelt}{rest}]",
            "v = 1",
            *other,
        ]
        at, said = 8, "unknown card key"
    else:
        lines = [
            "format = 1",
            "[deck]",
            'id = "d"',
            f"{indent}[{deck_word}{dot}{spelt}{rest}]",
            "v = 1",
            *card,
        ]
        at, said = 4, "unknown [deck] key"
    return Placed("\n".join(lines) + "\n", f"{said} `{name}`", at, len(indent) + 1)


@pytest.mark.slow  # (about a second: listed here rather than in tests/slow.txt)
@settings(max_examples=400, deadline=None)
@given(placed_keys())
def test_a_key_in_any_spelling_is_reported_where_it_is_written(placed: Placed) -> None:
    tomllib.loads(placed.text)  # (the file is TOML: else the test's spelling is wrong)
    result = parse_deck(placed.text, "deck.toml")
    assert not result.errors, (placed.text, [str(p) for p in result.problems])
    assert _where(result.problems, placed.said) == [(placed.line, placed.col)], (
        placed.text,
        [str(p) for p in result.problems],
    )


CARD = '[deck]\nid = "d"\n[[cards]]\nid = "a"\nback = "b"\n'


# ---- types in TOML's words ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "said"),
    [
        ('"x"', "a string"),
        ("1", "an integer"),
        ("1.5", "a float"),
        ("[1]", "an array"),
        ("true", "a boolean"),
    ],
)
def test_a_deck_that_is_not_a_table_says_its_type_in_toml_words(value: str, said: str) -> None:
    [error] = parse_deck(f"format = 1\ndeck = {value}\n").errors
    assert error.message == f"`deck` must be a table ([deck]), not {said}"


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ('[deck]\nid = "d"\ngroup = 2020-01-01\n', "`group` must be a string, not a date"),
        ('[deck]\nid = "d"\nversion = 12:00:00\n', "`version` must be a string, not a time"),
        (f"{CARD}front = 1979-05-27T07:32:00Z\n", "`front` must be a string, not a date-time"),
        (f"{CARD}front = {{a = 1}}\n", "`front` must be a string, not a table"),
        (f"{CARD}front = true\n", "`front` must be a string, not a boolean"),
        ("[deck]\nid = true\n", "deck id true is invalid"),
        ('[deck]\nid = "d"\n[[cards]]\nid = false\n', "card id false is invalid"),
    ],
)
def test_a_value_of_the_wrong_type_is_said_in_toml_words(text: str, said: str) -> None:
    errors = parse_deck(f"format = 1\n{text}").errors
    assert any(said in e.message for e in errors), [str(e) for e in errors]


def test_a_boolean_is_quoted_as_toml_writes_it() -> None:
    [error] = parse_deck("format = true\n").errors
    assert error.message.startswith("unsupported deck format true;"), error.message


@pytest.mark.parametrize(
    ("text", "said", "line"),
    [
        (
            'format = 1\n[deck]\nid = "d"\n[[cards]]\nid = "a"\nfront = "q"\nback = "a"\ndeck.source = "x"\n',
            "unknown card key `deck`",
            8,
        ),
        ('format = 1\n[deck]\nid = "d"\n\ncards.note = "x"\n', "unknown [deck] key `cards`", 5),
        (
            'format = 1\n[deck]\nid = "d"\n[[cards]]\nid = "a"\nfront = "q"\nback = "a"\n"c\\u0061rds" . x = 1\n',
            "unknown card key `cards`",
            8,
        ),
    ],
)
def test_a_dotted_key_starting_with_a_table_name_is_found_inside_a_table(
    text: str, said: str, line: int
) -> None:
    """`deck.source =` inside a card (and `cards.note =` inside `[deck]`) is the unknown key `deck`
    (`cards`) at its own line: it was indexed only under its second part, as at the top level
    (`deck.name =` there is the deck's `name`), and reported at the table's first line (h35)."""
    assert _where(parse_deck(text).problems, said) == [(line, 1)]
