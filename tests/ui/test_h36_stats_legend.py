"""h36 (attacker 52): a statistics legend's marker never ends a line without its name.

At 80 columns the forecast note read `... (a bar is 2 days)   ▒ young  █` with `mature` on the next
line, and the answer buttons' `... passed under Again   ░` / `Again  ▓ Hard ...`, which reads as if
`▓` were Again: without colours the fills are the only way to tell the series apart. Now a legend
that does not fit after its note goes whole on the next line, and again when the width changes."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from textual.content import Content
from textual.widgets import Static

from retain.store import home as store_home
from retain.store.collection import Collection
from retain.ui.app import RetainApp, make_app

from .stats_fixture import BERLIN, NOW, build_fixture
from .test_stats_screen import settled

MARKS = "■█▓▒░"
NOTES = ("forecast-note", "reviews-note", "buttons-note")


@pytest.fixture
def mono_app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[RetainApp]:
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setattr(store_home, "bundled_decks_dir", lambda: None)
    home, _events = build_fixture(tmp_path)
    monkeypatch.setenv("RETAIN_HOME", str(tmp_path))
    col = Collection.open(home, NOW, tz=BERLIN, read_only=True)
    yield make_app(col, lambda: NOW, config=home.config)
    col.close()


def _lines(app: RetainApp, name: str) -> list[str]:
    widget = app.screen.query_one(f"#{name}", Static)
    content = widget.visual
    assert isinstance(content, Content)
    return [str(part).rstrip() for part in content.wrap(widget.content_region.width)]


def _split(lines: list[str]) -> list[str]:
    """Lines whose last thing is a legend mark (its name went to the next line)."""
    return [text for text in lines if re.search(f"[{MARKS}]$", text)]


@pytest.mark.parametrize("width", [80, 66, 100, 140])
async def test_a_legend_mark_stays_with_its_name(mono_app: RetainApp, width: int) -> None:
    async with mono_app.run_test(size=(width, 60)) as pilot:
        await pilot.press("t")
        await settled(pilot)
        await pilot.pause(0.2)
        for name in NOTES:
            lines = _lines(mono_app, name)
            assert any(mark in "".join(lines) for mark in MARKS), (name, lines)
            assert not _split(lines), (name, lines)


async def test_the_legend_is_laid_out_again_when_the_width_changes(mono_app: RetainApp) -> None:
    async with mono_app.run_test(size=(140, 60)) as pilot:
        await pilot.press("t")
        await settled(pilot)
        assert len(_lines(mono_app, "forecast-note")) == 1  # (room for both on one line)
        await pilot.resize_terminal(80, 60)
        await pilot.pause(0.3)
        for name in NOTES:
            assert not _split(_lines(mono_app, name)), name
