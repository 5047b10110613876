"""`retain review [DECK...]`: the TUI, straight into a study session. Also the launcher for `retain`."""

from __future__ import annotations

import contextlib
import gc
import importlib
import sys
import threading
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from retain.core.model import Deck, decks_named, known_decks

if TYPE_CHECKING:
    import argparse

    from retain.core.custom_study import CustomStudy
    from retain.store.collection import Collection
    from retain.store.decks.library import DeckEntry
    from retain.store.home import Home
    from retain.store.index.homesummary import LaunchHome
    from retain.ui.app import RetainApp

__all__ = ["add_arguments", "launch", "run"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "decks",
        nargs="*",
        metavar="DECK",
        help="decks (id or name) or groups to study (default: everything due)",
    )
    custom = parser.add_mutually_exclusive_group()  # custom study (core/custom_study.py)
    custom.add_argument(
        "--query", metavar="SEARCH", help="study the cards a browser search finds, e.g. 'tag:x is:due'"
    )
    custom.add_argument("--ahead", type=int, metavar="DAYS", help="study cards due in the next DAYS days")
    custom.add_argument(
        "--forgotten", action="store_true", help="study today's forgotten cards (rated Again)"
    )
    custom.add_argument(
        "--cram", action="store_true", help="cram every card of the DECKs without touching their schedule"
    )


def _resolve(
    wanted: Sequence[str], decks: Sequence[Deck], broken: Sequence[DeckEntry] = ()
) -> list[str] | str:
    """Deck ids for the arguments (a deck id, a group's or a deck's name: `decks_named`), or an
    error message: the file of a deck that does not load (`broken`: the library's broken
    entries), or the decks there are."""
    chosen: list[str] = []
    for name in wanted:
        found = decks_named(decks, name)
        if not found:
            from retain.commands.deckref import broken_deck_line

            return broken_deck_line(broken, name) or f"no deck or group {name!r}; decks: {known_decks(decks)}"
        chosen += [d.id for d in found]
    return list(dict.fromkeys(chosen))


def custom_study(args: argparse.Namespace) -> CustomStudy | str | None:
    """The custom study the options ask for (None: a normal session), or a one-line error."""
    from retain.core.custom_study import MAX_AHEAD_DAYS, CustomStudy
    from retain.core.search import QueryError, compile_query

    if args.query is not None:
        try:
            compile_query(args.query)
        except QueryError as exc:
            return f"--query: {exc}"
        return CustomStudy("search", query=args.query)
    if args.ahead is not None:
        if not 1 <= args.ahead <= MAX_AHEAD_DAYS:
            return f"--ahead takes 1 to {MAX_AHEAD_DAYS} days, not {args.ahead}"
        return CustomStudy("ahead", days=args.ahead)
    if args.forgotten:
        return CustomStudy("forgotten")
    if args.cram:
        if not args.decks:
            return "--cram needs the decks or groups to cram, like `retain review --cram kafka`"
        return CustomStudy("cram", label=", ".join(args.decks))
    return None


def launch(
    deck_args: Sequence[str] | None, *, start_in_review: bool, custom: CustomStudy | None = None
) -> int:
    """Open the collection, run the app, and close the collection whatever happens.

    `retain` (the home screen) first tries the launch summary
    (`store.homesummary`): when it is valid, the home screen paints from it and
    the collection opens in the background right after the first paint.
    """
    terminal = bool(sys.stdin and sys.stdin.isatty() and sys.stderr and sys.stderr.isatty())  # `2>&-`: None
    if not terminal:  # Textual reads stdin and draws on stderr
        # (through `err`: `print(file=None)` put the line on stdout when stderr was closed)
        err("retain: the study screen needs a terminal; for scripts use `retain due --json`")
        return 2
    from retain.store.home import open_home

    home = open_home()
    if not start_in_review:
        from retain.commands import launch_summary

        now = datetime.now(UTC)
        # A stale summary (a deck file edited, another device's journal synced) still paints the
        # first screen; the collection, opening right after, brings the current figures.
        # A child process reads it while this one imports the UI (`launch_summary`).
        reading = launch_summary.start(home, now)
        if reading is not None:
            _import_quietly("retain.ui.app")
            launch_home = reading.result(home, now)
        else:
            launch_home = launch_summary.load_here(home, now)
        if launch_home is not None:
            return _run_from_summary(home, launch_home)
    from retain.interop.progress import TerminalProgress
    from retain.store.collection import Collection, CollectionError

    # No summary to paint from: the collection opens first. Meanwhile a thread imports the UI
    # (Textual, ~0.25 s), while this one reads the states and decks or waits for the history.
    preload = threading.Thread(target=_import_quietly, args=("retain.ui.app",), daemon=True)
    preload.start()
    try:
        # history=True reads the history now: a rebuild shows its bar before the TUI
        collection = Collection.open(home, datetime.now(UTC), progress=TerminalProgress(), history=True)
    except CollectionError as exc:
        err(f"retain: {exc}")
        return 2
    # The collection's objects live as long as the process: keep the cyclic GC from walking them
    # again and again (at 50k cards a full collection paused the study screen for a second or two).
    gc.freeze()
    gc.enable()  # `retain` (commands/home.py) starts with it off
    try:
        review: list[str] | None = None
        if deck_args:
            resolved = _resolve(deck_args, collection.library.decks, collection.library.broken)
            if isinstance(resolved, str):
                err(f"retain: {resolved}")
                return 2
            review = resolved
        if custom is not None and review is not None and deck_args:
            from dataclasses import replace

            names = {d.id: d.name or d.id for d in collection.library.decks}
            label = ", ".join(names.get(a, a) for a in deck_args)
            custom = replace(custom, deck_ids=tuple(review), label=label)  # only these decks' cards
        preload.join()
        from retain.ui.app import make_app

        app = make_app(
            collection,
            config=home.config,
            decks_dir=home.paths.decks_dir,
            review=review,
            start_in_review=start_in_review,
            custom=custom,
        )
        _prepare_images(home)
        _run_app(app)
        return app.return_code or 0
    finally:
        _close(collection)


