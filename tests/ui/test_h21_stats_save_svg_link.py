"""`e` on the stats screen writes `retain-stats-<day>.svg` in the current folder as `--svg` does:
a symbolic link of that name (a shared folder) was written through, replacing the file it
named, and a FIFO of that name hung the app. Since h22 anything of that name is left alone and
the picture takes the next free name (`retain-stats-<day>-2.svg`)."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from retain.ui.app import RetainApp
from retain.ui.screens.stats import StatsScreen

from .test_h1_stats_fixes import fixture_app, fixture_home  # noqa: F401 (fixtures)
from .test_stats_screen import settled


async def _save_twice(app: RetainApp, between: Callable[[Path], None]) -> list[str]:
    """`e`, then `between(the picture's path)`, then `e` again: what the app said."""
    async with app.run_test(size=(110, 40)) as pilot:
        await pilot.pause()
        await pilot.press("t")
        await settled(pilot)
        assert isinstance(app.screen, StatsScreen)
        await pilot.press("e")
        await pilot.pause()
        said = [str(n.message) for n in app._notifications]
        saved = [m for m in said if m.startswith("Saved ")]
        assert saved, said
        picture = Path(saved[0].removeprefix("Saved "))
        picture.unlink()
        between(picture)
        await pilot.press("e")
        await pilot.pause()
        return [str(n.message) for n in app._notifications]


async def test_a_link_named_as_the_picture_is_replaced_not_written_through(
    fixture_app: RetainApp,  # noqa: F811
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    here = tmp_path / "shared"
    here.mkdir()
    precious = tmp_path / "precious.txt"
    precious.write_text("keep me", encoding="utf-8")
    monkeypatch.chdir(here)
    links: list[Path] = []

    def link(picture: Path) -> None:
        picture.symlink_to(precious)
        links.append(picture)

    said = await _save_twice(fixture_app, link)
    assert precious.read_text(encoding="utf-8") == "keep me"
    (picture,) = links
    assert picture.is_symlink()  # left alone
    beside = picture.with_name(picture.stem + "-2.svg")
    assert said[-1] == f"Saved {beside}" and beside.read_text(encoding="utf-8").startswith("<svg")


async def test_a_fifo_named_as_the_picture_is_left_alone(
    fixture_app: RetainApp,  # noqa: F811
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    fifos: list[Path] = []

    def fifo(picture: Path) -> None:
        os.mkfifo(picture)
        fifos.append(picture)

    said = await _save_twice(fixture_app, fifo)  # (a write to the FIFO would hang here)
    (picture,) = fifos
    assert picture.exists() and not picture.is_file()
    beside = picture.with_name(picture.stem + "-2.svg")
    assert said[-1] == f"Saved {beside}" and beside.read_text(encoding="utf-8").startswith("<svg")
