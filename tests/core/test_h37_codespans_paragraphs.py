"""A code span never crosses a paragraph's end: "Press ` to open" and "Press ` to close", two
paragraphs apart, paired their backticks, so a picture between them was taken for code (the
study screen never drew it, an export to Anki left its file out). As CommonMark reads it."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from retain.core.codespans import code_ranges
from retain.core.mediaref import media_refs

SPLIT = "Press ` to open the console.\n\n![console](k.media/shot.png)\n\nPress ` again to close it."


def test_a_picture_between_two_paragraphs_with_one_backtick_each_is_no_code() -> None:
    assert code_ranges(SPLIT) == []
    assert [r.name for r in media_refs(SPLIT)] == ["shot.png"]


def test_spans_within_a_paragraph_still_pair() -> None:
    assert code_ranges("a `x` b ``y`` c") == [(2, 5), (8, 13)]
    assert code_ranges("a `x\ny` b") == [(2, 7)]  # a line break is no paragraph end
    assert code_ranges("`a`\n\n`b`") == [(0, 3), (5, 8)]


def test_a_line_of_blanks_ends_a_paragraph_too() -> None:
    assert code_ranges("a `x\n \t \ny` b") == []


def test_a_fenced_block_between_them_ends_the_paragraph() -> None:
    text = "one ` here\n```\ncode\n```\ntwo ` there"
    assert code_ranges(text) == [(text.index("```"), text.index("```", text.index("code")) + 3)]


@given(st.text(alphabet="`ab \n", max_size=60))
def test_no_span_holds_a_blank_line(text: str) -> None:
    for start, end in code_ranges(text):
        inner = text[start:end]
        if not inner.lstrip(" ").startswith("```"):  # (a fenced block holds what it likes)
            assert not re.search(r"\n[ \t]*\n", inner), (text, inner)
