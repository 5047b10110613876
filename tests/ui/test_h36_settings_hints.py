"""h36 (attacker 52): every settings hint is read in full at 80 columns.

The hint beside a field is the one place that says what a value looks like; at 80 columns two
were cut: `comma-separated, like ~/dec…` and `0.70-0.99 (target, not curr…`."""

from __future__ import annotations

from textual.widgets import Static

from retain.ui.settings_fields import GLOBAL_FIELDS, PRESET_FIELDS
from retain.ui.widgets.settings_grid import SettingsGrid

from .conftest import OpenApp
from .test_settings import open_settings


async def test_every_hint_fits_at_80_columns(open_app: OpenApp) -> None:
    app = open_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_settings(pilot)
        grid = screen.query(SettingsGrid).first()
        width = grid.query_one(".hints", Static).content_region.width
        assert width > 10
        long = [f.hint for f in (*GLOBAL_FIELDS, *PRESET_FIELDS) if len(f.hint) > width]
        assert not long, (width, long)
