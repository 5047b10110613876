"""h37: a number field reads what TOML does.

`learn_ahead_minutes = 0x1E` written by hand loads as 30, but `0x1E` typed into the field was
refused ("must be an integer from 0 to 1440, got '0x1E'"): the field knew decimal integers and
whatever Python's `float()` reads (`.5`, `Infinity`, Arabic-Indic digits), not TOML. Now any TOML
integer or float literal gives the value tomllib gives, and anything else stays the text typed,
which the loader names.
"""

from __future__ import annotations

import math
import tomllib
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from retain.ui.settings_fields import Kind, parse_text

_64 = (-(2**63), 2**63 - 1)


def _digits(alphabet: str, *, lead: str | None = None) -> st.SearchStrategy[str]:
    """Digits from `alphabet`, a single `_` allowed between two of them (`lead`: the first's)."""
    first = st.sampled_from(lead if lead is not None else alphabet)
    rest = st.lists(st.tuples(st.booleans(), st.sampled_from(alphabet)), max_size=22)
    return st.builds(lambda f, r: f + "".join(("_" if u else "") + d for u, d in r), first, rest)


_SIGN = st.sampled_from(["", "+", "-"])
_DEC = st.one_of(st.just("0"), _digits("0123456789", lead="123456789"))  # no leading zero
_INT = st.one_of(
    st.builds(str.__add__, _SIGN, _DEC),
    st.builds(str.__add__, st.just("0x"), _digits("0123456789abcdefABCDEF")),
    st.builds(str.__add__, st.just("0o"), _digits("01234567")),
    st.builds(str.__add__, st.just("0b"), _digits("01")),
)
_FRAC = st.builds(str.__add__, st.just("."), _digits("0123456789"))
_EXP = st.builds(lambda e, s, d: e + s + d, st.sampled_from("eE"), _SIGN, _digits("0123456789"))
_FLOAT = st.one_of(
    st.builds(lambda s, i, f, e: s + i + f + e, _SIGN, _DEC, _FRAC, st.one_of(st.just(""), _EXP)),
    st.builds(lambda s, i, e: s + i + e, _SIGN, _DEC, _EXP),
    st.builds(str.__add__, _SIGN, st.sampled_from(["inf", "nan"])),
)


def _toml(text: str) -> Any:
    return tomllib.loads(f"v = {text}")["v"]


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    return type(a) is type(b) and a == b


@pytest.mark.parametrize("kind", ["int", "number"])
@given(literal=st.one_of(_INT, _FLOAT), pad=st.sampled_from(["", " ", "  \t"]))
def test_any_toml_number_typed_in_a_field_is_the_value_tomllib_gives(
    kind: Kind, literal: str, pad: str
) -> None:
    expected = _toml(literal)
    got = parse_text(kind, pad + literal + pad)
    if isinstance(expected, int) and not _64[0] <= expected <= _64[1]:
        assert got == literal  # no 64-bit integer: the text, named by the loader as typed
    else:
        assert _same(got, expected), (literal, got, expected)


@pytest.mark.parametrize(
    ("typed", "value"),
    [("0x1E", 30), ("0o36", 30), ("0b11110", 30), ("1_440", 1440), ("3e1", 30.0), ("-inf", -math.inf)],
)
def test_the_attackers_numbers(typed: str, value: object) -> None:
    assert _same(parse_text("int", typed), value)


def _tomllib_number(text: str) -> bool:
    try:
        data = tomllib.loads(f"v = {text}")
    except (tomllib.TOMLDecodeError, ValueError, RecursionError):
        return False
    value = data.get("v")
    return isinstance(value, int | float) and not isinstance(value, bool)


@pytest.mark.parametrize("kind", ["int", "number"])
@given(
    text=st.one_of(st.text(max_size=30), st.text(alphabet="0123456789_.+-xobeEinfa #\n'\"[]{}:", max_size=30))
)
def test_what_toml_reads_as_no_number_is_the_text_typed(kind: Kind, text: str) -> None:
    """Never a traceback; a number only when TOML reads the text as that number (`.5`, `012`,
    `Infinity`, `٣` are no TOML numbers: the loader names them, as before)."""
    got = parse_text(kind, text)
    if text.strip() == "":
        assert got is None
    elif isinstance(got, str):
        assert got == text.strip()
    else:
        assert _tomllib_number(text.strip()) and _same(got, _toml(text.strip()))


@pytest.mark.parametrize(
    "typed", [".5", "012", "Infinity", "٣", "1 # a comment", "true", '"5"', "1979-05-27", "[1]"]
)
def test_no_toml_number_is_the_text_as_typed(typed: str) -> None:
    assert parse_text("number", typed) == typed
