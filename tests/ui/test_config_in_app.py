"""The app and config.toml: keymap conflicts said at start, the palette's theme saved (comments kept).

Only the app's public surface is used here, so these tests also run against the code before
the settings screen (where they fail: the conflict was silent, the theme forgotten).
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from textual.pilot import Pilot

from retain.ui.app import RetainApp

from .conftest import OpenApp

CONFIG = "# mine\n[study]\nfuzz = false  # snapshots\n"


async def settle(pilot: Pilot[None]) -> None:
    for _ in range(3):
        await pilot.pause()


async def test_a_conflicting_keymap_is_reported_at_start(retain_home: Path, open_app: OpenApp) -> None:
    (retain_home / "config.toml").write_text(CONFIG + '[keymap]\n"home.browse" = "q"\n')
    app = open_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        said = [n.message for n in app._notifications]
        assert any("`q` is both Browse (home.browse) and Quit (app.quit)" in m for m in said), said


async def test_a_keymap_without_conflicts_says_nothing(retain_home: Path, open_app: OpenApp) -> None:
    (retain_home / "config.toml").write_text(CONFIG + '[keymap]\n"home.browse" = "B"\n')
    app = open_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert list(app._notifications) == []


def _pick_theme(app: RetainApp, name: str) -> None:
    """What the palette's theme list does when a theme is chosen (textual.theme.ThemeProvider)."""
    app.theme = name


async def test_the_theme_chosen_from_the_palette_is_saved(retain_home: Path, open_app: OpenApp) -> None:
    path = retain_home / "config.toml"
    path.write_text(CONFIG)
    app = open_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert path.read_text() == CONFIG  # starting the app writes nothing
        _pick_theme(app, "nord")
        await settle(pilot)
        assert tomllib.loads(path.read_text())["theme"] == "nord"
        assert "# mine" in path.read_text() and "fuzz = false  # snapshots" in path.read_text()
    app2 = open_app()
    async with app2.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert app2.theme == "nord"  # remembered


async def test_a_theme_is_not_saved_over_a_broken_file(retain_home: Path, open_app: OpenApp) -> None:
    path = retain_home / "config.toml"
    path.write_text(CONFIG)
    app = open_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        path.write_text("[study\n")  # broken on disk meanwhile
        _pick_theme(app, "nord")
        await settle(pilot)
        assert path.read_text() == "[study\n"
        assert any("Theme not saved" in n.message for n in app._notifications)
