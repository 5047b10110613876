"""A right answer's diff marks nothing wrong or missing (attack 30, defect 4).

`ﾊﾟﾝ` for `パン` and `한국어` typed as jamo were "✓ correct" (the verdict compares in NFKC), yet
the diff struck them as wrong: it compared a character at a time, and `ﾟ` (U+FF9F) and the
jamo are characters of their own there.
"""

from __future__ import annotations

import unicodedata
from typing import Literal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from retain.core.answer import check_answer
from retain.core.answer.diff import char_diff
from retain.core.answer.verdict import DiffPart

JAMO_KOREAN = unicodedata.normalize("NFD", "한국어")


def assert_nothing_marked(typed_parts: tuple[DiffPart, ...], expected_parts: tuple[DiffPart, ...]) -> None:
    assert {p.kind for p in typed_parts} <= {"same"}, typed_parts
    assert {p.kind for p in expected_parts} <= {"same"}, expected_parts


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("ﾊﾟﾝ", "パン"),  # half-width katakana with a semi-voiced mark
        ("ｶﾞｯｺｳ", "ガッコウ"),  # and a voiced one
        (JAMO_KOREAN, "한국어"),  # Hangul as conjoining jamo
        ("한국어", JAMO_KOREAN),
        ("the Raft.", "Raft"),  # an article, a full stop
        ("fault tolerant", "fault-tolerant"),
        ("x\u200by", "xy"),  # a zero-width space pasted in
        ("?", "？"),  # punctuation alone
    ],
)
def test_a_right_answer_in_another_form_marks_nothing(typed: str, expected: str) -> None:
    result = check_answer(typed, expected)
    assert result.correct
    assert_nothing_marked(result.typed_parts, result.expected_parts)
    assert "".join(p.text for p in result.typed_parts) == result.answer
    assert "".join(p.text for p in result.expected_parts) == result.expected


@pytest.mark.parametrize(
    ("typed", "expected", "wrong", "missing"),
    [
        ("ﾊﾟﾝｺ", "パン", ["ｺ"], []),
        ("ﾊﾟﾝ", "ピン", ["ﾊﾟ"], ["ピ"]),  # the kana with its mark, never the mark alone
        (JAMO_KOREAN, "한국이", [unicodedata.normalize("NFD", "어")], ["이"]),
        ("👍🏽x", "👍🏽y", ["x"], ["y"]),  # an emoji with its skin tone is one character
        ("🇯🇵🇫🇷", "🇯🇵🇩🇪", ["🇫🇷"], ["🇩🇪"]),  # a flag is two regional indicators
    ],
)
def test_a_wrong_answer_is_marked_a_whole_character_at_a_time(
    typed: str, expected: str, wrong: list[str], missing: list[str]
) -> None:
    typed_parts, expected_parts = char_diff(typed, expected)
    assert [p.text for p in typed_parts if p.kind == "wrong"] == wrong
    assert [p.text for p in expected_parts if p.kind == "missing"] == missing


# Characters with other forms the checks take as the same: half-width kana and their marks,
# conjoining jamo, accents that compose, full-width letters and digits, ligatures, curly quotes.
_PIECES = st.sampled_from(
    [
        "a",
        "B",
        "7",
        " ",
        "-",
        "'",
        "ﾊﾟ",
        "ｶﾞ",
        "ｯ",
        "ﾝ",
        "ｰ",
        "パ",
        "ガ",
        "ン",
        JAMO_KOREAN,
        "한",
        "e\u0301",
        "é",
        "Ａ",
        "８",
        "ﬁ",
        "’",
        "“x”",
        "ß",
        "İ",
        "Ω",
        "\u00a0",
    ]
)
Form = Literal["NFC", "NFD", "NFKC", "NFKD"]
_FORMS: st.SearchStrategy[Form] = st.sampled_from(["NFC", "NFD", "NFKC", "NFKD"])


@given(st.lists(_PIECES, min_size=1, max_size=8).map("".join), _FORMS, st.booleans(), st.booleans())
@settings(max_examples=400, deadline=None)
def test_whatever_the_checker_calls_right_the_diff_marks_nothing(
    answer: str, form: Form, upper: bool, dressed: bool
) -> None:
    """The card's answer, and the learner's typed in another Unicode form, case, or with an
    article and a full stop: when the verdict is "correct", nothing is struck or underlined."""
    typed = unicodedata.normalize(form, answer.upper() if upper else answer)
    if dressed:
        typed = f"the {typed}."
    result = check_answer(typed, answer)
    if result.correct:
        assert_nothing_marked(result.typed_parts, result.expected_parts)
    assert "".join(p.text for p in result.typed_parts if p.kind != "missing") == result.answer
    assert "".join(p.text for p in result.expected_parts if p.kind != "wrong") == result.expected


@given(st.lists(_PIECES, max_size=6).map("".join), st.lists(_PIECES, max_size=6).map("".join))
@settings(max_examples=300, deadline=None)
def test_any_two_answers_the_checker_calls_right_have_nothing_marked(typed: str, expected: str) -> None:
    result = check_answer(typed, expected)
    if result.correct:
        assert_nothing_marked(result.typed_parts, result.expected_parts)


def test_an_aside_or_a_unit_the_checker_accepts_is_not_struck() -> None:
    """`Paris (the capital)` for `Paris`, and `5 milliseconds` for a number card's `5 ms`, are
    right: no part of them may be marked wrong (the aside is said in the note)."""
    from retain.core.answer import check_answer
    from retain.core.answer.spec import AnswerSpec

    for typed, expected, spec in (
        ("Paris (the capital)", "Paris", None),
        ("5 milliseconds", "5 ms", AnswerSpec(match="number")),
    ):
        got = check_answer(typed, expected, spec=spec) if spec else check_answer(typed, expected)
        assert got.correct, got
        assert all(part.kind == "same" for part in got.typed_parts), got.typed_parts
