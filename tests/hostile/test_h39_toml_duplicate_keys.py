"""A key or table written twice is named and pointed at (session 39, attacker 73).

Two `back =` lines in a card were `dup.toml:8:11: error: TOML syntax: Cannot overwrite a value`:
the key not named, "duplicate" never said, and column 11 past the end of the 10-character
line (tomllib points after the value). A second `[deck]` was ``Cannot declare ('deck',)
twice`` (a Python tuple), and `back = “x”` only `Invalid value`. Every reader path goes
through `core.tomlsafe.loads_careful` (rtoml's refusals are read again by tomllib): deck
files, config.toml, the progress files of `export --with-progress`.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from retain.cli import main
from retain.core.deckfile import parse_deck
from retain.core.tomlsafe import TomlFailure, loads_careful, loads_safe
from retain.store.config import ConfigError, load_config

CARD = 'format = 1\n[deck]\nid = "x"\n[[cards]]\nid = "a"\nfront = "q"\nback = "a"\n'


def _failure(text: str) -> TomlFailure:
    found = loads_safe(text)
    assert isinstance(found, TomlFailure), found
    assert loads_careful(text) == found
    return found


def test_the_repro_names_the_key_at_its_column(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("RETAIN_HOME", str(tmp_path / "home"))
    path = tmp_path / "dup.toml"
    path.write_text(CARD + 'back = "b"\n', "utf-8")
    assert main(["check", str(path)]) == 1
    out = capsys.readouterr().out
    assert f"{path}:8:1: error: TOML syntax: duplicate key `back` (first at line 7)" in out, out


@pytest.mark.parametrize(
    ("text", "line", "col", "message"),
    [
        (CARD + '  back   =   "bbbbb"  # c\n', 8, 3, "duplicate key `back` (first at line 7)"),
        (CARD + '"back" = "b"\n', 8, 1, "duplicate key `back` (first at line 7)"),
        (CARD + "'back' = '''\nlong\n'''\n", 8, 1, "duplicate key `back` (first at line 7)"),
        (CARD + 'back = [\n  "x",\n]\n', 8, 1, "duplicate key `back` (first at line 7)"),
        ('a.b = 1\nc = 2\na . "b" = 3\n', 3, 1, "duplicate key `a.b` (first at line 1)"),
        ('[deck]\nid = "x"\n\n[deck]\nname = "y"\n', 4, 1, "table [deck] declared twice (first at line 1)"),
        ('[ deck ]\n[ "deck" ]\n', 2, 1, "table [deck] declared twice (first at line 1)"),
        ("[[cards]]\nid = 'a'\n[cards]\n", 3, 1, "table [cards] clashes with [[cards]] at line 1"),
        ("[cards]\n[[cards]]\n", 2, 1, "table [[cards]] clashes with [cards] at line 1"),
        ("a = 1\na.b = 2\n", 2, 1, "key `a.b` clashes with key `a` at line 1"),
        ("a.b = 1\n[a]\n", 2, 1, "table [a] clashes with key `a.b` at line 1"),
        ("a = [1]\n[[a]]\n", 2, 1, "table [[a]] clashes with key `a` at line 1"),
        ("[[c]]\nx = 1\n[[c]]\nx = 2\nx = 3\n", 5, 1, "duplicate key `x` (first at line 4)"),
        ("[a.b]\n[a]\nz = 1\n[a]\n", 4, 1, "table [a] declared twice (first at line 2)"),
    ],
)
def test_a_key_or_table_written_twice_is_named_and_pointed_at(
    text: str, line: int, col: int, message: str
) -> None:
    found = _failure(text)
    assert (found.line, found.col, found.message) == (line, col, f"TOML syntax: {message}")


@pytest.mark.parametrize(
    ("text", "col"),
    [
        ("back = “x”\n", 8),
        ("back = ‘x’\n", 8),
        ("“back” = 1\n", 1),
        ("tags = [“a”]\n", 9),
        ('back = "x”\n', 11),
    ],
)
def test_curly_quotes_say_to_use_straight_ones(text: str, col: int) -> None:
    found = _failure(text)
    assert found.col == col and found.message.endswith("use straight quotes (\" or ')"), found


def test_a_hostile_key_stays_escaped() -> None:
    text = '"\\u001b[31m`x" = 1\n"\\u001b[31m`x" = 2\n'
    found = _failure(text)
    assert "\x1b" not in found.message and "\\u001b" in found.message and (found.line, found.col) == (2, 1)
    long = "k" * 500
    found = _failure(f'"{long}" = 1\n"{long}" = 2\n')
    assert len(found.message) < 200 and "…" in found.message


def test_config_toml_names_the_duplicate_key(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text("[study]\nnew_per_day = 10\nnew_per_day = 20\n", "utf-8")
    with pytest.raises(ConfigError) as raised:
        load_config(path)
    assert "config.toml:3:1: TOML syntax: duplicate key `new_per_day` (first at line 2)" in str(raised.value)


# ---- the class: every such refusal, in any layout, is named and pointed at a key ----

_KEY = st.sampled_from(["a", "b", '"a"', "'b'", "a.b", 'a . "b"', "c.a"])
_VALUE = st.sampled_from(["1", '"s"', "'''\nx\n'''", "[\n 1,\n 2 ]", "{ x = 1 }", '"""a\n"b"\n"""', "1 # c"])
_HEADER = st.sampled_from(["[a]", "[b]", "[a.b]", "[[c]]", "[[a]]", '[ "a" . b ]', "[c.d]"])
_STATEMENT = st.one_of(
    st.builds(lambda k, v, pad: f"{pad}{k}{pad}={pad}{v}", _KEY, _VALUE, st.sampled_from(["", " ", "\t"])),
    _HEADER,
    st.just("# comment [x] = 1"),
    st.just(""),
)
_TUPLE_WORDS = ("Cannot overwrite", "Cannot declare", "Cannot mutate")


@settings(max_examples=400, deadline=None)
@given(st.lists(_STATEMENT, min_size=2, max_size=12))
def test_every_clash_names_a_key_and_points_at_it(statements: list[str]) -> None:
    text = "\n".join(statements) + "\n"
    try:
        tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        said = str(exc)
    else:
        return
    if not said.startswith(_TUPLE_WORDS):
        return
    found = _failure(text)
    assert not any(w in found.message for w in _TUPLE_WORDS) and "('" not in found.message, found
    assert "`" in found.message or "[" in found.message, found
    at = text.split("\n")[found.line - 1]
    assert 1 <= found.col <= len(at) and at[found.col - 1] in "[\"'abc", (at, found)
    assert parse_deck(text).problems[0].message == found.message
