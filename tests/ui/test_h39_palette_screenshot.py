"""h39 (attacker 77): the palette's "Screenshot" wrote to ~/Downloads and said only "Failed to
save screenshot" where that folder does not exist. It now saves in the current folder, as the
statistics screen's `e` does, and says where (or why not)."""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import OpenApp


async def test_the_palettes_screenshot_is_saved_in_the_current_folder(
    open_app: OpenApp, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    here = tmp_path / "here"
    here.mkdir()
    monkeypatch.chdir(here)
    monkeypatch.setenv("HOME", str(tmp_path / "no-downloads"))
    app = open_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        app.deliver_screenshot()
        await pilot.pause()
        saved = list(here.glob("retain-*.svg"))
        assert len(saved) == 1, saved
        assert "<svg" in saved[0].read_text("utf-8")
        said = [n.message for n in app._notifications]
        assert f"Saved {saved[0]}" in said, said
