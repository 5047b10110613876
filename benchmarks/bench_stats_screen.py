"""The statistics screen's speed: first panel after `t`, all panels, and a period switch.

    python benchmarks/bench_stats_screen.py --home /tmp/lib50k [--runs 5] [--size 110x34]

Uses a library made by make_library.py (50k cards: ~294k events). The collection
is opened and the history index brought up to date first (warm); then, in a
headless Textual app (`run_test`), for each run: `t` on the deck list with "All
decks" selected (the heaviest scope) until the forecast panel is drawn (the
first panel) and until every panel is; then `3` (1 year), `4` (all), `1` (1 month)
until the new figures are drawn; `escape`. Wall times include waiting for the CPU: on a loaded machine also look at
the process CPU time printed per run. The first run also pays the imports
(the screen, plotext) and is printed apart. Targets (issue 15): first panel
<= 300 ms warm, period switch <= 150 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from retain.store.collection import Collection
from retain.store.home import open_home
from retain.ui.app import make_app

__all__ = ["main"]


CPU: dict[str, list[float]] = {}  # process CPU seconds (all threads) until every panel was painted


async def _wait(pilot, test, timeout: float = 60.0) -> float:  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    while not test():
        if time.perf_counter() - start > timeout:
            raise TimeoutError("the stats screen did not finish")
        await pilot.pause(0.002)
    return time.perf_counter()


class _Cpu:
    def __init__(self) -> None:
        self.start = time.process_time()

    def lap(self) -> float:
        now = time.process_time()
        spent, self.start = now - self.start, now
        return spent


def _complete(screen: Any) -> bool:
    return screen.data is not None and not screen.workers


def _drawn(screen: Any) -> bool:
    """The forecast panel shows the newest request's figures."""
    return bool(screen.quick_token == screen._token)


async def measure(home: Path, runs: int, size: tuple[int, int]) -> dict[str, list[float]]:
    from retain.ui.screens.home import HomeScreen
    from retain.ui.widgets.deck_table import DeckTable

    now = datetime.now(UTC)
    col = Collection.open(open_home({"RETAIN_HOME": str(home)}), now, read_only=True)
    t = time.perf_counter()
    col.history_index.refresh(now)
    print(f"history index up to date in {time.perf_counter() - t:.2f} s; {len(col.units)} cards")
    app = make_app(col, lambda: datetime.now(UTC), config=col.home.config)
    out: dict[str, list[float]] = {
        "first panel (10k group)": [],
        "first panel (50k all)": [],
        "all panels (50k all)": [],
        "period switch": [],
    }
    try:
        async with app.run_test(size=size) as pilot:
            await pilot.pause()
            assert isinstance(app.screen, HomeScreen)
            for run in range(runs + 1):
                cpu = time.process_time()
                app.screen.query_one(DeckTable).action_first()  # the first group: 10 decks, 10k cards
                start = time.perf_counter()
                clock = _Cpu()
                await pilot.press("t")
                screen = app.screen
                await _wait(pilot, lambda s=screen: "all" in s.painted.get(s._token, {}))
                cpu_group_first = clock.lap()
                group_first = screen.painted[screen._token]["first"] - start
                group_all = screen.painted[screen._token]["all"] - start
                await pilot.press("d")  # the deck picker: "All decks" (50k cards) is the first line
                await pilot.pause()
                before = screen.data
                token = screen._token
                start = time.perf_counter()
                clock.lap()
                await pilot.press("home", "enter")
                await _wait(
                    pilot, lambda s=screen, t=token: s._token > t and "all" in s.painted.get(s._token, {})
                )
                cpu_first = clock.lap()
                first = screen.painted[screen._token]["first"] - start
                done = screen.painted[screen._token]["all"] - start
                switches = []
                cpu_switches = []
                for key in ("3", "4", "1"):
                    before = screen.data
                    start = time.perf_counter()
                    clock.lap()
                    await pilot.press(key)
                    await _wait(
                        pilot, lambda s=screen, b=before: s.data is not b and "all" in s.painted[s._token]
                    )
                    switches.append(screen.painted[screen._token]["all"] - start)
                    cpu_switches.append(clock.lap())
                await pilot.press("escape")
                await pilot.pause()
                label = "first open (imports)" if run == 0 else f"run {run}"
                label += f" [process CPU {time.process_time() - cpu:.2f} s]"
                print(
                    f"{label}: t on a group (10k cards): first panel {group_first * 1000:.0f} ms, all "
                    f"{group_all * 1000:.0f} ms; all decks (50k): first panel {first * 1000:.0f} ms, all "
                    f"{done * 1000:.0f} ms; period switches {', '.join(f'{s * 1000:.0f}' for s in switches)} ms"
                )
                if run:
                    out["first panel (10k group)"].append(group_first)
                    out["first panel (50k all)"].append(first)
                    out["all panels (50k all)"].append(done)
                    out["period switch"] += switches
                    CPU.setdefault("first panel (10k group)", []).append(cpu_group_first)
                    CPU.setdefault("first panel (50k all)", []).append(cpu_first)
                    CPU.setdefault("period switch", []).extend(cpu_switches)
    finally:
        col.close()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--home", type=Path, required=True, help="a library made by make_library.py")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--size", default="110x34")
    args = parser.parse_args()
    w, h = (int(x) for x in args.size.split("x"))
    figures = asyncio.run(measure(args.home, args.runs, (w, h)))
    targets = {
        "first panel (10k group)": "<= 300 ms",
        "first panel (50k all)": "<= 300 ms",
        "all panels (50k all)": "",
        "period switch": "<= 150 ms",
    }
    print("\nwarm medians (min-max):")
    for name, values in figures.items():
        ms = [v * 1000 for v in values]
        cpu = CPU.get(name)
        also = f", process CPU to all panels {statistics.median(cpu) * 1000:.0f} ms" if cpu else ""
        print(
            f"  {name:<24} {statistics.median(ms):6.0f} ms ({min(ms):.0f}-{max(ms):.0f}){also}"
            f"  target {targets[name]}"
        )


if __name__ == "__main__":
    main()
