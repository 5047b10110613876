"""The home screen's `Today … · streak …` fits a narrow terminal, with a gap after the title."""

from __future__ import annotations

import pytest

from retain.ui.screens.home import HomeScreen, today_content

from .conftest import OpenApp
from .screen import screen_text


@pytest.mark.parametrize(
    ("width", "shown"),
    [
        (100, "Today 1 review  ·  streak 1 day"),
        (40, "Today 1 · streak 1 day"),
        (30, "Today 1 · 1d"),
    ],
)
async def test_the_title_and_today_share_the_top_line(open_app: OpenApp, width: int, shown: str) -> None:
    app = open_app(["kafka"], start_in_review=True)
    async with app.run_test(size=(width, 20)) as pilot:
        await pilot.press("space", "3", "escape", "enter")
        for _ in range(5):
            await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        screen = next(s for s in app.screen_stack if isinstance(s, HomeScreen))
        assert app.screen is screen and screen.progress == (1, 1)
        top = screen_text(app).splitlines()[0].strip()
        assert top.startswith("retain  ") and top.endswith(f"  {shown}"), top  # a gap, nothing cut


@pytest.mark.parametrize("progress", [None, (0, 0), (1, 1), (12345, 999), (10**6, 10**4)])
def test_each_width_takes_the_longest_form_that_fits(progress: tuple[int, int] | None) -> None:
    forms = sorted({today_content(progress, w).plain for w in range(1, 80)}, key=len, reverse=True)
    assert forms[0] == today_content(progress).plain and len(forms) >= 2
    for width in range(1, 80):
        shown = today_content(progress, width).plain
        fitting = [f for f in forms if len(f) <= width]
        assert shown == (fitting[0] if fitting else forms[-1]), (width, shown)
