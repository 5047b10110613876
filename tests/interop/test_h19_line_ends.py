"""A lone CR in an Anki field is a line end, as CR LF and LF are (h19): HTML reads all three
as one. retain deleted it: "one\\rtwo" became "onetwo", and two lines of a `<pre>` one."""

from __future__ import annotations

from hypothesis import example, given
from hypothesis import strategies as st

from retain.interop.html import _parsed, html_to_text

parts = st.sampled_from(
    [
        "one",
        "two",
        " ",
        "\n",
        "\n\n",
        "<pre>",
        "</pre>",
        "<b>",
        "</b>",
        "<br>",
        "<div>",
        "</div>",
        "&amp;",
        "*",
        "x",
    ]
)


@given(st.lists(parts, max_size=25).map("".join))
@example("one\ntwo")
@example("<pre>line_a\nline_b</pre>")
def test_every_line_end_reads_alike(value: str) -> None:
    lf = html_to_text(value)
    assert html_to_text(value.replace("\n", "\r")) == lf
    assert html_to_text(value.replace("\n", "\r\n")) == lf
    assert _parsed(value.replace("\n", "\r"), None) == _parsed(value, None)


def test_a_lone_cr_keeps_words_and_code_lines_apart() -> None:
    assert html_to_text("one\rtwo") == "one two"
    assert html_to_text("<pre>line_a\rline_b</pre>") == html_to_text("<pre>line_a\nline_b</pre>")
    assert "line_a\nline_b" in html_to_text("<pre>line_a\rline_b</pre>")
