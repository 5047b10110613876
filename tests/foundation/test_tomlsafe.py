"""The fast TOML reader (rtoml) and the careful one (tomllib) give the same data and the same errors.

`core.tomlsafe.loads_safe` takes rtoml's answer only when the text cannot hold
what rtoml reads beyond TOML 1.0; these tests generate texts around exactly
those places and compare the two ways, for raw TOML and for whole deck files.
"""

from __future__ import annotations

import datetime
import json
import math
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from retain.core.deckfile import parse_deck
from retain.core.tomlsafe import TomlFailure, loads_careful, loads_fast, loads_safe

DECKS = Path(__file__).resolve().parents[2] / "decks"


def _same(a: Any, b: Any) -> bool:
    """Equal data, NaN equal to NaN, and a datetime's tzinfo compared by its offset."""
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    if type(a) is not type(b):
        return False
    if isinstance(a, datetime.datetime):  # the same tzinfo class too (what a caller may look at)
        return bool(a == b) and type(a.tzinfo) is type(b.tzinfo) and a.utcoffset() == b.utcoffset()
    if isinstance(a, dict):
        return list(a) == list(b) and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)


# What rtoml reads and TOML 1.0 does not: each must get the careful reader's error.
TOML_11 = {
    "escape-e": 'a = "\\e"',
    "escape-x": 'a = "\\x41"',
    "escape-x-multiline": 'a = """\\x41"""',
    "time-without-seconds": "a = 07:32",
    "datetime-without-seconds": "a = 1979-05-27T07:32Z",
    "datetime-without-seconds-offset": "a = 1979-05-27T07:32+05:30\nb = 1979-05-27",
    "inline-newline": "a = {\nb = 1 }",
    "inline-trailing-comma": "a = { b = 1, }",
    "inline-in-array-newline": "a = [\n  { b = 1,\n c = 2 },\n]",
    "inline-after-comment": "a = [ # note\n{ b = 1, } ]",
    "inline-nested": "a = { b = { c = 1, } }",
    "bom": "\ufeffa = 1",
}


@pytest.mark.parametrize("text", TOML_11.values(), ids=TOML_11.keys())
def test_what_only_rtoml_reads_gets_the_careful_error(text: str) -> None:
    careful = loads_careful(text)
    assert isinstance(careful, TomlFailure)
    assert loads_fast(text) is None
    assert loads_safe(text) == careful


LINE_ENDINGS = {
    "crlf-multiline-basic": 'a = """x\r\ny"""\r\n',
    "crlf-multiline-literal": "a = '''x\r\ny'''\r\n",
    "crlf-line-ending-backslash": 'a = """x\\\r\n  y"""',
    "crlf-comment": "a = 1 # c\r\nb = 2\r\n",
    "escaped-crlf": 'a = "x\\r\\ny"',
    "cr-before-crlf": 'a = """x\r\r\ny"""',
    "lone-cr": "a = 1\rb = 2",
}


@pytest.mark.parametrize("text", LINE_ENDINGS.values(), ids=LINE_ENDINGS.keys())
def test_line_endings_read_the_same_either_way(text: str) -> None:
    fast, careful = loads_safe(text), loads_careful(text)
    if isinstance(careful, TomlFailure):
        assert fast == careful
    else:
        assert _same(fast, careful)


FRAGMENTS = [
    *("a", "b", "c1", '"k"', "'k'", ".", " ", "\t", "=", " = ", "\n", "\r\n", "\r", "#", "# c\n"),
    *("1", "0", "_", "e", "x", "+", "-", ":", "T", "Z", ".5", "1e5", "inf", "nan", "true", "0x1F"),
    *("\\", "\\\\", "\\e", "\\x41", "\\u0041", "\\U0001F600", '"', "'", '"""', "'''"),
    *("[", "]", "[[", "]]", "{", "}", "{{c1::", "}}", ",", "{ a = 1 }", "[{", "}, {", "= 1,"),
    *("1979-05-27", "07:32", "07:32:00", "1979-05-27T07:32:00Z", "9" * 30, "1e1000"),
    *("a = 1979-05-27T07:32:00+05:30\n", "-00:00", "+01:00", ".999999999", "T", "t", "z", "a = 07:32:00."),
    *("a = [1979-05-27T07:32:00Z, 07:32:00]\n", "a = 1979-05-27 07:32:00.5\n", "a = 1979-05-27\n"),
    *("\n[t]\n", "\n[[cards]]\n", "\n[t.u]\n", "a.b = 1\n", 'a = "', '"\n', "a = [", "a = {"),
    *("é", "\x7f", "\x00", "\ufeff", "\u2028", 'a = """x\r\ny"""', "a = '''\r\n'''", "\r\r\n"),
]


