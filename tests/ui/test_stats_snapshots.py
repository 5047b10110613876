"""Snapshots of the statistics screen over the 400-day fixture, fixed clock, dark and light themes.

Regenerate with `pytest tests/ui/test_stats_snapshots.py --snapshot-update` and look at the SVGs.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from retain.store import home as store_home
from retain.store.collection import Collection
from retain.ui.app import make_app

from .stats_fixture import BERLIN, NOW, build_fixture
from .test_stats_screen import settled

SnapCompare = Any


@pytest.mark.parametrize(
    ("theme", "size", "keys"),
    [
        ("textual-dark", (100, 50), []),
        ("textual-light", (80, 24), []),
        ("textual-dark", (80, 24), ["3", "end"]),
    ],
    ids=["dark-100x50", "light-80x24", "dark-year-bottom"],
)
def test_stats_screen(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    snap_compare: SnapCompare,
    theme: str,
    size: tuple[int, int],
    keys: list[str],
) -> None:
    monkeypatch.setattr(store_home, "bundled_decks_dir", lambda: None)
    home, _events = build_fixture(tmp_path)
    monkeypatch.setenv("RETAIN_HOME", str(tmp_path))
    col = Collection.open(home, NOW, tz=BERLIN, read_only=True)
    app = make_app(col, lambda: NOW, config=home.config)

    async def open_stats(pilot: Pilot[None]) -> None:
        app.theme = theme
        await pilot.pause()
        await pilot.press("t")
        await settled(pilot)
        for key in keys:
            await pilot.press(key)
            await settled(pilot)
        await pilot.pause()

    try:
        assert snap_compare(app, terminal_size=size, run_before=open_stats)
    finally:
        col.close()
