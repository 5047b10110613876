"""Settings saved from a study session (palette: Browse cards, then Settings) reach that session at
once: the next card's steps, and the daily limits (docs/settings.md, "Effect")."""

from __future__ import annotations

from textual.pilot import Pilot
from textual.widgets import Input

from retain.ui.app import RetainApp
from retain.ui.authoring import open_browser
from retain.ui.screens.study import StudyScreen

from .conftest import FIXED_NOW, OpenApp


async def settle(pilot: Pilot[None]) -> None:
    for _ in range(3):
        await pilot.pause()


async def save_study_setting_from_the_session(
    pilot: Pilot[None], app: RetainApp, field_id: str, value: str
) -> None:
    """From the study screen: Browse cards, then Settings; type `value` into the preset's field,
    ctrl+s, and Esc twice back to the session."""
    open_browser(app)
    await settle(pilot)
    app.action_settings()
    await settle(pilot)
    screen = app.screen
    await screen.action_show_tab("tab-presets")  # type: ignore[attr-defined]
    await settle(pilot)
    field = screen.query_one(f"#preset-grid #field-{field_id}", Input)
    field.focus()
    field.value = ""
    await pilot.press(*value)
    await pilot.press("ctrl+s")
    await settle(pilot)
    await pilot.press("escape")
    await pilot.pause()
    await pilot.press("escape")
    await pilot.pause()


def session_of(app: RetainApp) -> StudyScreen:
    screen = app.screen
    assert isinstance(screen, StudyScreen)
    return screen


async def test_learning_steps_saved_during_a_session_reach_its_next_card(open_app: OpenApp) -> None:
    """Steps 1m 10m -> 30m 2h, saved mid-session: the next new card offers Again <30m / Good 2h."""
    app = open_app(["kafka"], start_in_review=True)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("space", "4")  # kafka/partitions, Easy: kafka's scheduler is in use
        await save_study_setting_from_the_session(pilot, app, "learning_steps", "30m 2h")
        steps = app.collection.settings_for("kafka").learning_steps
        assert [s.total_seconds() for s in steps] == [1800, 7200]
        session = session_of(app).session
        assert session.current is not None and session.current.key == "kafka/isr"
        labels = session.labels(FIXED_NOW)
        assert (labels[1], labels[3]) == ("<30m", "2h"), labels


async def test_new_limit_lowered_during_a_session_stops_its_new_cards(open_app: OpenApp) -> None:
    """Two new cards studied, new_per_day then set to 1: the card on screen is the last new one."""
    app = open_app(["kafka"], start_in_review=True)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("space", "4", "space", "4")
        await save_study_setting_from_the_session(pilot, app, "new_per_day", "1")
        assert app.collection.settings_for("kafka").new_per_day == 1
        assert app.collection.due_counts(FIXED_NOW)["kafka"].new == 0
        await pilot.press("space", "4")  # kafka/acks, on screen when the limit changed
        await pilot.pause()
        screen = app.screen
        current = screen.session.current if isinstance(screen, StudyScreen) else None
        assert current is None, f"a fourth new card with new_per_day = 1: {current}"
