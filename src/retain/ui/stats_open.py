"""Open the statistics screen over the app's collection, and save it as SVG without a terminal.

`open_stats` is what `t` on the deck list and the command palette call; the
screen gets a `compute` function over the collection (the figures in the JSON
form `retain stats --json` prints) and the scopes to switch between.
"""

from __future__ import annotations

import asyncio
import errno
import os
import stat
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from retain.core.deckrows import DeckRow, deck_rows
from retain.ui.screens.stats import Scope, StatsScreen

if TYPE_CHECKING:
    from textual.app import App

    from retain.store.collection import Collection

__all__ = [
    "check_svg_target",
    "open_stats",
    "save_stats_svg",
    "scope_label",
    "scopes_for",
    "stats_screen",
    "write_svg",
]

ALL = Scope("All decks")


def scopes_for(collection: Collection) -> list[Scope]:
    """Every deck, then each group and deck in the deck list's order."""
    rows = deck_rows(collection.library.decks, {}, {})
    return [ALL, *(Scope(r.label, tuple(r.deck_ids)) for r in rows)]


def scope_label(collection: Collection, deck: str) -> str:
    """What a `--deck` value names, as the deck list shows it: a deck's name (given its id, or
    its name in any case and spacing), or a group's name (`"infra  TEAM"` is "Infra Team");
    the value itself when it names nothing."""
    from retain.core.model import decks_in_group, decks_named, group_title

    decks = list(collection.library.decks)
    found = decks_named(decks, deck)
    if not found:
        return deck
    first = found[0]
    if first.id != deck and decks_in_group(decks, deck):
        return group_title(decks, deck)
    return first.name or first.id


def stats_screen(
    collection: Collection, clock: Callable[[], datetime], row: DeckRow | None, *, period: str = "1m"
) -> StatsScreen:
    from retain.store.statsdata import StatsSource

    source = StatsSource(collection, clock())  # read once per scope: a period switch costs no query

    def compute(decks: Sequence[str] | None, days: int | None, quick: bool) -> dict[str, Any]:
        return source.figures(decks, days, cards_only=quick).to_dict()

    scope = ALL if row is None else Scope(row.label, tuple(row.deck_ids))
    return StatsScreen(compute, scope, scopes_for(collection), period=period)


def open_stats(app: App[Any], row: DeckRow | None) -> None:
    from retain.ui.access import retain_app

    host = retain_app(app)
    host.collection.reread_states(host.clock())  # read-only: the other retain's reviews too
    app.push_screen(stats_screen(host.collection, host.clock, row))


def save_stats_svg(
    collection: Collection,
    now: datetime,
    path: Path,
    deck: str | None,
    days: int | None,
    size: tuple[int, int] = (100, 124),
    *,
    replace: bool = True,
) -> None:
    """Draw the stats screen headless (no terminal needed) and write it to `path` as SVG.

    Written as an export is (`interop.outfile.atomic_output`): through a temp file renamed into
    place, so a symbolic link at `path` is replaced, never written through to the file it
    names, and a crash leaves the old picture or the new. OSError (before anything is drawn)
    when `path` is a FIFO, a device or a folder, or its folder is missing, and without `replace`
    when anything is there (FileExistsError)."""
    from retain.core.statsfigures import PERIODS
    from retain.ui.app import make_app

    check_svg_target(path, replace)  # (before anything is drawn)
    period = next((k for k, v in PERIODS.items() if v == days), "1m")
    app = make_app(collection, lambda: now, config=collection.home.config)
    row = None
    if deck is not None:
        from retain.store.statsdata import scope_ids

        row = DeckRow(
            f"deck:{deck}", scope_label(collection, deck), 0, tuple(scope_ids(collection, deck) or [deck])
        )

    async def run() -> str:
        async with app.run_test(size=size) as pilot:
            screen = stats_screen(collection, lambda: now, row, period=period)
            if days is not None and days not in PERIODS.values():
                screen.custom_days = days
            await app.push_screen(screen)
            await pilot.pause()
            await app.workers.wait_for_complete()
            await pilot.pause()
            return app.export_screenshot(title="retain stats")

    write_svg(path, asyncio.run(run()), replace=replace)


def write_svg(path: Path, svg: str, *, replace: bool = True) -> None:
    """`svg` written to `path` as an export is (`interop.outfile.atomic_output`): a symbolic link
    there is replaced, not written through; OSError for a FIFO, a device or a folder (the stats
    screen's `e` too), and without `replace` for anything there (FileExistsError)."""
    from retain.interop.outfile import atomic_output

    check_svg_target(path, replace)
    with atomic_output(path) as part:
        part.write_text(svg, encoding="utf-8")


def check_svg_target(path: Path, replace: bool = True) -> None:
    """OSError when `path` cannot take the picture: a plain write would block on a FIFO or feed
    a device, a folder cannot be replaced, and a missing folder is the user's typo (it is not
    made, as an export's would be). A symbolic link or a regular file is replaced only with
    `replace` (FileExistsError: a mistyped `--svg decks/kafka.toml` must not cost a deck)."""
    from retain.store.files import NotRegularFileError, file_kind

    os.stat(path.parent)  # (missing: "no such file or folder", named by the message)
    if not path.parent.is_dir():
        raise NotADirectoryError(errno.ENOTDIR, os.strerror(errno.ENOTDIR), os.fspath(path))
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        return
    if not replace:
        raise FileExistsError(errno.EEXIST, "already exists; add --force to replace it", os.fspath(path))
    if stat.S_ISDIR(mode):
        raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), os.fspath(path))
    if not stat.S_ISREG(mode) and not stat.S_ISLNK(mode):
        kind = file_kind(mode)
        exc = NotRegularFileError(
            errno.EINVAL, f"not a regular file ({kind}); nothing written", os.fspath(path)
        )
        exc.kind = kind
        raise exc
