"""No worker thread in the TUI waits on the app's loop: a closed terminal (SIGHUP) stops the loop,
and a worker waiting for a call to run there (Textual's `App.call_from_thread`) waited for ever,
while Python's exit waited for the worker: retain never exited, holding `writer.toml`.

The workers post their calls instead (`retain.ui.from_thread`: `call_soon` never waits,
`call_and_wait` gives up once the loop has stopped). Here each is run against an app whose loop
has stopped for good, as a closed terminal leaves it (not running, not closed): it must return.
(A pty test closing a real terminal during an import preview never hung on the old code in 11
closes: the moment is too narrow to hit reliably, so the stopped loop is made here instead.)
"""

from __future__ import annotations

import ast
import asyncio
import inspect
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from textual.app import App
from textual.pilot import Pilot

import retain.ui
from retain.interop.group_export import plan_export
from retain.ui.from_thread import call_and_wait
from retain.ui.live_reload import LiveReload
from retain.ui.screens.busy import BusyScreen, Progress
from retain.ui.screens.share_export import ExportScreen
from retain.ui.screens.share_import import ImportScreen

from .conftest import OpenApp

UI = Path(retain.ui.__file__).parent


def test_no_ui_code_calls_call_from_thread() -> None:
    """The class of the bug: `App.call_from_thread` waits for a loop that may never run again."""
    calls = []
    for path in sorted(UI.rglob("*.py")):
        if path.name == "from_thread.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and node.attr == "call_from_thread":
                calls.append(f"{path.relative_to(UI)}:{node.lineno}")
    assert calls == [], "use retain.ui.from_thread.call_soon (never waits): " + ", ".join(calls)


@contextmanager
def stopped_loop(app: App[Any]) -> Iterator[None]:
    """The app's loop as a closed terminal leaves it: stopped for good (a call posted to it never
    runs), not closed (so posting does not fail either)."""
    real, dead = app._loop, asyncio.new_event_loop()
    app._loop = dead
    try:
        yield
    finally:
        app._loop = real
        dead.close()


def returns(fn: Callable[[], object], seconds: float = 5.0) -> bool:
    """Run `fn` in a thread, as a worker does: True when it returned within `seconds` (a thread
    that waits for ever is a daemon here, left behind)."""
    thread = threading.Thread(target=fn, daemon=True)
    thread.start()
    thread.join(seconds)
    return not thread.is_alive()


async def test_call_and_wait_waits_for_the_call_and_gives_up_on_a_stopped_app(open_app: OpenApp) -> None:
    ran: list[str] = []
    answers: list[bool] = []
    app = open_app()
    async with app.run_test(size=(100, 30)) as pilot:

        def ask(what: str) -> None:
            answers.append(call_and_wait(app, ran.append, what))

        await asyncio.wait_for(asyncio.to_thread(ask, "running"), 5)  # (the loop runs meanwhile)
        assert answers == [True] and ran == ["running"]  # it had run when the worker went on
        with stopped_loop(app):
            assert returns(lambda: ask("stopped loop"))
        await pilot.pause()
        assert answers[1:] == [False] and ran == ["running"]  # gave up: it never runs
    assert returns(lambda: ask("exited"))
    assert answers[2:] == [False] and ran == ["running"]


async def _import_screen(app: App[Any], pilot: Pilot[None]) -> ImportScreen:
    await pilot.press("i")
    screen = app.screen
    assert isinstance(screen, ImportScreen)
    return screen


