"""h36 (attacker 52): a custom-study option that wraps goes on under its text, not under its key.

At 80 columns, with the bundled group selected, the Cram line read `c  Cram Distributed Systems
Interview without touching its` and went on with `schedule` in the key's column."""

from __future__ import annotations

import re

from retain.ui.screens.custom_study import CustomStudyScreen

from .conftest import OpenApp
from .screen import screen_text


async def test_the_cram_line_wraps_under_its_text(open_app: OpenApp) -> None:
    app = open_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("C")
        assert isinstance(app.screen, CustomStudyScreen)
        lines = screen_text(app).splitlines()
        at = next(i for i, text in enumerate(lines) if "c  Cram " in text)
        column = lines[at].index("Cram")
        follow = lines[at + 1]
        assert "schedule" in lines[at] + follow, lines[at : at + 2]
        if "schedule" in follow:  # (wrapped: the rest starts where the text does)
            assert re.match(r"\s*$", follow[:column][follow[:column].rfind("▊") + 1 :]), follow
            assert follow[column:].startswith("schedule") or follow[column] != " ", follow
        await pilot.press("c")
        assert not isinstance(app.screen, CustomStudyScreen)  # (the key still picks it)
