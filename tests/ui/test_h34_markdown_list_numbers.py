"""An ordered list item is drawn with its number and a `.` (`1969. Apollo 11`, `1) x` as `1. x`):
what `core.answer.shown` says the card shows, so a typed answer written as the card draws it
counts, and `retain check`'s "shows as" quotes what the screen draws.

Rich drew `1969 Apollo 11`: typing that was only "close" (the answer is compared with
`1969. Apollo 11`), and `retain check` said `1) x` "shows as '1. x'" while the screen drew `1 x`.
"""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st
from rich.console import Console

from retain.core.answer.shown import shown_lines
from retain.core.deckfile import parse_deck
from retain.core.lint import lint_deck
from retain.ui.app import RetainApp

from .conftest import OpenApp
from .screen import screen_text, until


def _lines(text: str, width: int = 100) -> list[str]:
    console = Console(width=width, color_system=None, force_terminal=False, legacy_windows=False)
    from retain.ui.text import card_markdown

    return ["".join(s.text for s in line).strip() for line in console.render_lines(card_markdown(text))]


def test_a_number_keeps_its_dot_on_screen() -> None:
    assert "1969. Apollo 11" in _lines("1969. Apollo 11")
    assert [line for line in _lines("1. one\n2. two\n3. three") if line] == ["1. one", "2. two", "3. three"]


def test_a_parenthesis_number_is_drawn_as_check_says_it_shows() -> None:
    deck = (
        'format = 1\n[deck]\nid = "d"\nname = "D"\n\n[[cards]]\nid = "p"\nkind = "typed"\n'
        'front = "What?"\nback = "1) x"\n'
    )
    parsed = parse_deck(deck, "d.toml")
    assert parsed.deck is not None
    said = [p.message for p in lint_deck(parsed.deck) if "shows as" in p.message]
    assert said and "shows as '1. x'" in said[0], said
    assert "1. x" in _lines("1) x")


_ITEM = st.text(alphabet="abc xyz", min_size=1, max_size=10).map(str.strip).filter(bool)


@settings(max_examples=80, deadline=None)
@given(
    st.integers(min_value=0, max_value=10**6),
    st.sampled_from([".", ")"]),
    st.lists(_ITEM, min_size=1, max_size=12),
)
def test_an_ordered_list_is_drawn_as_shown_lines_says(start: int, mark: str, items: list[str]) -> None:
    markdown = "\n".join(f"{start + i if i == 0 else 1}{mark} {item}" for i, item in enumerate(items))
    drawn = [" ".join(line.split()) for line in _lines(markdown) if line.strip()]
    assert drawn == shown_lines(markdown).split("\n"), markdown


YEARS = """format = 1

[deck]
id = "yr"
name = "Years"

[[cards]]
id = "moon"
kind = "typed"
front = "Year and mission of the first Moon landing?"
back = "1969. Apollo 11"
"""


async def test_typing_the_back_as_the_card_draws_it_is_correct(open_app: OpenApp, retain_home: Path) -> None:
    (retain_home / "decks" / "yr.toml").write_text(YEARS, encoding="utf-8")
    app: RetainApp = open_app(["yr"], start_in_review=True)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press(*"1969. Apollo 11", "enter")
        assert await until(pilot, lambda: "suggested rating" in screen_text(app))
        text = screen_text(app)
        assert "✓ correct" in text, text
        after = text.split("suggested rating", 1)[1]
        assert "1969. Apollo 11" in after and "1969 Apollo 11" not in after, text