async def test_the_import_workers_return_when_the_loop_has_stopped(
    open_app: OpenApp, retain_home: Path, tmp_path: Path
) -> None:
    deck_file = tmp_path / "words.tsv"
    deck_file.write_text("hola\thello\nadiós\tgoodbye\n", encoding="utf-8")
    folder = tmp_path / "incoming"
    folder.mkdir()
    (folder / "verbs.csv").write_text("ser,to be\nir,to go\n", encoding="utf-8")
    app = open_app()
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await _import_screen(app, pilot)
        preview = inspect.unwrap(ImportScreen._preview)  # the worker's body, run in a thread here
        apply = inspect.unwrap(ImportScreen._apply)
        with stopped_loop(app):
            assert returns(lambda: preview(screen, "", False))  # "Type the path…"
            assert returns(lambda: preview(screen, str(tmp_path / "missing.tsv"), False))  # refused
            assert returns(lambda: preview(screen, str(deck_file), False))  # progress, diff, Import
            assert screen.plan is None  # its result is taken on the UI thread: never, here
            screen.plan, screen.reviews = screen._read_plan(deck_file, False)  # as if it had been
            assert returns(lambda: apply(screen, datetime.now(UTC)))  # writes, then `_finish`
            assert (retain_home / "decks" / "words.toml").exists()
            assert returns(lambda: preview(screen, str(folder), False))  # a folder
            screen.files = [folder / "verbs.csv"]  # (as its result would have said)
            assert returns(lambda: apply(screen, datetime.now(UTC)))
            assert (retain_home / "decks" / "verbs.toml").exists()
            screen.plan, screen.files = None, []
            assert returns(lambda: apply(screen, datetime.now(UTC)))  # nothing to import
        assert app.screen is screen  # what was posted to the stopped loop never ran


async def test_the_export_worker_returns_when_the_loop_has_stopped(open_app: OpenApp, tmp_path: Path) -> None:
    app = open_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("x")
        screen = app.screen
        assert isinstance(screen, ExportScreen)
        decks = list(app.collection.library.decks)[:1]
        out = tmp_path / "out.toml"
        export = inspect.unwrap(ExportScreen._export)
        with stopped_loop(app):
            assert returns(lambda: export(screen, decks, plan_export(decks, str(out)), False))
            assert out.exists()
            bad = plan_export(decks, str(tmp_path / "no" / "such" / "folder" / "x.toml"))
            (tmp_path / "no").write_text("a file, not a folder", encoding="utf-8")
            assert returns(lambda: export(screen, decks, bad, False))  # "Export failed"


async def test_the_busy_screen_worker_returns_when_the_loop_has_stopped(open_app: OpenApp) -> None:
    def job(progress: Progress) -> int:
        progress("counting", 1, 2)
        return 42

    app = open_app()
    async with app.run_test(size=(100, 30)) as pilot:
        busy = BusyScreen("Busy", job)
        results: list[object] = []
        await app.push_screen(busy, results.append)
        for _ in range(100):
            if results:
                break
            await pilot.pause(0.05)
        assert results == [42]  # as usual while the loop runs
        busy = BusyScreen("Busy again", job)
        await app.push_screen(busy)
        await pilot.pause()
        run = inspect.unwrap(BusyScreen._run)
        with stopped_loop(app):
            assert returns(lambda: run(busy))
            assert returns(lambda: busy._from_thread("step", 1, 2))


async def test_the_deck_watch_returns_when_the_loop_has_stopped(open_app: OpenApp, retain_home: Path) -> None:
    app = open_app()
    async with app.run_test(size=(100, 30)):
        live = LiveReload(app.collection)
        live._app = app
        deck = next((retain_home / "decks").glob("*.toml"))
        deck.write_text(deck.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
        assert live.watcher.changed() == []  # seen once: reported when it has settled
        with stopped_loop(app):
            assert returns(lambda: live._watch(app))  # reports it: the reload is posted


async def test_what_a_worker_posts_after_its_dialog_closed_is_ignored(open_app: OpenApp) -> None:
    """Esc while a preview reads a big file: the worker runs on, and what it posts afterwards
    (progress, the diff, the Import button) finds no dialog: ignored, never an error."""
    app = open_app()
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await _import_screen(app, pilot)
        await pilot.press("escape")
        assert not isinstance(app.screen, ImportScreen)

        def late() -> None:
            screen._busy()
            screen._progress("read rows", 1000, 2000)
            screen._post(screen._show, "would import 1 file", False)
            screen._end(screen._offer, "would import 1 file")

        await asyncio.wait_for(asyncio.to_thread(late), 5)  # (the loop runs meanwhile)
        await pilot.pause()
        assert app.is_running and not isinstance(app.screen, ImportScreen)
