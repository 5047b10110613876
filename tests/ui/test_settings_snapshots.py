"""Snapshots of the settings screen at 80x24 (pytest-textual-snapshot): each tab, a bad value, a conflict.

Regenerate with `pytest tests/ui/test_settings_snapshots.py --snapshot-update` and look at the SVGs.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Input, OptionList, Select

from retain.ui.screens.settings import SettingsScreen

from .conftest import OpenApp

pytestmark = pytest.mark.slow

SnapCompare = Any
SIZE = (80, 24)
CONFIG = """\
# my settings
rollover_hour = 5

[study]
fuzz = false
new_per_day = 15
learning_steps = ["1m", "10m", "1h"]

[decks.kafka]
new_per_day = 5
"""


@pytest.fixture
def config(retain_home: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("HOME", str(retain_home))  # the screen shows ~/config.toml: the same every run
    path = retain_home / "config.toml"
    path.write_text(CONFIG)
    return path


async def _settle(pilot: Pilot[None]) -> None:
    for _ in range(4):
        await pilot.pause()
    await pilot.wait_for_scheduled_animations()


async def _open(pilot: Pilot[None], tab: str = "") -> None:
    await _settle(pilot)
    await pilot.press("comma")
    await _settle(pilot)
    if tab:
        screen = pilot.app.screen
        assert isinstance(screen, SettingsScreen)
        await screen.action_show_tab(tab)
        await _settle(pilot)


def test_settings_general(config: Path, open_app: OpenApp, snap_compare: SnapCompare) -> None:
    assert snap_compare(open_app(), terminal_size=SIZE, run_before=_open)


def test_settings_bad_value(config: Path, open_app: OpenApp, snap_compare: SnapCompare) -> None:
    async def run(pilot: Pilot[None]) -> None:
        await _open(pilot)
        pilot.app.screen.query_one("#field-rollover_hour", Input).value = "25"
        await _settle(pilot)

    assert snap_compare(open_app(), terminal_size=SIZE, run_before=run)


def test_settings_presets(config: Path, open_app: OpenApp, snap_compare: SnapCompare) -> None:
    async def run(pilot: Pilot[None]) -> None:
        await _open(pilot, "tab-presets")

    assert snap_compare(open_app(), terminal_size=SIZE, run_before=run)


def test_settings_presets_workload_chart(
    retain_home: Path, open_app: OpenApp, snap_compare: SnapCompare, monkeypatch: pytest.MonkeyPatch
) -> None:
    from textual.containers import VerticalScroll

    from .workload_fixture import add_history

    monkeypatch.setenv("HOME", str(retain_home))
    add_history(retain_home)

    async def run(pilot: Pilot[None]) -> None:
        await _open(pilot, "tab-presets")
        pilot.app.screen.query_one("#preset-pick", Select).value = "fitted"
        await _settle(pilot)
        await pilot.app.workers.wait_for_complete()
        await _settle(pilot)
        pilot.app.screen.query_one("#tab-presets", VerticalScroll).scroll_end(animate=False)
        await _settle(pilot)

    assert snap_compare(open_app(), terminal_size=SIZE, run_before=run)


def test_settings_deck(config: Path, open_app: OpenApp, snap_compare: SnapCompare) -> None:
    async def run(pilot: Pilot[None]) -> None:
        await _open(pilot, "tab-decks")
        pilot.app.screen.query_one("#deck-pick", Select).value = "kafka"
        await _settle(pilot)

    assert snap_compare(open_app(), terminal_size=SIZE, run_before=run)


def test_settings_keys_with_a_conflict(config: Path, open_app: OpenApp, snap_compare: SnapCompare) -> None:
    async def run(pilot: Pilot[None]) -> None:
        await _open(pilot, "tab-keys")
        options = pilot.app.screen.query_one("#keymap-list", OptionList)
        options.highlighted = next(
            i for i in range(options.option_count) if options.get_option_at_index(i).id == "home.browse"
        )
        await _settle(pilot)
        pilot.app.screen.query_one("#keymap-keys", Input).value = "q"
        await _settle(pilot)

    assert snap_compare(open_app(), terminal_size=SIZE, run_before=run)
