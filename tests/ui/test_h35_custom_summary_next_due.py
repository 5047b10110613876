"""The summary of a cram (any custom study) names when normal study serves the next card of its
decks, as a daily session's summary and the home screen do: "now" while the deck has new cards
ready; at the rollover, with the limit named, when today's limit holds them back."""

from __future__ import annotations

from pathlib import Path

from retain.core.custom_study import CustomStudy
from retain.ui.screens.study import StudyScreen
from retain.ui.screens.summary import SummaryScreen

from .conftest import FIXED_NOW, OpenApp
from .screen import screen_text

CRAM = CustomStudy("cram", deck_ids=("kafka",), label="Apache Kafka")


def _summary_rows(text: str) -> dict[str, str]:
    """The summary box's rows by label ("Next due": "now"), the box's borders left out."""
    rows: dict[str, str] = {}
    for line in text.splitlines():
        words = line.replace("│", " ").replace("|", " ").split(None, 2)
        if len(words) >= 3 and words[:2] == ["Next", "due"]:
            rows["Next due"] = words[2].strip()
        elif len(words) >= 2 and words[0] == "Limit":
            rows["Limit"] = " ".join(words[1:]).strip()
    return rows


async def _cram_two_then_end(open_app: OpenApp) -> str:
    app = open_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        app.start_custom_study(CRAM)
        await pilot.pause()
        assert isinstance(app.screen, StudyScreen)
        await pilot.press("space", "3", "space", "3", "escape")
        await pilot.pause()
        assert isinstance(app.screen, SummaryScreen), type(app.screen)
        return screen_text(app)


async def test_a_cram_of_a_deck_with_new_cards_says_next_due_now(open_app: OpenApp) -> None:
    """Kafka's five cards are new; two crammed (they stay new): `retain due` counts five new in
    kafka now, so the summary says "Next due now" (it said "nothing scheduled")."""
    text = await _cram_two_then_end(open_app)
    assert _summary_rows(text).get("Next due") == "now", text


async def test_a_cram_after_the_days_new_limit_says_the_rollover_and_the_limit(
    open_app: OpenApp, retain_home: Path
) -> None:
    """Kafka's new limit (2) used up by a daily session: the cram's summary says, as the daily
    session's does, that the held-back new cards come at the rollover (04:00, 16 h after noon)."""
    config = retain_home / "config.toml"
    config.write_text(config.read_text("utf-8") + "\n[decks.kafka]\nnew_per_day = 2\n", "utf-8")
    app = open_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        app.start_study(["kafka"], "Apache Kafka")
        await pilot.pause()
        await pilot.press("space", "4", "space", "4")  # the day's two new cards: Easy, due in days
        await pilot.pause()
        assert isinstance(app.screen, SummaryScreen)
        daily = _summary_rows(screen_text(app))
        await pilot.press("escape")
        await pilot.pause()
        assert app.collection.due_counts(FIXED_NOW)["kafka"].total == 0
        app.start_custom_study(CRAM)
        await pilot.pause()
        assert isinstance(app.screen, StudyScreen)
        await pilot.press("space", "3", "escape")
        await pilot.pause()
        assert isinstance(app.screen, SummaryScreen)
        text = screen_text(app)
    assert daily == {"Next due": "in 16h", "Limit": "daily limit reached"}, daily
    assert _summary_rows(text) == daily, text