def err(text: str) -> None:
    """One line on stderr, through the sanitised print path (imported when there is something to say:
    it is not on the way to the first paint)."""
    from retain.commands.output import err as print_err

    print_err(text)


def _import_quietly(name: str) -> None:
    """Import `name` ahead of need; a failure is met again, and reported, where it is needed."""
    with contextlib.suppress(Exception):
        importlib.import_module(name)


def _run_from_summary(home: Home, launch_home: LaunchHome) -> int:
    """The home screen from the launch summary; the collection opens after the first paint."""
    from retain.ui.app import make_app
    from retain.ui.loader import CollectionLoader

    def open_collection() -> Collection:
        # imported here, in the loader's thread after the first paint: the store's modules
        # (index, journal reader, ...) are not on the way to the first screen
        from retain.store.collection import Collection

        return Collection.open(home, datetime.now(UTC))

    loader = CollectionLoader(open_collection)
    try:
        app = make_app(
            None, config=home.config, decks_dir=home.paths.decks_dir, loader=loader, launch_home=launch_home
        )
        _prepare_images(home)
        _run_app(app)
    finally:
        collection = loader.wait()
        if collection is not None:
            _close(collection)
    if app.load_error:
        err(f"retain: {app.load_error}")
    return app.return_code or 0


def _run_app(app: RetainApp) -> None:
    """`app.run()`; then, however it ended, nothing of the terminal driver's goes on running.

    Textual's input thread is no daemon: Python's exit waits for it, and it stops only when the
    app's shutdown tells it to (the driver's `exit_event`). A SIGHUP or SIGTERM (`cli.Stopped`)
    raised inside one of the app's tasks cut that shutdown short (asyncio raises it again while
    it cancels the other tasks), and a SIGCONT (which a closed terminal sends with its SIGHUP)
    made the driver start its terminal mode again, an input thread more, the first one left
    behind (the stop joined the new one and cleared the event). On a closed terminal such a
    thread read end-of-file over and over: retain stayed at 100% CPU, never exiting. The event
    ends every input thread of the driver; it is left set. The driver's SIGTSTP and SIGCONT
    handlers (bound to a driver that is done) are given back too.
    """
    from retain.cli import hang_up
    from retain.ui.driver import hangup_driver

    # a terminal closed without a SIGHUP to tell (ignored, `nohup`) stops retain as that SIGHUP would
    if isinstance(getattr(app, "driver_class", None), type):  # (no driver class: a stand-in in tests)
        app.driver_class = hangup_driver(app.driver_class, hang_up)
    saved = _signal_handlers(_DRIVER_SIGNALS)
    try:
        app.run()
    finally:
        driver = getattr(app, "_driver", None)  # (None: it never started; a stand-in in tests)
        exit_event = getattr(driver, "exit_event", None)
        if isinstance(exit_event, threading.Event):
            exit_event.set()
            for thread in threading.enumerate():  # the orphaned ones are not the driver's to name
                if thread.name == "textual-input" and thread is not threading.current_thread():
                    thread.join(_INPUT_JOIN_S)
        _give_back_signals(saved)


_DRIVER_SIGNALS = ("SIGTSTP", "SIGCONT")  # what Textual's LinuxDriver handles (and never gives back)
_INPUT_JOIN_S = 1.0  # an input thread looks at its exit event every 0.1 s


def _signal_handlers(names: Sequence[str]) -> list[tuple[int, object]]:
    """The current handlers of the signals `names` (those this platform has)."""
    import signal

    return [(int(s), signal.getsignal(s)) for name in names if (s := getattr(signal, name, None)) is not None]


def _give_back_signals(saved: list[tuple[int, object]]) -> None:
    import signal

    for signum, handler in saved:
        with contextlib.suppress(ValueError, TypeError):  # not the main thread; None (set outside Python)
            signal.signal(signum, handler)  # type: ignore[arg-type]


def _prepare_images(home: Home) -> None:
    """Terminal graphics are asked for before Textual owns the terminal (`retain.ui.media`)."""
    from retain.store.home import library_folders
    from retain.ui.media import prepare_images

    prepare_images([folder for folder, _origin in library_folders(home.paths, home.config)])


def _close(collection: Collection) -> None:
    """Close at exit; what could not be written (a full disk) is said in one line each."""
    collection.close(save_summary=True)
    for message in collection.close_messages:
        err(f"retain: warning: {message}")


def run(args: argparse.Namespace) -> int:
    custom = custom_study(args)
    if isinstance(custom, str):
        err(f"retain review: {custom}")
        return 2
    return launch(args.decks, start_in_review=True, custom=custom)
