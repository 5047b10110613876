"""How fast the card browser searches, sorts and shows a page, on a big library.

    python benchmarks/make_library.py --cards 50000 --home /tmp/lib50k
    python benchmarks/bench_browser.py --home /tmp/lib50k

Prints (median of --repeat runs, milliseconds):
- building the browse index (every unit's search text) once per library load;
- `BrowseIndex.search` for typical queries over every unit, and sorting all units by each column;
- formatting one page of rows;
- in the real app (headless Textual, 120x40): opening the browser from the home screen, and one search
  typed into the box until the table shows the new first page (search + sort + DataTable refill).
The collection is opened read-only, so the library is not changed.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

__all__ = ["main"]

QUERIES = [
    ("everything", ""),
    ("one word", "leader"),
    ("two words", "leader quorum"),
    ("phrase", '"split brain"'),
    ("deck prefix", "deck:bench-0*"),
    ("due now", "is:due"),
    ("not new + word", "-is:new lease"),
    ("OR", "lease OR quorum leader"),
    ("kind + tag", "kind:basic -tag:none"),
]


def timed(fn: Callable[[], object], repeat: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), result


async def app_figures(col: object, now: datetime, repeat: int) -> dict[str, float]:
    from textual.widgets import Input

    from retain.store.collection import Collection
    from retain.ui.app import make_app
    from retain.ui.screens.browser import BrowserScreen
    from retain.ui.widgets.browse_table import BrowseTable

    assert isinstance(col, Collection)
    app = make_app(col, lambda: now)
    figures: dict[str, float] = {}
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        # The home screen counts today's reviews in a background thread; let it finish first
        # (it competes for the GIL and would inflate every figure below).
        start = time.perf_counter()
        while getattr(app.screen, "progress", 0) is None and time.perf_counter() - start < 120:
            await pilot.pause(0.1)
        figures["home screen's background count (waited for)"] = (time.perf_counter() - start) * 1000
        start = time.perf_counter()
        await pilot.press("b")
        while not isinstance(app.screen, BrowserScreen) or not app.screen.query_one(BrowseTable).row_count:
            await pilot.pause()
        figures["open browser (50k rows → first page)"] = (time.perf_counter() - start) * 1000
        screen = app.screen
        times = []
        for i in range(repeat):
            screen.query_one(Input).value = "leader quorum" if i % 2 == 0 else "is:due"
            await pilot.pause(0.4)  # past the typing debounce, so only the timed search runs
            start = time.perf_counter()
            screen.run_search()
            await pilot.pause()
            times.append((time.perf_counter() - start) * 1000)
        figures["search typed in the app, table refilled"] = statistics.median(times)
        await pilot.press("o", "o", "o", "o", "o")  # sort by due
        times = []
        for _ in range(repeat):
            await pilot.pause(0.1)
            start = time.perf_counter()
            screen.run_search()
            await pilot.pause()
            times.append((time.perf_counter() - start) * 1000)
        figures["same, sorted by due"] = statistics.median(times)
    return figures


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("--home", type=Path, required=True, help="a library made by make_library.py")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--no-app", action="store_true", help="skip the headless app figures")
    args = ap.parse_args()
    if not (args.home / "decks").is_dir():
        print(f"{args.home} has no decks/; run benchmarks/make_library.py first", file=sys.stderr)
        return 1
    os.environ["RETAIN_HOME"] = str(args.home)
    from retain.store.collection import Collection
    from retain.store.decks.browse import COLUMNS, BrowseIndex
    from retain.store.home import open_home
    from retain.ui.widgets.browse_table import PAGE_SIZE

    now = datetime.now(UTC)
    start = time.perf_counter()
    col = Collection.open(open_home(), now, read_only=True)
    print(f"collection opened (read-only) in {time.perf_counter() - start:.2f} s")
    try:
        today = col.today(now)
        ms, index = timed(lambda: BrowseIndex.from_collection(col), args.repeat)
        assert isinstance(index, BrowseIndex)
        print(f"{len(index):,} review units; browse index built in {ms:.0f} ms\n")
        print(f"{'search':<22}{'query':<28}{'matches':>9}{'ms':>8}")
        for label, query in QUERIES:
            ms, found = timed(lambda q=query: index.search(q, now, today), args.repeat)  # type: ignore[misc]
            print(f"{label:<22}{query:<28}{len(found):>9,}{ms:>8.0f}")  # type: ignore[arg-type]
        print(f"\n{'sort all units by':<22}{'ms':>8}")
        for column in COLUMNS:
            ms, _ = timed(lambda c=column: index.sort(index.units, c, now), args.repeat)  # type: ignore[misc]
            print(f"{column:<22}{ms:>8.0f}")
        page = index.units[:PAGE_SIZE]
        ms, _ = timed(lambda: [index.row(u, now, today) for u in page], args.repeat)
        print(f"\nformat one page ({PAGE_SIZE} rows): {ms:.1f} ms")
        if not args.no_app:
            print()
            for label, value in asyncio.run(app_figures(col, now, args.repeat)).items():
                print(f"{label:<44}{value:>8.0f} ms")
    finally:
        col.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
