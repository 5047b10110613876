"""The question side of a cloze: the placeholder `[...]` / `[hint]` shows as brackets, never as
Markdown link syntax that swallows it or the line (hunt 9)."""

from __future__ import annotations

import pytest
from rich.console import Console

from retain.core.cloze import render_all, render_back, render_front
from retain.ui.text import card_markdown


def _shown(markdown: str) -> str:
    """The card text as the study screen draws it, one line."""
    console = Console(width=200, record=True, color_system=None)
    console.print(card_markdown(markdown))
    return " ".join(console.export_text().split())


@pytest.mark.parametrize(
    ("text", "shows"),
    [
        ("{{c1::SSH}}: 22", "[...]: 22"),  # `[...]: 22` alone is a link reference definition
        ("{{c1::len::a builtin}}(s) counts the items of s", "[a builtin](s) counts"),  # an inline link
        ("{{c1::x}}[1] is a footnote", "[...][1] is"),  # a reference link
        ("{{c1::x::a [b] c}} d", "[a [b] c] d"),  # brackets in the hint
        ("{{c1::x}}{{c1::y}}(z)", "[...][...](z)"),  # the next deletion's placeholder follows
        ("See {{c1::the docs::ref}}.\n\n[ref]: https://example.org", "See [ref]."),  # a defined label
        ("{{c1::x::a\\\\}}(y)", "[a\\](y)"),  # a hint ending in a backslash
    ],
)
def test_a_placeholder_markdown_would_read_as_a_link_shows_as_brackets(text: str, shows: str) -> None:
    front = render_front(text, 1)
    assert shows in _shown(front), front


@pytest.mark.parametrize(
    ("text", "front"),
    [
        ("The {{c1::Raft}} algorithm", "The [...] algorithm"),
        ("The {{c1::Raft::consensus}} algorithm", "The [consensus] algorithm"),
        ("Port of {{c1::SSH}}? 22", "Port of [...]? 22"),
        ("`{{c1::len}}(s)` counts", "`[...](s)` counts"),  # in code the brackets show as written
        ("```\n{{c1::x}}: 1\n```", "```\n[...]: 1\n```"),
        ("${{c1::f}}(x) = x^2$", "$[...](x) = x^2$"),  # in math: converted as math
    ],
)
def test_a_placeholder_is_escaped_only_where_markdown_would_misread_it(text: str, front: str) -> None:
    """The front is the text the browser's front column shows raw: it changes only where it must."""
    assert render_front(text, 1) == front


def test_math_and_code_around_an_escaped_placeholder_still_render() -> None:
    text = "${{c1::f}}(x) = x^2$ where {{c1::f}}(x) is `{{c2::g}}(x)`"
    front = render_front(text, 1)
    assert front == "$[...](x) = x^2$ where \\[...\\](x) is `g(x)`"
    assert "[...](x) = x² where [...](x) is g(x)" in _shown(front)


def test_the_back_and_other_numbers_are_unchanged() -> None:
    text = "{{c1::SSH}}: 22, {{c2::HTTP}}: 80"
    assert render_back(text, 1) == "**SSH**: 22, HTTP: 80"
    assert [front for _, front, _ in render_all(text)] == [
        "\\[...\\]: 22, HTTP: 80",
        "SSH: 22, \\[...\\]: 80",
    ]
