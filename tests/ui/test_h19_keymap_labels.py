"""Labels that name a key follow `[keymap]` (h19), as the key bar does: with `confirm.yes` on `j`,
the question still said "Suspend (y)", and `y` did nothing; the browser's header, the custom
study menu and the new deck dialog named their shipped keys too."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual.content import Content
from textual.pilot import Pilot

from retain.ui.screens.confirm import ConfirmScreen
from retain.ui.screens.custom_study import CustomStudyScreen
from retain.ui.screens.new_deck import NewDeckScreen

from .conftest import OpenApp, until

KEYMAP = """[keymap]
"confirm.yes" = "j"
"confirm.no" = "k"
"browser.mark" = "x"
"custom_study.ahead" = "z"
"new_deck.cancel" = "ctrl+g"
"""


def _text(app: Any) -> str:
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


async def _settle(pilot: Pilot[None]) -> None:
    for _ in range(3):
        await pilot.pause()


async def test_labels_name_the_remapped_keys(retain_home: Path, open_app: OpenApp) -> None:
    (retain_home / "config.toml").write_text(KEYMAP, encoding="utf-8")
    app = open_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await _settle(pilot)
        answers: list[bool | None] = []
        app.push_screen(ConfirmScreen("Suspend 2 cards?", Content("Sure?"), yes="Suspend"), answers.append)
        await _settle(pilot)
        text = _text(app)
        assert "Suspend (j)" in text and "Cancel (k)" in text and "(y)" not in text, text
        await pilot.press("j")
        await _settle(pilot)
        assert answers == [True]

        app.push_screen(CustomStudyScreen(["kafka"], "Apache Kafka", 0))
        await _settle(pilot)
        assert "z  Study ahead" in _text(app) and "a  Study ahead" not in _text(app)
        await pilot.press("escape")
        await _settle(pilot)

        app.push_screen(NewDeckScreen(lambda *a: None, set()))
        await _settle(pilot)
        assert "Cancel (^g)" in _text(app), _text(app)
        await pilot.press("ctrl+g")
        await _settle(pilot)

        await pilot.press("b")
        await until(lambda: "Browse" in _text(app), pilot)
        await pilot.press("down", "x")
        await _settle(pilot)
        assert "1 marked (x, * for all)" in _text(app), _text(app).splitlines()[0]
