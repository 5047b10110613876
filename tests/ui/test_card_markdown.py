"""`card_markdown` shares one parser and keeps recent cards, yet renders exactly as a fresh Rich Markdown
with the card configuration (`card_parser`, `ui.card_blocks`) does."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from rich.console import Console
from rich.markdown import Markdown

from retain.core.answer.shown import card_parser
from retain.core.mathtext import render_math
from retain.core.sanitize import sanitize
from retain.ui.card_blocks import LINK_URL, CardTable, NumberedItem, inert_links
from retain.ui.card_text import shape_tokens
from retain.ui.text import DARK_CODE_THEME, LIGHT_CODE_THEME, card_markdown

_SAMPLES = [
    "plain words",
    "# Title\n\n**bold** and *em* and `code` and ~~gone~~",
    "line one\nline two",
    "```python\nprint('hi')\n```",
    "| a | b |\n|---|---|\n| 1 | 2 |",
    "- one\n- two\n  1. nested",
    "> quoted [link](https://example.com) <https://ja.wikipedia.org/wiki/東京>",
    "| 日本語 | 読み方 |\n|---|---|\n| 私は毎朝コーヒーを飲みます | わたしはまいあさこーひーをのみます |",
    "![181 Fremont.jpg](181%20Fremont.jpg)",
    "Euler: $e^{i\\pi} = -1$ and $$\\frac{1}{72}$$",
]


def _render(renderable: Markdown) -> str:
    console = Console(width=50, record=True, color_system="truecolor", legacy_windows=False)
    console.print(renderable)
    return console.export_text(styles=True)


def _reference(text: str, *, dark: bool) -> Markdown:
    md = Markdown("", code_theme=DARK_CODE_THEME if dark else LIGHT_CODE_THEME, hyperlinks=False)
    vars(md).update(  # the card configuration: `ui.card_blocks`
        elements={**Markdown.elements, "table_open": CardTable, "list_item_open": NumberedItem},
        inlines=Markdown.inlines | {LINK_URL},
    )
    md.markup = sanitize(render_math(text))
    md.parsed = card_parser().parse(md.markup)
    shape_tokens(md.parsed)
    inert_links(md.parsed)
    return md


def test_renders_like_a_fresh_rich_markdown() -> None:
    for text in _SAMPLES:
        for dark in (True, False):
            assert _render(card_markdown(text, dark=dark)) == _render(_reference(text, dark=dark)), text


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet="ab *_`#>-|\n[]()!~$\\{}^", max_size=60))
def test_any_text_renders_like_a_fresh_rich_markdown(text: str) -> None:
    assert _render(card_markdown(text)) == _render(_reference(text, dark=True))


def test_recent_cards_are_parsed_once_and_themes_kept_apart() -> None:
    first = card_markdown("kept **card**")
    assert card_markdown("kept **card**") is first
    light = card_markdown("kept **card**", dark=False)
    assert light is not first and light.code_theme == LIGHT_CODE_THEME
    assert first.code_theme == DARK_CODE_THEME and first.hyperlinks is False


def test_html_in_card_text_is_shown_as_typed() -> None:
    """Rich drops HTML tokens: `What does <br> do?` showed as "What does  do?", and a back of
    `<div>A block element</div>` as nothing at all (the Anki export shows both literally)."""
    shown = _render(card_markdown("What does <br> do?\n\n<div>A block element</div>"))
    assert "What does <br> do?" in shown and "<div>A block element</div>" in shown
