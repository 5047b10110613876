"""A deck file's [deck] id, missing or of any TOML type, gets one plain message (h19): a missing
one said "deck id a NoneType is invalid", a Python type name."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from retain.core.deckfile import parse_deck

CARD = '\n[[cards]]\nid = "a"\nfront = "q"\nback = "a"\n'
VALUES = st.sampled_from(
    ['""', "5", "1.5", "true", "[]", '["a"]', "{}", "2026-12-01", "12:00:00", '"Bad Id"']
)


def _errors(text: str) -> list[str]:
    return [
        f"{p.line}:{p.col}: {p.message}" for p in parse_deck(text, "d.toml").problems if p.severity == "error"
    ]


def test_a_missing_deck_id_is_said_at_the_deck_table() -> None:
    (error,) = _errors('format = 1\n\n[deck]\nname = "B6"\n' + CARD)
    assert error.startswith("3:1: missing `id` in [deck]")
    (error,) = _errors('format = 1\ndeck = { name = "B6" }\n' + CARD)
    assert error.startswith("2:1: missing `id` in [deck]")


@given(VALUES)
def test_any_bad_deck_id_names_no_python_type(value: str) -> None:
    (error,) = _errors(f'format = 1\n\n[deck]\nid = {value}\nname = "x"\n' + CARD)
    assert error.startswith("4:1: deck id ") and "is invalid" in error, error
    assert "Type" not in error and "NoneType" not in error and "dict" not in error, error
