"""The import dialog's preview worker stops when it is no longer wanted (h13 attack).

A preview of a big folder read every file to the end even after the terminal was closed: Textual
cancels a worker (a flag) when the app stops or the dialog closes, but the worker never looked, so
retain ran on headless, holding `writer.toml` (a retain started meanwhile opened read-only), for
as long as the rest of the folder took. A preview replaced by a newer one also ran to its end and
then put its result over the newer one's (the text shown and the files Import would write). And
the dialog's staging folder was left in the temp folder when the app closed with the dialog open,
remade by each preview without its private mode.
"""

from __future__ import annotations

import stat
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Input, Static

from retain.interop.bundle import Review
from retain.interop.importer import ImportPlan
from retain.ui.screens.share_import import ImportScreen

from .conftest import OpenApp

FILES = 12


def _folder(root: Path) -> Path:
    folder = root / "incoming"
    folder.mkdir()
    for i in range(FILES):
        (folder / f"deck{i:02}.csv").write_text(f"front {i},back {i}\n", encoding="utf-8")
    return folder


class _Spy:
    """Records the files a folder preview reads; the first read waits for `release` (a big file)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.read: list[str] = []
        self.started = threading.Event()
        self.release = threading.Event()
        self.ended = threading.Event()  # the folder's preview returned
        real = ImportScreen._read_plan
        real_folder = ImportScreen._preview_folder

        def read_plan(
            screen: ImportScreen, path: Path, history: bool, *more: Any
        ) -> tuple[ImportPlan, Sequence[Review]]:
            self.read.append(path.name)
            if len(self.read) == 1:
                self.started.set()
                assert self.release.wait(10)
            return real(screen, path, history, *more)

        def preview_folder(screen: ImportScreen, folder: Path, history: bool) -> None:
            try:
                real_folder(screen, folder, history)
            finally:
                self.ended.set()

        monkeypatch.setattr(ImportScreen, "_read_plan", read_plan)
        monkeypatch.setattr(ImportScreen, "_preview_folder", preview_folder)

    def join(self) -> None:
        """Wait for the folder's preview to return (only once the app's loop has stopped)."""
        assert self.ended.wait(10)


async def _wait(condition: Any, seconds: float = 10.0) -> None:
    end = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < end, "timed out"
        await _sleep()


async def _sleep() -> None:
    import asyncio

    await asyncio.sleep(0.02)


async def _preview(app: Any, pilot: Any, path: Path) -> ImportScreen:
    if not isinstance(app.screen, ImportScreen):
        await pilot.press("i")
    screen = app.screen
    assert isinstance(screen, ImportScreen)
    screen.query_one(Input).value = str(path)
    screen.preview()
    return screen


async def test_a_folder_preview_stops_when_the_app_closes(
    open_app: OpenApp, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spy = _Spy(monkeypatch)
    folder = _folder(tmp_path)
    app = open_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await _preview(app, pilot, folder)
        await _wait(spy.started.is_set)
    # the app has stopped (a closed terminal): its workers are cancelled; the big file ends
    spy.release.set()
    spy.join()
    assert len(spy.read) == 1, spy.read  # not the rest of the folder


async def test_a_folder_preview_stops_when_the_dialog_closes(
    open_app: OpenApp, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spy = _Spy(monkeypatch)
    folder = _folder(tmp_path)
    app = open_app()
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await _preview(app, pilot, folder)
        await _wait(spy.started.is_set)
        await pilot.press("escape")
        await _wait(lambda: not screen.is_attached)
        spy.release.set()
        await _wait(spy.ended.is_set)  # (the loop runs meanwhile: the worker's last call may run)
        assert len(spy.read) == 1, spy.read
        assert not screen.stage.exists()  # (the worker never made it again)


async def test_a_replaced_preview_never_shows_its_result(
    open_app: OpenApp, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spy = _Spy(monkeypatch)
    folder = _folder(tmp_path)
    single = tmp_path / "words.tsv"
    single.write_text("hola\thello\n", encoding="utf-8")
    app = open_app()
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await _preview(app, pilot, folder)
        await _wait(spy.started.is_set)
        await _preview(app, pilot, single)  # a newer preview: the folder's is cancelled
        await _wait(lambda: screen.plan is not None)
        spy.release.set()
        await _wait(spy.ended.is_set)
        await pilot.pause()
        shown = str(screen.query_one("#share-diff", Static).render())
        assert "words" in shown and "incoming" not in shown and "deck00" not in shown
        assert screen.files == []  # Import writes the file shown, not the folder
        assert screen.plan is not None and [p.deck.id for p in screen.plan.decks] == ["words"]


async def test_the_staging_folder_stays_private_and_goes_with_the_app(
    open_app: OpenApp, tmp_path: Path
) -> None:
    single = tmp_path / "words.tsv"
    single.write_text("hola\thello\n", encoding="utf-8")
    app = open_app()
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await _preview(app, pilot, single)
        await _wait(lambda: screen.plan is not None)
        assert stat.S_IMODE(screen.stage.stat().st_mode) == 0o700
        stage = screen.stage
    assert not stage.exists()  # the app closed with the dialog open
