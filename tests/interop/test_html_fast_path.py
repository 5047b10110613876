"""Fields with only bold/italic tags and line breaks skip the HTML parser, and read the same
(inline code goes to the parser: its fence depends on the backticks inside)."""

from __future__ import annotations

from hypothesis import example, given
from hypothesis import strategies as st

from retain.interop.html import _SIMPLE, _parsed, html_to_text

simple = st.sampled_from(
    [
        "<b>", "</b>", "<strong>", "</strong>", "<i>", "</i>", "<em>", "</em>",
        "<br>", "<br/>", "<br />", "[", "]", ">", "a", "Z", " ", "  ", "\t", "é", "*", "`", "x",
    ]
)  # fmt: skip
breakers = st.sampled_from(
    [
        "<code>",
        "</code>",
        "<BR>",
        "<p>",
        "</div>",
        "<img src='x.png'>",
        "&amp;",
        "&",
        "[sound:a.mp3]",
        "<",
        "\n",
        "\r",
        "\xa0",
    ]
)


@given(st.lists(simple, max_size=30).map("".join))
@example("</strong><b>")  # side-by-side spans of one mark are merged on both paths
@example("a<i>b</i><em>c</em>")
def test_the_fast_path_reads_like_the_parser(value: str) -> None:
    assert _SIMPLE.fullmatch(value)  # these all take the fast path
    assert html_to_text(value) == _parsed(value, None)


@given(st.lists(simple, max_size=20), breakers, st.integers(0, 20))
def test_anything_else_goes_to_the_parser(parts: list[str], breaker: str, at: int) -> None:
    parts.insert(min(at, len(parts)), breaker)
    value = "".join(parts)
    assert html_to_text(value) == _parsed(value, None)


def test_typical_anki_fields() -> None:
    assert html_to_text("Q: what does the <b>component</b> do?") == "Q: what does the **component** do?"
    assert html_to_text(" Answer.<br>Line <i>two</i>.<br/> ") == "Answer.\nLine *two*."
    assert html_to_text("<code>x > 1</code>") == "`x > 1`"
    assert html_to_text("<b>a</b>\xa0b\nc &amp; d") == "**a** b c & d"  # the parser tidies these