@given(st.lists(st.sampled_from(FRAGMENTS), min_size=1, max_size=20))
@settings(max_examples=3000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_fast_and_careful_readers_agree(parts: list[str]) -> None:
    text = "".join(parts)
    fast, careful = loads_safe(text), loads_careful(text)
    if isinstance(careful, TomlFailure):
        assert fast == careful
    else:
        assert not isinstance(fast, TomlFailure)
        assert _same(fast, careful)


def _value(draw: st.DrawFn) -> str:
    kind = draw(st.sampled_from(["str", "ml", "lit", "int", "list", "inline", "date", "raw"]))
    text = draw(st.text(st.sampled_from(list("ab {}:,\\\"'\n=[]#ec1x")), max_size=12))
    if kind == "str":
        return json.dumps(text)
    if kind == "ml":
        return '"""' + text.replace('"', "") + '"""'
    if kind == "lit":
        return "'" + text.replace("'", "").replace("\n", "") + "'"
    if kind == "int":
        return str(draw(st.integers()))
    if kind == "list":
        return "[" + ", ".join(json.dumps(t) for t in draw(st.lists(st.text(max_size=4), max_size=3))) + "]"
    if kind == "inline":
        return draw(st.sampled_from(["{ a = 1 }", "{ a = 1, }", "{\na = 1 }", "{}"]))
    if kind == "date":
        return draw(
            st.sampled_from(
                ["1979-05-27", "07:32:00", "07:32", "1979-05-27T07:32:00Z", "1979-05-27T07:32:00.5-07:00"]
            )
        )
    return text


@st.composite
def deck_texts(draw: st.DrawFn) -> str:
    lines = ["format = 1", "", "[deck]", 'id = "d"', 'name = "D"']
    for _ in range(draw(st.integers(0, 2))):
        lines.append(f"{draw(st.sampled_from(['zz', 'group', 'tags']))} = {_value(draw)}")
    for i in range(draw(st.integers(0, 5))):
        lines += ["", "[[cards]]", f'id = "{draw(st.sampled_from(["c1", "c2", f"c{i}", "Bad"]))}"']
        kind = draw(st.sampled_from(["basic", "cloze", "typed", "nope"]))
        lines.append(f'kind = "{kind}"')
        for key in draw(
            st.lists(st.sampled_from(["front", "back", "text", "zz", "extra", "tags"]), max_size=4)
        ):
            lines.append(f"{key} = {_value(draw)}")
    if draw(st.booleans()):
        lines += ["", f"[x{draw(st.integers(0, 3))}]", f"a = {_value(draw)}"]
    text = "\n".join(lines) + "\n"
    return text.replace("\n", "\r\n") if draw(st.booleans()) else text


@given(deck_texts())
@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_a_deck_parses_the_same_either_way(text: str) -> None:
    fast, careful = parse_deck(text, "d.toml"), parse_deck(text, "d.toml", careful=True)
    assert fast.problems == careful.problems
    assert fast.deck == careful.deck


@pytest.mark.parametrize("path", sorted(DECKS.glob("*.toml")), ids=lambda p: p.stem)
def test_an_ordinary_deck_takes_the_fast_way(path: Path) -> None:
    """The guard must not send every deck the slow way: the bundled decks all go fast."""
    text = path.read_text("utf-8")
    fast = loads_fast(text)
    assert fast is not None
    assert _same(fast, loads_careful(text))


def test_dates_with_seconds_take_the_fast_way_with_tomllibs_tzinfo() -> None:
    text = 'when = 1979-05-27T07:32:00+05:30\nutc = 1979-05-27T07:32:00Z\nday = 1979-05-27\nnote = "x"\n'
    fast = loads_fast(text)
    assert fast is not None
    assert repr(fast) == repr(loads_careful(text))


@pytest.mark.parametrize(
    ("text", "line", "col"),
    [
        ("a = 1\nbroken = [", 2, 11),
        ('a = 1\nb = "x"\nc = {', 3, 6),
        ("a = 1\nb = [1,\n  2,\n", 4, 1),
        ("x = ", 1, 5),
    ],
)
def test_an_error_at_the_end_of_the_file_is_placed_there_not_at_1_1(text: str, line: int, col: int) -> None:
    """tomllib says "(at end of document)" without a line: `retain check` reported 1:1."""
    from retain.core.tomlsafe import TomlFailure, loads_safe

    found = loads_safe(text)
    assert isinstance(found, TomlFailure)
    assert (found.line, found.col) == (line, col), found.message
