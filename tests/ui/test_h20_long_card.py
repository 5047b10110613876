"""A card of many short lines is shown in bounded time: its first lines, and how many are left out.

A stranger's card `"x\\n" * 60_000` (120 KB, well inside the deck-file limit) took the study screen
20 s and more to show (Rich splits one segment per paragraph line by line, each split copying the
rest: quadratic), `q` waited, and a closed terminal did not stop it.
"""

from __future__ import annotations

from rich.console import Console

from retain.ui.text import MAX_SHOWN_LINES, card_markdown


def _lines(text: str) -> list[str]:
    console = Console(width=100, file=None, force_terminal=False, color_system=None)
    return [
        "".join(s.text for s in line) for line in console.render_lines(card_markdown(text), console.options)
    ]


def test_a_card_of_many_lines_shows_its_first_lines_and_says_how_many_are_left() -> None:
    shown = _lines("x\n" * 60_000 + "last")
    assert len(shown) <= MAX_SHOWN_LINES + 5
    assert sum(1 for s in shown if s.strip() == "x") == MAX_SHOWN_LINES
    assert any(f"{60_001 - MAX_SHOWN_LINES:,} more lines not shown" in s for s in shown), shown[-3:]
    assert not any("last" in s for s in shown)


def test_a_card_within_the_bound_is_shown_whole() -> None:
    shown = _lines("x\n" * (MAX_SHOWN_LINES - 1) + "last")
    assert any("last" in s for s in shown) and not any("not shown" in s for s in shown)
