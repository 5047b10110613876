"""The study screen's placeholder and header on a small terminal: nothing cut at 40x15 (the typed
answer's "then press Enter" lost its "Enter"; a custom study's mode line pushed the counts out)."""

from __future__ import annotations

import pytest
from textual.widgets import Input

from retain.core.custom_study import CustomStudy
from retain.ui.screens.study import StudyScreen

from .conftest import OpenApp
from .screen import screen_text


def study(app: object) -> StudyScreen:
    screen = app.screen  # type: ignore[attr-defined]
    assert isinstance(screen, StudyScreen), type(screen)
    return screen


@pytest.mark.parametrize("size", [(40, 15), (32, 15), (60, 15), (100, 30)])
async def test_the_typed_answer_placeholder_is_shown_whole_and_says_enter(
    open_app: OpenApp, size: tuple[int, int]
) -> None:
    app = open_app(["consul"], start_in_review=True)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        answer = study(app).query_one("#answer", Input)
        assert answer.display and not answer.value
        text = screen_text(app)
        assert answer.placeholder in text, (answer.placeholder, text)
        assert answer.placeholder.endswith("Enter")
        if size[0] >= 60:  # room for the whole sentence
            assert answer.placeholder == "Type the answer, then press Enter"
        # the next typed card after a resize: the placeholder follows the new width
        await pilot.resize_terminal(100, 30)
        await pilot.pause()
        await pilot.pause()
        assert answer.placeholder == "Type the answer, then press Enter"
        assert answer.placeholder in screen_text(app)


@pytest.mark.parametrize(
    ("custom", "whole"),
    [
        (CustomStudy("cram", deck_ids=("kafka", "redis"), label="Distributed Systems Interview"), True),
        (CustomStudy("search", query="kind:typed deck:consul"), True),
        (CustomStudy("search", query="(deck:kafka OR deck:redis) is:new -is:suspended -is:buried"), False),
    ],
    ids=["cram", "search", "long-search"],
)
async def test_a_custom_studys_long_mode_line_keeps_the_counts_at_40x15(
    open_app: OpenApp, custom: CustomStudy, whole: bool
) -> None:
    """At 40 columns the cram line "Cram · Distributed Systems Interview · schedule untouched"
    wrapped onto the header's second row, where the counts were: they were not shown at all. The
    mode line takes the rows it needs, two at most (a long query is cut with "…")."""
    app = open_app()
    async with app.run_test(size=(40, 15)) as pilot:
        await pilot.pause()
        app.start_custom_study(custom)
        await pilot.pause()
        await pilot.pause()
        screen = study(app)
        rows = screen_text(app).splitlines()
        counts = next(i for i, row in enumerate(rows) if row.lstrip().startswith("New "))
        assert "Learning " in rows[counts] and "Due " in rows[counts], rows
        assert counts == 2  # the mode line's two rows above it
        said = " ".join(" ".join(rows[:counts]).split())
        mode = " ".join(screen.session.mode.split())
        if whole:
            assert said == mode, rows
        else:
            assert said.endswith("…") and mode.startswith(said[:-1].rstrip()), rows
