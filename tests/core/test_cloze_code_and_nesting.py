"""A revealed cloze answer shows no stray `**` where Markdown cannot emphasise; nested clozes are refused."""

from __future__ import annotations

from pathlib import Path

import pytest
from rich.console import Console

from retain.core.cloze import cloze_numbers, deletions, nesting_problem, render_all, render_back
from retain.ui.text import card_markdown


def _shown(markdown: str) -> str:
    console = Console(width=76, record=True, color_system=None)
    console.print(card_markdown(markdown))
    return console.export_text()


@pytest.mark.parametrize(
    "text",
    [
        "List pods with `kubectl {{c1::get}} pods`.",
        "Run:\n\n```\nkubectl {{c1::get}} pods\n```",
        "Run:\n\n    kubectl {{c1::get}} pods\n",
        "The leader is chosen by {{c1:: Raft }} consensus.",
        "the {{c1::(ISR)}}s list",
        "x{{c1::(ISR)}} list",
        "one {{c1::first\n\nsecond}} two",
    ],
)
def test_the_revealed_answer_shows_no_asterisks(text: str) -> None:
    back = render_back(text, 1)
    assert "**" not in _shown(back), back


def test_the_answer_is_still_emphasised_where_markdown_can() -> None:
    assert render_back("chosen by {{c1:: Raft }} consensus", 1) == "chosen by  **Raft**  consensus"
    assert render_back("the {{c1::(ISR)}} list and `{{c2::x}}`", 1) == "the **(ISR)** list and `x`"
    assert render_back("a {{c1::b}} c", 1) == "a **b** c"
    assert render_back("`{{c1::x}}` and {{c1::y}}", 1) == "`x` and **y**"


def test_nested_cloze_is_refused_with_a_clear_message() -> None:
    text = "Nested {{c1::outer {{c2::inner}} text}} end."
    assert nesting_problem(text) == (
        7,
        "nested cloze deletions are not supported: close {{c1::...}} before opening {{c2::...}}",
    )
    assert cloze_numbers(text) == [] and render_all(text) == [] and deletions(text) == []
    assert nesting_problem("{{c1::a}} {{c2::b}} {{c1::a {{c99999::x}}") is None


def test_check_says_a_nested_cloze_is_not_supported(tmp_path: Path) -> None:
    from retain.core.deckfile import parse_deck

    text = (
        'format = 1\n[deck]\nid = "d"\nname = "D"\n\n[[cards]]\nid = "nested"\nkind = "cloze"\n'
        'text = "Nested {{c1::outer {{c2::inner}} text}} end."\n'
    )
    result = parse_deck(text, "d.toml")
    errors = [p for p in result.problems if p.severity == "error"]
    assert [p.message for p in errors] == [
        "cloze card 'nested': nested cloze deletions are not supported: close {{c1::...}} before opening {{c2::...}}"
    ]
    assert errors[0].line == 9
