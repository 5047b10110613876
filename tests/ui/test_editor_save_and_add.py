"""Save and add another (ctrl+n): the next card starts from the cleared form, so Esc on it asks
only after a change (the kind, tags and deck the form keeps are no change)."""

from __future__ import annotations

import pytest
from textual.widgets import Input, Select, TextArea

from retain.ui.screens.confirm import ConfirmScreen
from retain.ui.screens.editor import EditorScreen
from retain.ui.screens.home import HomeScreen

from .conftest import OpenApp


@pytest.fixture(autouse=True)
def check_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(EditorScreen, "CHECK_DELAY", 0)


async def _add_card(app, pilot) -> EditorScreen:  # type: ignore[no-untyped-def]
    await pilot.press("down", "c")  # add a card to Apache Kafka
    for _ in range(100):
        if isinstance(app.screen, EditorScreen):
            break
        await pilot.pause(0.02)
    assert isinstance(app.screen, EditorScreen)
    return app.screen


async def _save_a_tagged_cloze_in_redis(editor: EditorScreen, pilot) -> None:  # type: ignore[no-untyped-def]
    """The first card of a series: a cloze, tagged, moved to the Redis deck; then ctrl+n."""
    editor.query_one("#form-deck", Select).value = "redis"
    editor.query_one("#form-kind", Select).value = "cloze"
    await pilot.pause()
    editor.query_one("#form-text", TextArea).load_text("Redis keeps data {{c1::in memory}}.")
    editor.query_one("#form-tags", Input).value = "storage, basics"
    await pilot.pause()
    await pilot.press("ctrl+n")  # saved; an empty cloze form, tags and deck kept
    await pilot.pause()
    assert len(editor.saved) == 1
    assert editor.query_one("#form-text", TextArea).text == ""
    assert editor.query_one("#form-kind", Select).value == "cloze"
    assert editor.query_one("#form-deck", Select).value == "redis"
    assert editor.query_one("#form-tags", Input).value == "storage, basics"


async def test_escape_on_the_untouched_next_card_closes_without_asking(open_app: OpenApp) -> None:
    """Esc after ctrl+n asked "Discard changes?" though nothing was typed: the form's kind, tags
    and deck were compared with the card the editor opened with."""
    app = open_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await _save_a_tagged_cloze_in_redis(await _add_card(app, pilot), pilot)
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, ConfirmScreen), "Esc on the untouched next card asks to discard it"
        assert isinstance(app.screen, HomeScreen)


async def test_escape_after_typing_on_the_next_card_still_asks(open_app: OpenApp) -> None:
    app = open_app()
    async with app.run_test(size=(100, 30)) as pilot:
        editor = await _add_card(app, pilot)
        await _save_a_tagged_cloze_in_redis(editor, pilot)
        editor.query_one("#form-text", TextArea).load_text("Redis {{c1::AOF}} logs every write.")
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
