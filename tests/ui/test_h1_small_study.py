"""The study screen on a small terminal (40x12, 60x15): the reveal brings the answer into view, the
session summary fits, and resizing mid-card keeps the answer reachable."""

from __future__ import annotations

from pathlib import Path

import pytest

from retain.ui.screens.study import StudyScreen
from retain.ui.screens.summary import SummaryScreen
from retain.ui.widgets.card_view import CardView

from .conftest import OpenApp
from .media_decks import write_pics_deck
from .screen import screen_text

LONG_FRONT = (
    'format = 1\n\n[deck]\nid = "longq"\nname = "Long question"\n\n'
    '[[cards]]\nid = "q"\nfront = """'
    + "\n\n".join(f"Question line {n}." for n in range(1, 13))
    + '"""\nback = "THE ANSWER"\n\n'
    '[[cards]]\nid = "t"\nkind = "typed"\nfront = """'
    + "\n\n".join(f"Typed line {n}." for n in range(1, 13))
    + '"""\nback = "raft"\n'
)


async def test_at_40x12_the_reveal_shows_the_answer_below_a_tall_front(open_app: OpenApp) -> None:
    """Kafka's first card (a question and a code block) fills the card's rows at 40x12: the reveal
    showed the same rows, the answer below them, until the learner scrolled."""
    app = open_app(["kafka"], start_in_review=True)
    async with app.run_test(size=(40, 12)) as pilot:
        await pilot.pause()
        assert "Partitioning" not in screen_text(app)
        await pilot.press("space")
        await pilot.pause()
        assert "Partitioning" in screen_text(app), screen_text(app)


async def test_a_long_front_scrolls_to_its_answer_and_the_next_card_starts_at_the_top(
    retain_home: Path, open_app: OpenApp
) -> None:
    (retain_home / "decks" / "longq.toml").write_text(LONG_FRONT, "utf-8")
    app = open_app(["longq"], start_in_review=True)
    async with app.run_test(size=(60, 15)) as pilot:
        await pilot.press("space")
        await pilot.pause()
        text = screen_text(app)
        assert "THE ANSWER" in text, text
        assert "Question line 12." in text, text  # the front's end stays above it (the answer is short)
        await pilot.press("3")
        await pilot.pause()
        view = app.screen.query_one(CardView)
        assert view.scroll_y == 0  # the next card's front from its first line
        # a typed card: the check and the answer come into view the same way
        await pilot.press(*"raft", "enter")
        await pilot.pause()
        text = screen_text(app)
        assert "correct" in text and "raft" in text, text


async def test_a_short_front_keeps_the_card_at_the_top_on_reveal(
    retain_home: Path, open_app: OpenApp
) -> None:
    """The answer's first lines are in view already: no scroll (a long back is read from its top)."""
    back = "\n\n".join(f"Back line {n}." for n in range(1, 30))
    (retain_home / "decks" / "longa.toml").write_text(
        f'format = 1\n[deck]\nid = "longa"\n[[cards]]\nid = "a"\nfront = "Short?"\nback = """{back}"""\n',
        "utf-8",
    )
    app = open_app(["longa"], start_in_review=True)
    async with app.run_test(size=(60, 15)) as pilot:
        await pilot.press("space")
        await pilot.pause()
        view = app.screen.query_one(CardView)
        assert view.scroll_y == 0
        assert "Short?" in screen_text(app) and "Back line 1." in screen_text(app)


async def test_the_session_summary_fits_in_40_columns(open_app: OpenApp) -> None:
    app = open_app(["spanish"], start_in_review=True)
    async with app.run_test(size=(40, 12)) as pilot:
        await pilot.press("space", "4")  # its one card: the summary follows
        await pilot.pause()
        assert isinstance(app.screen, SummaryScreen)
        rows = screen_text(app).splitlines()
        top = next(r for r in rows if "╭" in r)
        bottom = next(r for r in rows if "╰" in r)
        assert top.rstrip().endswith("╮") and bottom.rstrip().endswith("╯"), "\n".join(rows)
        assert any("Studied   1 card" in r for r in rows)


async def test_a_resize_mid_card_keeps_the_answer_and_its_buttons(open_app: OpenApp) -> None:
    """Revealed at 100x30, the terminal shrunk to 40x12 and grown again: the card, its intervals
    and the keys stay whole and the session goes on."""
    app = open_app(["kafka"], start_in_review=True)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("space")
        await pilot.pause()
        for size in ((40, 12), (60, 15), (100, 30)):
            await pilot.resize_terminal(*size)
            await pilot.pause()
            text = screen_text(app)
            assert "<10m" in text, (size, text)
        screen = app.screen
        assert isinstance(screen, StudyScreen)
        await pilot.press("3")
        await pilot.pause()
        assert screen.session.studied == 1


async def test_a_front_with_an_image_scrolls_to_its_answer_at_60x15(
    retain_home: Path, open_app: OpenApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A front with an image (laid out as a flow of widgets) fills 60x15: the back added below it
    comes into view on the reveal."""
    monkeypatch.setenv("RETAIN_IMAGES", "halfcell")
    write_pics_deck(retain_home / "decks")
    app = open_app(["pics"], start_in_review=True)
    async with app.run_test(size=(60, 15)) as pilot:
        for _ in range(200):
            await pilot.pause(0.02)
            if "▀" in screen_text(app):
                break
        assert "A red square" not in screen_text(app)
        await pilot.press("space")
        for _ in range(50):
            await pilot.pause(0.02)
            if "A red square" in screen_text(app):
                break
        assert "A red square" in screen_text(app), screen_text(app)
