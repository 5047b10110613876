"""The TUI import dialog never crashes, whatever the file provokes: it shows one line and the app goes on."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

import pytest
from textual.widgets import Input, Static

from retain.store.collection import Collection
from retain.store.home import open_home
from retain.ui.app import make_app
from retain.ui.screens import share_import
from retain.ui.screens.share_import import ImportScreen


def _run_import(home: Path, path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[str, bool]:
    monkeypatch.setenv("RETAIN_HOME", str(home))
    h = open_home()
    col = Collection.open(h, datetime.now(UTC))
    try:
        app = make_app(col, config=h.config, decks_dir=h.paths.decks_dir)

        async def run() -> tuple[str, bool]:
            async with app.run_test(size=(100, 30)) as pilot:
                await pilot.press("i")
                screen = app.screen
                assert isinstance(screen, ImportScreen)
                screen.query_one(Input).value = str(path)
                await pilot.press("enter")
                status = screen.query_one("#share-diff", Static)
                for _ in range(200):
                    shown = str(status.render())
                    if "refused" in shown or "Press Import" in shown:
                        break
                    await pilot.pause(0.05)
                await pilot.press("escape")
                return str(status.render()), app.is_running

        return asyncio.run(run())
    finally:
        col.close()


def test_a_huge_cloze_number_in_a_tsv(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Item 5: this crashed the dialog with `ValueError: Exceeds the limit (4300 digits)`."""
    path = tmp_path / "deck.tsv"
    path.write_text("{{c" + "9" * 5000 + "::x}} and {{c1::y}}\textra\n", "utf-8")
    shown, running = _run_import(tmp_path / "home", path, monkeypatch)
    assert running
    assert "Press Import" in shown or "refused" in shown


def test_an_unexpected_error_is_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No known file provokes an error outside InteropError/OSError any more; the dialog must survive one."""
    path = tmp_path / "deck.tsv"
    path.write_text("q\ta\n", "utf-8")

    def boom(*args: object, **kwargs: object) -> None:
        raise RecursionError("maximum recursion depth exceeded\nsecond line")

    monkeypatch.setattr(share_import, "read_file", boom)
    shown, running = _run_import(tmp_path / "home", path, monkeypatch)
    assert running
    assert "Import refused: unexpected RecursionError: maximum recursion depth exceeded" in shown
    assert "second line" not in shown
