"""A typed answer is compared with the back as the card shows it: its Markdown and math rendered as
the study screen renders them, not stripped by a pattern (hunt 9)."""

from __future__ import annotations

import time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from retain.core.answer import AnswerSpec, check_answer, clear_caches
from retain.core.answer.shown import _parsed, as_written, needs_parser
from retain.core.answer.spec import problems
from retain.core.answer.textmode import plain_answer


@pytest.mark.parametrize(
    ("back", "typed"),
    [
        ("*args", "*args"),
        ("**kwargs", "**kwargs"),
        ("_id", "_id"),
        ("ls *.txt", "ls *.txt"),
        ("__dunder", "__dunder"),
        ("a * b * c", "a * b * c"),
        ("def f(*args, **kwargs)", "def f(*args, **kwargs)"),
        ("`*args`", "*args"),
    ],
)
def test_a_star_or_underscore_markdown_shows_is_part_of_the_answer(back: str, typed: str) -> None:
    """`*args` shows `*args`: the `*` opens no emphasis, so it is typed (it used to be dropped)."""
    assert plain_answer(back) == typed
    result = check_answer(typed, back)
    assert result.correct and result.suggested_rating == 3, (back, result.expected)


@pytest.mark.parametrize(
    ("back", "typed"),
    [
        ("\\#include", "#include"),
        ("\\[x\\]", "[x]"),
        ("1\\.", "1."),
        ("\\*args", "*args"),
        ("&amp;", "&"),
        ("AT&amp;T", "AT&T"),
        ("&lt;br&gt;", "<br>"),
        ("&copy; 2024", "© 2024"),
    ],
)
def test_an_escape_or_entity_in_the_back_is_read_as_shown(back: str, typed: str) -> None:
    result = check_answer(typed, back)
    assert result.correct, (back, result.expected)
    assert result.expected == typed


def test_a_math_back_is_compared_and_shown_rendered() -> None:
    back = "$\\frac{1}{2}$"
    right = check_answer("1/2", back)
    assert right.correct and right.expected == "1/2"
    wrong = check_answer("2/3", back)
    assert not wrong.correct and wrong.expected == "1/2"  # the Answer line: what the card shows
    assert "".join(p.text for p in wrong.expected_parts if p.kind != "wrong") == "1/2"


def test_math_in_an_accepted_answer_is_rendered_too() -> None:
    result = check_answer("x²", "x squared", ["$x^{2}$"])
    assert result.correct and result.expected == "x²"


def test_a_price_or_shell_variable_is_not_math() -> None:
    assert check_answer("$5 or $10", "$5 or $10").correct
    assert check_answer("echo $HOME", "`echo $HOME`").correct


@pytest.mark.parametrize(
    ("back", "typed"),
    [
        ("**Raft**", "Raft"),
        ("[Raft](https://raft.github.io)", "Raft"),
        ("<https://raft.github.io>", "https://raft.github.io"),
        ("# Raft", "Raft"),
        ("- Raft", "Raft"),
        ("> Raft", "Raft"),
        ("Raft ![diagram](r.media/raft.png)", "Raft"),
        ("`a_b`", "a_b"),
        ("*Raft*\n consensus", "Raft consensus"),
        ("1. Raft", "1. Raft"),  # the number is shown
    ],
)
def test_markup_the_display_hides_is_not_typed(back: str, typed: str) -> None:
    result = check_answer(typed, back)
    assert result.correct, (back, result.expected)


@pytest.mark.parametrize("back", ["-", "+", "#", "***", ">", "[x]: https://example.org"])
def test_a_back_that_shows_no_text_is_compared_as_written(back: str) -> None:
    assert check_answer(back, back).correct


def test_set_items_and_a_regex_cards_back_are_read_as_shown() -> None:
    spec = AnswerSpec("set")
    assert check_answer("**kwargs, *args", "*args, **kwargs", spec=spec).correct
    assert check_answer("#include, &", "- \\#include\n- &amp;", spec=spec).correct
    regex = AnswerSpec("regex", pattern=r"#include <\w+\.h>")
    right = check_answer("#include <stdio.h>", "\\#include &lt;stdio.h&gt;", spec=regex)
    assert right.correct and right.expected == "#include <stdio.h>"
    assert problems("c", "typed", "\\#include &lt;stdio.h&gt;", [], regex, ["match", "pattern"]) == []


# Texts with nothing Markdown reads: the checker skips the parser for them.
PLAIN = st.text(st.sampled_from(list("ab1 \n\t.,;:'\"?()/=%@{}^+-#>!é\u00a0\r")), max_size=30)


@given(PLAIN)
def test_a_text_the_parser_is_skipped_for_shows_as_written(text: str) -> None:
    if not needs_parser(text):
        assert as_written(_parsed(text)) in (as_written(text), "")


def test_hundreds_of_hostile_accepted_answers_are_read_in_bounded_time() -> None:
    """The parser takes ~25 us a character on text like `![a![a`: past a budget of characters, a
    card's further accepted answers are read as written."""
    accept = [f"{i}" + "![a" * 700 for i in range(256)]
    for spec in (None, AnswerSpec("set")):
        clear_caches()
        start = time.perf_counter()
        result = check_answer("nothing like it", "![a" * 700, accept, spec)
        assert time.perf_counter() - start < 2.0
        assert result.suggested_rating == 1


def test_an_ordered_list_starting_at_zero_keeps_its_numbers() -> None:
    """`0. zero` lost its number (0 stood for a bullet list), so typing the back was Again."""
    from retain.core.answer import check_answer

    assert check_answer("0. zero", "0. zero").correct
    assert check_answer("0. zero\n1. one", "0. zero 1. one").correct


@pytest.mark.parametrize("back", ["?", "...", "!"])
def test_a_back_of_only_punctuation_typed_as_written_is_correct(back: str) -> None:
    """Normalising strips punctuation, so `?` typed for `?` counted as no answer (Again)."""
    from retain.core.answer import check_answer

    assert check_answer(back, back).correct
    assert not check_answer("?" if back != "?" else "!", back).correct
    assert not check_answer("", back).correct
