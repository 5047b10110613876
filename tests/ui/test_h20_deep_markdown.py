"""Markdown nested deep (a list 10 levels down, 20 quotes) is shown whole, and the text after it.

markdown-it's commonmark preset stops at 20 levels (a list item takes two) and drops the rest of
the card without a word: a list nested 10 deep lost its deepest item and every paragraph after
it; 20 `>` blanked the whole front. An Anki note's HTML lists come in up to 16 deep.
"""

from __future__ import annotations

import pytest
from rich.console import Console

from retain.core.answer.textmode import plain_answer
from retain.ui.text import card_markdown

LIST = "".join("  " * i + f"- item {i}\n" for i in range(16)) + "\nafter the list"
QUOTES = ">" * 30 + " deep\n\nafter the quotes"


def _shown(text: str) -> str:
    console = Console(width=200, file=None, color_system=None)
    return "\n".join(
        "".join(s.text for s in line) for line in console.render_lines(card_markdown(text), console.options)
    )


@pytest.mark.parametrize(
    ("text", "deepest", "after"), [(LIST, "item 15", "after the list"), (QUOTES, "deep", "after the quotes")]
)
def test_deep_markdown_is_shown_whole(text: str, deepest: str, after: str) -> None:
    shown = _shown(text)
    assert deepest in shown and after in shown, shown


def test_a_typed_answer_nested_deep_is_checked_against_its_text() -> None:
    assert plain_answer(">" * 30 + " deep").strip() == "deep"


def test_hostile_nesting_is_still_bounded() -> None:
    """A thousand levels: the text past the bound is not shown, and nothing overflows the stack."""
    shown = _shown(">" * 1000 + " deep\n\nafter")
    assert "deep" not in shown
    assert plain_answer("- " * 1000 + "x") is not None
