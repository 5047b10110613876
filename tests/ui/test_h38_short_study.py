"""A short terminal (40x10) shows the card's question on the front.

The blank rating bar kept its 3 rows before the reveal, the card its top margin and a cram its
mode line on two rows: at 40x10 a typed card (its answer box) and any card of a cram showed the
deck line and nothing of the question (Down scrolled it into view). A short screen now gives
those rows to the card; any other size keeps the usual layout.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Input

from retain.core.custom_study import CustomStudy
from retain.ui.screens.study import StudyScreen
from retain.ui.widgets.card_view import CardView
from retain.ui.widgets.progress_header import one_row
from retain.ui.widgets.rating_bar import RatingBar

from .conftest import OpenApp
from .screen import screen_text, until

LONG_NAME = """format = 1

[deck]
id = "lg"
name = "Apache Kafka Internals"

[[cards]]
id = "q1"
front = "QUESTION-ONE: what splits a topic?"
back = "partitions"

[[cards]]
id = "q3"
kind = "typed"
front = "QUESTION-THREE: typed?"
back = "yes"
"""
CRAM = CustomStudy("cram", deck_ids=("lg",), label="Apache Kafka Internals")


def study(app: object) -> StudyScreen:
    screen = app.screen  # type: ignore[attr-defined]
    assert isinstance(screen, StudyScreen), type(screen)
    return screen


def _question_shown(app: object) -> bool:
    unit = study(app).session.current
    assert unit is not None
    first = " ".join(unit.front.replace("*", "").split()[:3])  # (its first words: its first row at 40)
    return first in screen_text(app)  # type: ignore[arg-type]


async def test_a_typed_cards_question_shows_at_40x10(open_app: OpenApp) -> None:
    app = open_app(["consul"], start_in_review=True)
    async with app.run_test(size=(40, 10)) as pilot:
        await pilot.pause()
        screen = study(app)
        assert screen.query_one("#answer", Input).display
        assert await until(pilot, lambda: _question_shown(app)), screen_text(app)
        assert "Type the answer" in screen_text(app) or "Answer" in screen_text(app)
        # the reveal: the buttons come back with their rows, and the answer box is gone
        await pilot.press("x", "enter")
        await pilot.pause()
        assert await until(pilot, lambda: "Again" in screen_text(app) or "1 " in screen_text(app))
        bar = screen.query_one(RatingBar)
        assert bar.display and bar.shown and bar.region.height == 3


@pytest.mark.parametrize("deck", ["lg", "kafka"])
async def test_a_cram_sessions_question_shows_at_40x10(
    open_app: OpenApp, retain_home: Path, deck: str
) -> None:
    """The cram's mode line stays on one row, the deck name shortened: "Cram · Apache Ka… ·
    schedule untouched", with the counts under it."""
    (retain_home / "decks" / "lg.toml").write_text(LONG_NAME, encoding="utf-8")
    app = open_app()
    custom = CRAM if deck == "lg" else CustomStudy("cram", deck_ids=("kafka",), label="Apache Kafka")
    async with app.run_test(size=(40, 10)) as pilot:
        await pilot.pause()
        app.start_custom_study(custom)
        await pilot.pause()
        await pilot.pause()
        for _ in range(2):  # a basic card, then the typed one (its answer box too)
            assert await until(pilot, lambda: _question_shown(app)), screen_text(app)
            rows = screen_text(app).splitlines()
            assert rows[0].strip().startswith("Cram · ") and rows[0].strip().endswith("schedule untouched")
            assert rows[1].lstrip().startswith("New "), rows
            unit = study(app).session.current
            assert unit is not None
            if unit.kind == "typed":
                await pilot.press("x", "enter")
            else:
                await pilot.press("space")
            await pilot.pause()
            assert await until(pilot, lambda: study(app).query_one(RatingBar).shown)
            assert study(app).query_one(RatingBar).region.height == 3
            if deck != "lg":
                break
            await pilot.press("3")
            await pilot.pause()


async def test_the_usual_layout_comes_back_at_a_usual_size(open_app: OpenApp) -> None:
    """80x24 -> 40x10 -> 80x24 on a typed card's front: the question shows at each size; at 80x24
    the card has its top margin and the blank rating bar its rows, as before."""
    app = open_app(["consul"], start_in_review=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = study(app)

        def usual() -> bool:
            bar = screen.query_one(RatingBar)
            view = screen.query_one(CardView)
            return not screen.has_class("-short") and bar.region.height == 3 and view.styles.margin.top == 1

        assert usual() and _question_shown(app)
        await pilot.resize_terminal(40, 10)
        assert await until(pilot, lambda: screen.has_class("-short") and _question_shown(app)), screen_text(
            app
        )
        assert not screen.query_one(RatingBar).display
        await pilot.resize_terminal(80, 24)
        assert await until(pilot, usual), screen_text(app)
        assert _question_shown(app)


@pytest.mark.parametrize(
    ("mode", "width", "shown"),
    [
        (
            "Cram · Apache Kafka Internals · schedule untouched",
            60,
            "Cram · Apache Kafka Internals · schedule untouched",
        ),
        ("Cram · Apache Kafka Internals · schedule untouched", 38, "Cram · Apache Ka… · schedule untouched"),
        ("Custom study · search: kind:typed deck:consul", 30, "Custom study · search: kind:t…"),
        ("Cram · Apache Kafka · schedule untouched", 38, "Cram · Apache Ka… · schedule untouched"),
        ("Cram · Apache Kafka Internals · schedule untouched", 20, "Cram · Apache Kafka…"),
        ("Cram · Apache Kafka Internals · schedule untouched", 1, "C"),
    ],
)
def test_the_mode_line_on_one_row(mode: str, width: int, shown: str) -> None:
    row = one_row(mode, width)
    assert row.plain == shown
    assert row.cell_length <= width
