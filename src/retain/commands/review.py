"""`retain review [DECK_ID...]`: the TUI, straight into a study session. Also the launcher for `retain`."""

from __future__ import annotations

import argparse
import gc
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from retain.store.collection import Collection
    from retain.store.home import Home
    from retain.store.index.homesummary import LaunchHome

__all__ = ["add_arguments", "launch", "run"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "decks", nargs="*", metavar="DECK_ID", help="decks or groups to study (default: everything due)"
    )


def _resolve(wanted: Sequence[str], deck_ids: Sequence[str], groups: dict[str, list[str]]) -> list[str] | str:
    """Deck ids for the arguments (a group name selects its decks), or an error message."""
    chosen: list[str] = []
    for name in wanted:
        if name in deck_ids:
            chosen.append(name)
        elif name in groups:
            chosen += groups[name]
        else:
            return f"no deck {name!r} in the library (see `retain due` for deck ids)"
    return list(dict.fromkeys(chosen))


def launch(deck_args: Sequence[str] | None, *, start_in_review: bool) -> int:
    """Open the collection, run the app, and close the collection whatever happens.

    `retain` (the home screen) first tries the launch summary
    (`store.homesummary`): when it is valid, the home screen paints from it and
    the collection opens in the background right after the first paint.
    """
    if not (sys.stdin.isatty() and sys.stderr.isatty()):  # Textual reads stdin and draws on stderr
        print(
            "retain: the study screen needs a terminal; for scripts use `retain due --json`", file=sys.stderr
        )
        return 2
    from retain.commands.output import err
    from retain.store.home import open_home

    home = open_home()
    if not start_in_review:
        from retain.store.index.homesummary import load_summary
        from retain.store.localzone import local_timezone

        launch_home = load_summary(home, datetime.now(UTC), local_timezone())
        if launch_home is not None:
            return _run_from_summary(home, launch_home)
    from retain.interop.progress import TerminalProgress
    from retain.store.collection import Collection, CollectionError

    try:
        collection = Collection.open(home, datetime.now(UTC), progress=TerminalProgress())
        collection.history_index.refresh(datetime.now(UTC))  # a rebuild shows its bar before the TUI
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
            decks = collection.library.decks
            groups: dict[str, list[str]] = {}
            for deck in decks:
                if deck.group:
                    groups.setdefault(deck.group, []).append(deck.id)
            resolved = _resolve(deck_args, [d.id for d in decks], groups)
            if isinstance(resolved, str):
                err(f"retain: {resolved}")
                return 2
            review = resolved
        from retain.ui.app import make_app

        app = make_app(
            collection,
            config=home.config,
            decks_dir=home.paths.decks_dir,
            review=review,
            start_in_review=start_in_review,
        )
        _prepare_images(home)
        app.run()
        return app.return_code or 0
    finally:
        _close(collection)


def _run_from_summary(home: Home, launch_home: LaunchHome) -> int:
    """The home screen from the launch summary; the collection opens after the first paint."""
    from retain.commands.output import err
    from retain.store.collection import Collection
    from retain.ui.app import make_app
    from retain.ui.loader import CollectionLoader

    loader = CollectionLoader(lambda: Collection.open(home, datetime.now(UTC)))
    try:
        app = make_app(
            None, config=home.config, decks_dir=home.paths.decks_dir, loader=loader, launch_home=launch_home
        )
        _prepare_images(home)
        app.run()
    finally:
        collection = loader.wait()
        if collection is not None:
            _close(collection)
    if app.load_error:
        err(f"retain: {app.load_error}")
    return app.return_code or 0


def _prepare_images(home: Home) -> None:
    """Terminal graphics are asked for before Textual owns the terminal (`retain.ui.media`)."""
    from retain.store.home import library_folders
    from retain.ui.media import prepare_images

    prepare_images([folder for folder, _origin in library_folders(home.paths, home.config)])


def _close(collection: Collection) -> None:
    """Close at exit; what could not be written (a full disk) is said in one line each."""
    from retain.commands.output import err

    collection.close(save_summary=True)
    for message in collection.close_messages:
        err(f"retain: warning: {message}")


def run(args: argparse.Namespace) -> int:
    return launch(args.decks, start_in_review=True)
