"""A week of daily use (h7): what the study screens say when a daily limit holds cards back and
the next card is due right at the rollover (a `1d` learning step is due at the study day's start)."""

from __future__ import annotations

from pathlib import Path

from retain.ui.screens.summary import SummaryScreen

from .conftest import OpenApp
from .test_h5_time import wait_for
from .test_study_day import study_day_one

ONE_DAY_STEP = '[study]\nfuzz = false\nnew_per_day = 1\nlearning_steps = ["1d"]\n'


async def test_nothing_due_names_the_limit_when_a_day_step_is_due_at_the_rollover(
    retain_home: Path, open_app: OpenApp
) -> None:
    """Today's one new card rated Good: its `1d` step is due at 4 am, when the limit lifts too.
    "Nothing due — next card in 16h" left the limit unsaid (it was said only when the next card
    came later than the rollover)."""
    (retain_home / "config.toml").write_text(ONE_DAY_STEP, encoding="utf-8")
    study_day_one(rating=1)
    app = open_app(["kafka"], start_in_review=True)
    async with app.run_test(size=(100, 30)) as pilot:
        text = await wait_for(app, pilot, "Nothing due")
        assert "Nothing due — daily limit reached; more in 16h" in text, text


async def test_the_summary_names_the_limit_when_a_day_step_is_due_at_the_rollover(
    retain_home: Path, open_app: OpenApp
) -> None:
    """The session's one new card rated Good (its `1d` step due at 4 am, with the new cards the
    limit holds back): the summary said "Next due in 16h" with no word of the limit."""
    (retain_home / "config.toml").write_text(ONE_DAY_STEP, encoding="utf-8")
    app = open_app(["kafka"], start_in_review=True)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("space", "1")
        text = await wait_for(app, pilot, "Session summary")
        assert isinstance(app.screen, SummaryScreen)
        assert "Next due  in 16h" in text, text
        assert "Limit     daily limit reached" in text, text
