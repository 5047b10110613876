"""Hunt 8 on typed answers: real answers from phones, other locales and pastes that a fair teacher
takes, in every `match` mode (text, set, command, number, regex)."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from retain.core.answer import AnswerSpec, check_answer
from retain.core.answer.diff import char_diff
from retain.core.answer.normalise import normalise
from retain.core.answer.number import parse_quantity

SET = AnswerSpec("set")
COMMAND = AnswerSpec("command")
NUMBER = AnswerSpec("number")

# ---- a phone or macOS turns `--` into an em dash (`—force`): that is `--force` -------------------


@pytest.mark.parametrize(
    ("typed", "expected", "spec"),
    [
        ("—force", "--force", AnswerSpec()),
        ("—rm", "--rm", AnswerSpec()),
        ("kubectl get pods —all-namespaces", "kubectl get pods --all-namespaces", AnswerSpec()),
        ("--rm", "—rm", AnswerSpec()),  # a back written in a word processor
        (
            "kafka-topics.sh —create —topic orders",
            "kafka-topics.sh --create --topic orders",
            AnswerSpec("regex", pattern=r"kafka-topics(\.sh)? --create --topic orders"),
        ),
        ("—verbose, —quiet", "--verbose, --quiet", SET),
    ],
)
def test_a_typographic_dash_before_a_word_is_a_double_dash(
    typed: str, expected: str, spec: AnswerSpec
) -> None:
    result = check_answer(typed, expected, spec=spec)
    assert result.correct and result.suggested_rating == 3, (typed, expected, result.note)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("—l", "-l"),  # one letter: a single dash, as in command mode
        ("−5", "-5"),  # a minus sign before a number
        ("Raft — the consensus algorithm", "Raft - the consensus algorithm"),
        ("leader–follower", "leader-follower"),
    ],
)
def test_other_dashes_are_still_one_hyphen(typed: str, expected: str) -> None:
    assert check_answer(typed, expected).correct


@pytest.mark.parametrize(
    ("typed", "expected"),
    [("—force", "--force"), ("--force", "—force"), ("½", "1/2"), ("Straße", "strasse")],
)
def test_the_diff_of_a_right_answer_in_another_form_marks_nothing(typed: str, expected: str) -> None:
    assert check_answer(typed, expected).correct
    typed_parts, expected_parts = char_diff(typed, expected)
    assert {p.kind for p in typed_parts} == {"same"}
    assert {p.kind for p in expected_parts} == {"same"}
    assert "".join(p.text for p in typed_parts) == typed
    assert "".join(p.text for p in expected_parts) == expected


# ---- a regex card's pattern is unified like the answer: its own curly quotes and dashes match ---


@pytest.mark.parametrize(
    ("typed", "pattern"),
    [
        ("20 – 50", "20 ?– ?50"),
        ("20-50", "20 ?– ?50"),
        ("it’s raft", "it’s (a )?raft"),
        ("it's a raft", "it’s (a )?raft"),
        ("“quoted”", "“quoted”"),
    ],
)
def test_a_pattern_with_typographic_quotes_or_dashes_matches_any_style(typed: str, pattern: str) -> None:
    result = check_answer(typed, "the back", spec=AnswerSpec("regex", pattern=pattern))
    assert result.correct, (typed, pattern, result.note)


# ---- numbers: thousands grouped with spaces, apostrophes or dots; fractions ----------------------


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("1 500", 1500),
        ("1 000 000", 1_000_000),
        ("1\u00a0500", 1500),  # no-break space
        ("1\u202f500", 1500),  # narrow no-break space (French locale on macOS)
        ("1\u2009500", 1500),  # thin space
        ("1 500 MB", 1500),
        ("1'500", 1500),  # Swiss
        ("1’500", 1500),
        ("1.000.000", 1_000_000),  # German, two groups
        ("1.500,5", 1500.5),
        ("1 500,5", 1500.5),
        ("½", 0.5),
        ("1/2", 0.5),
        ("3/4 GB", 0.75),
        ("1½", 1.5),
        ("1 ½", 1.5),
        ("1 1/2", 1.5),
        ("-½", -0.5),
    ],
)
def test_grouped_thousands_and_fractions_are_numbers(text: str, value: float) -> None:
    quantity = parse_quantity(text)
    assert quantity is not None, text
    assert quantity.low == pytest.approx(value) and quantity.high == pytest.approx(value), text


@pytest.mark.parametrize(
    ("text", "joined"),
    [("1 50", 150), ("1 5000", 15000), ("12 34", 1234), ("1'5", 15), ("1.50.000", 150000), ("0 500", 500)],
)
def test_groups_that_are_not_thousands_are_not_joined(text: str, joined: float) -> None:
    quantity = parse_quantity(text)
    assert quantity is None or quantity.low != joined, text


def test_one_dot_is_still_a_decimal_point() -> None:
    quantity = parse_quantity("1.000")
    assert quantity is not None and quantity.low == 1.0


@pytest.mark.parametrize(
    ("typed", "back"),
    [
        ("1 500", "1500"),
        ("1 000 000", "1,000,000"),
        ("1 500 MB", "1500 MB"),
        ("½", "0.5"),
        ("1/2", "0.5"),
        ("0.5", "1/2"),
        ("1½ hours", "1.5 hours"),
    ],
)
def test_number_cards_take_grouped_thousands_and_fractions(typed: str, back: str) -> None:
    result = check_answer(typed, back, spec=NUMBER)
    assert result.correct and result.suggested_rating == 3, (typed, back, result.note)


@given(st.integers(min_value=1000, max_value=10**12), st.sampled_from([" ", "\u00a0", "\u202f", "'", ","]))
def test_any_grouping_of_an_integer_reads_as_the_integer(n: int, sep: str) -> None:
    grouped = f"{n:,}".replace(",", sep)
    quantity = parse_quantity(grouped)
    assert quantity is not None and quantity.low == n, grouped
    assert check_answer(grouped, str(n), spec=NUMBER).correct


def test_a_fraction_that_is_wrong_is_still_wrong() -> None:
    result = check_answer("1/3", "0.5", spec=NUMBER)
    assert not result.correct and result.suggested_rating == 1


# ---- text: fractions, and the punctuation of other languages ----------------------------------


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("½", "1/2"),
        ("1/2", "½"),
        ("1⁄2", "1/2"),  # the fraction slash
        ("Raft。", "Raft"),  # ideographic full stop
        ("¡Hola!", "Hola"),
        ("hola", "¡Hola!"),
        ("¿Qué tal?", "qué tal"),
        ("que tal", "¿Qué tal?"),  # accents only: close below
    ],
)
def test_fractions_and_other_languages_punctuation(typed: str, expected: str) -> None:
    result = check_answer(typed, expected)
    if typed == "que tal":
        assert result.suggested_rating == 2 and result.note == "accents differ"
    else:
        assert result.correct, (typed, expected)


@given(st.text(max_size=30))
def test_normalise_stays_idempotent_with_dashes_fractions_and_marks(text: str) -> None:
    text = text + "—rm ½ 3¾ ¡x! y。"
    once = normalise(text)
    assert normalise(once) == once


# ---- set: the commas of CJK input methods and Arabic ------------------------------------------


@pytest.mark.parametrize(
    "typed",
    [
        "latency，traffic，errors，saturation",  # full-width comma
        "latency；traffic；errors；saturation",  # full-width semicolon
        "latency、traffic、errors、saturation",  # ideographic comma
        "latency، traffic، errors، saturation",  # Arabic comma
        "latency؛ traffic؛ errors؛ saturation",  # Arabic semicolon
    ],
)
def test_set_items_split_on_the_commas_of_other_scripts(typed: str) -> None:
    result = check_answer(typed, "Latency, Traffic, Errors, Saturation", spec=SET)
    assert result.correct and not result.missing and not result.extra, typed


def test_a_set_back_written_with_ideographic_commas_has_its_items() -> None:
    result = check_answer("上海, 北京", "北京、上海", spec=SET)
    assert result.correct


# ---- command: pasted control characters do not count -----------------------------------------


@pytest.mark.parametrize(
    "typed",
    [
        "kubectl get pods -n kube-system\x00",
        "kubectl get pods -n kube\x07-system",
        "kubectl get pods -n\x1b kube-system",
        "kubectl\x7f get pods -n kube-system",
        "kubectl get pods -n kube-system\u200b",
        "kubectl get\u200b pods -n kube-system",
    ],
)
def test_control_characters_in_a_command_do_not_count(typed: str) -> None:
    result = check_answer(typed, "kubectl get pods -n kube-system", spec=COMMAND)
    assert result.correct and result.suggested_rating == 3, (typed, result.note)


@given(
    st.text(st.sampled_from("ab ½¼3-–—―－﹣‐'’x"), max_size=12),
    st.sampled_from(["NFC", "NFD", "NFKC", "NFKD"]),
)
def test_dashes_and_fractions_in_any_unicode_form_still_match(back: str, form: str) -> None:
    if not check_answer(back, back).correct:
        return
    assert check_answer(unicodedata.normalize(form, back), back).correct  # type: ignore[arg-type]
