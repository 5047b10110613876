"""The editor's answer-check field texts (`core.answer.formtext`): a card's keys shown as text read
back as the same keys, and text that is not a number, range or table gets `retain check`'s message."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from retain.core.answer.formtext import FIELDS_FOR_MATCH, raw_keys, texts
from retain.core.answer.spec import AnswerSpec, read_keys

NUMBER = st.one_of(
    st.integers(-(10**12), 10**12).map(float), st.floats(-1e9, 1e9, allow_nan=False, allow_infinity=False)
)
ALIAS_TEXT = st.text(st.characters(exclude_categories=["Cs", "Cc"]), min_size=1, max_size=12).filter(
    lambda t: bool(t.strip())
)


@st.composite
def specs(draw: st.DrawFn) -> AnswerSpec:
    match = draw(st.sampled_from(["set", "command", "number", "regex"]))
    used = FIELDS_FOR_MATCH[match]
    aliases: tuple[tuple[str, str], ...] = ()
    if "aliases" in used:
        table = draw(st.dictionaries(ALIAS_TEXT, ALIAS_TEXT, max_size=4))
        aliases = tuple(table.items())
    accept_range = None
    if "accept_range" in used and draw(st.booleans()):
        low, high = sorted((draw(NUMBER), draw(NUMBER)))
        accept_range = (low, high)
    tolerance = draw(st.floats(0, 1e6)) if "tolerance" in used and draw(st.booleans()) else None
    pattern = draw(ALIAS_TEXT) if match == "regex" else ""  # a one-line field: no control characters
    return AnswerSpec(match, pattern, accept_range, tolerance, aliases)


@given(specs())
def test_a_cards_keys_shown_as_text_read_back_the_same(spec: AnswerSpec) -> None:
    shown = texts(spec)
    again, found = read_keys(raw_keys(shown["match"], shown))
    assert not found
    assert again == spec


@pytest.mark.parametrize(
    ("match", "fields", "message"),
    [
        ("number", {"accept_range": "50, 20"}, "`accept_range` must be two numbers, low then high"),
        ("number", {"accept_range": "20 to 50"}, "`accept_range` must be two numbers, low then high"),
        ("number", {"accept_range": "[20, x]"}, "`accept_range` must be two numbers, low then high"),
        ("number", {"tolerance": "lots"}, "`tolerance` must be a number of 0 or more"),
        ("number", {"tolerance": "-1"}, "`tolerance` must be a number of 0 or more"),
        ("command", {"aliases": "-n --namespace"}, "`aliases` must map strings to strings"),
        ("command", {"aliases": "{ -n = 3 }"}, "`aliases` must map strings to strings"),
    ],
)
def test_text_that_is_not_a_value_gets_the_checks_message(
    match: str, fields: dict[str, str], message: str
) -> None:
    _spec, found = read_keys(raw_keys(match, fields))
    assert next(m for _key, m, severity in found if severity == "error").startswith(message)


def test_only_the_keys_of_the_chosen_mode_are_read() -> None:
    fields = {"pattern": "a+", "accept_range": "1, 2", "tolerance": "1", "aliases": "a = b"}
    assert raw_keys("", fields) == {}
    assert raw_keys("regex", fields) == {"match": "regex", "pattern": "a+"}
    assert raw_keys("command", fields) == {"match": "command", "aliases": {"a": "b"}}
    assert set(raw_keys("number", fields)) == {"match", "accept_range", "tolerance", "aliases"}


def test_plain_and_table_forms_of_aliases() -> None:
    assert texts(AnswerSpec("command", aliases=(("-n", "--namespace"),)))["aliases"] == "-n = --namespace"
    odd = AnswerSpec("set", aliases=(("a, b", "c=d"),))
    assert texts(odd)["aliases"] == '{ "a, b" = "c=d" }'
    assert raw_keys("set", {"aliases": "-n = --namespace\n-f = --follow"})["aliases"] == {
        "-n": "--namespace",
        "-f": "--follow",
    }
