"""A small terminal (60x15, the smallest the app is laid out for): what must stay readable."""

from __future__ import annotations

import re
from pathlib import Path

from textual.binding import Binding

from retain.ui.app import binding_sections
from retain.ui.screens.help import HelpScreen

from .conftest import OpenApp
from .screen import screen_text


async def test_many_warnings_leave_the_deck_list_visible_at_60x15(
    retain_home: Path, open_app: OpenApp
) -> None:
    """Nine decks each with a skipped card: at 60x15 the warnings took every row, the title and the
    deck list were pushed off the screen."""
    for i in range(9):
        (retain_home / "decks" / f"skip{i}.toml").write_text(
            f'format = 1\n[deck]\nid = "skip{i}"\nname = "Skip {i}"\n[[cards]]\nid = 3\n', "utf-8"
        )
        (retain_home / "decks" / f"broken{i}.toml").write_text("format = [\n", "utf-8")
    app = open_app()
    async with app.run_test(size=(60, 15)) as pilot:
        await pilot.pause()
        text = screen_text(app)
        assert "card skipped" in text
        assert text.splitlines()[0].lstrip().startswith("retain"), text
        assert "Distributed Systems Interview" in text and "Apache Kafka" in text, text
        assert "Broken decks (9)" in text, text


async def test_help_keeps_every_binding_id_whole_at_60_columns(open_app: OpenApp) -> None:
    """At 60 columns the help wrapped binding ids mid-word (`export.cance` / `l`): the id to put in
    `[keymap]` could not be read."""
    every_id = {
        b.id for _title, items in binding_sections() for b in items if isinstance(b, Binding) and b.id
    }
    app = open_app()
    async with app.run_test(size=(60, 400)) as pilot:
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        text = screen_text(app)
        shown = set(re.findall(r"(?<![\w.])[a-z_]+\.[a-z_]+(?![\w.])", text))
        assert every_id <= shown, sorted(every_id - shown)
        await pilot.resize_terminal(120, 400)  # wide again: one line per row, as before
        await pilot.pause()
        assert re.search(r"Custom study\s+home\.custom_study", screen_text(app))
