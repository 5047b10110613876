"""A question's buttons are all on screen (h19): the settings' "config.toml changed on disk"
question has four long choices, and at 64 columns its box cut the row: "Keep editing" was not
drawn at any terminal width, though Tab could focus it."""

from __future__ import annotations

from typing import Any

import pytest
from textual.app import App
from textual.content import Content

from retain.ui.screens.confirm import ChoiceScreen

CHOICES = [
    ("mine", "Apply mine to theirs"),
    ("overwrite", "Overwrite with mine"),
    ("theirs", "Use theirs"),
    ("edit", "Keep editing"),
]


class _Asks(App[None]):
    def on_mount(self) -> None:
        self.push_screen(ChoiceScreen("config.toml changed on disk", Content("Someone changed it."), CHOICES))


def _text(app: App[Any]) -> str:
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


@pytest.mark.parametrize("width", [200, 80, 40])
async def test_every_choice_is_drawn(width: int) -> None:
    app = _Asks()
    async with app.run_test(size=(width, 30)) as pilot:
        await pilot.pause()
        text = _text(app)
        for _value, label in CHOICES:
            assert label in text, (width, text)
        await pilot.press("tab", "tab", "tab", "enter")
        await pilot.pause()
    assert app.return_value is None
