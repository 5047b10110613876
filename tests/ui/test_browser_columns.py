"""The card browser's columns: the Deck column shows deck ids whole when the terminal has room."""

from __future__ import annotations

from pathlib import Path

from retain.ui.screens.browser import BrowserScreen

from .conftest import OpenApp
from .screen import screen_text

CHAOS = (
    'format = 1\n[deck]\nid = "chaos-engineering"\nname = "Chaos Engineering"\n'
    '[[cards]]\nid = "c1"\nfront = "What is a steady state?"\nback = "Normal output"\n'
)


async def test_a_wide_browser_shows_deck_ids_whole(retain_home: Path, open_app: OpenApp) -> None:
    """At 200 columns the Deck column still cut `chaos-engineering` to `chaos-eng…`; at 80 the
    Front keeps its room."""
    (retain_home / "decks" / "chaos.toml").write_text(CHAOS, encoding="utf-8")
    app = open_app()
    async with app.run_test(size=(200, 30)) as pilot:
        await pilot.press("b")
        await pilot.pause(0.3)
        assert isinstance(app.screen, BrowserScreen)
        rows = [line for line in screen_text(app).splitlines() if "What is a steady state?" in line]
        assert rows and rows[0].split()[0] == "chaos-engineering", rows
        await pilot.resize_terminal(80, 30)
        await pilot.pause(0.3)
        rows = [line for line in screen_text(app).splitlines() if line.startswith(" chaos-eng")]
        assert rows and rows[0].split()[:3] == ["chaos-eng…", "What", "is"], rows
