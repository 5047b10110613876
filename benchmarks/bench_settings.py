"""The settings screen: `,` on the deck list to the settings screen painted (target <= 100 ms).

    python benchmarks/bench_settings.py [--home DIR] [--runs 15]

In-process with Textual's Pilot (as bench_ui.py measures keys): the app is
opened over a library (`--home`, one made by make_library.py, copied first so it
is not changed; without it, a small one of 50 decks is written to a temp
folder; the settings screen lists every deck), then `,` is pressed and the time
to the first screen paint with the settings screen on top is recorded (the
app's `_display` call); Esc closes it; repeated `--runs` times. The first
opening is printed apart (it imports the screen's modules once per process).
The help screen (`?`, the simplest screen of the app) is measured the same way
in the same run as a yardstick, since a loaded machine slows both alike. Also
printed: opening each of the other tabs (built when first shown), save (ctrl+s
of one changed value: validation, atomic write, applying it to the session),
and validation per keystroke (the whole text through the config loader).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from measure import latency_line, settled_copy  # noqa: E402  (benchmarks/ is on the path: run as a script)

__all__ = ["main"]

CONFIG = """\
# retain settings
rollover_hour = 4

[study]
desired_retention = 0.9
new_per_day = 20

[decks.deck-001]
new_per_day = 5

[keymap]
"review.reveal" = "space"
"""


def _small_library(home: Path, decks: int) -> None:
    folder = home / "decks"
    folder.mkdir(parents=True)
    for i in range(decks):
        cards = "".join(f'\n[[cards]]\nid = "c{j}"\nfront = "Q {i}-{j}"\nback = "A"\n' for j in range(20))
        (folder / f"deck-{i:03}.toml").write_text(
            f'format = 1\n\n[deck]\nid = "deck-{i:03}"\nname = "Deck {i}"\n{cards}'
        )


async def _until_painted(
    pilot: Any, paints: list[float], key: str, done: Callable[[], bool]
) -> tuple[float, float]:
    """(wall, CPU) seconds from pressing `key` to the first paint after which `done()` holds."""
    start, cpu = time.perf_counter(), time.process_time()
    mark = len(paints)
    await pilot.press(key)
    deadline = start + 30
    while time.perf_counter() < deadline:
        for when in paints[mark:]:
            if when >= start and done():
                return when - start, time.process_time() - cpu
        await asyncio.sleep(0.0005)
    raise RuntimeError(f"no paint after {key!r}")


async def _run(home: Path, runs: int) -> None:
    from retain.store.collection import Collection
    from retain.store.config_edit import ConfigDocument, problem
    from retain.store.home import open_home
    from retain.ui.app import make_app
    from retain.ui.screens.help import HelpScreen
    from retain.ui.screens.home import HomeScreen
    from retain.ui.screens.settings import SettingsScreen

    os.environ["RETAIN_HOME"] = str(home)
    config_file = home / "config.toml"
    if not config_file.exists():
        config_file.write_text(CONFIG)
    home_ = open_home()
    collection = Collection.open(home_, datetime.now(UTC))
    app = make_app(collection, config=home_.config, decks_dir=home_.paths.decks_dir)
    paints: list[float] = []
    results: dict[str, list[tuple[float, float]]] = {"settings": [], "help": []}
    try:
        async with app.run_test(size=(110, 34)) as pilot:
            display = app._display

            def spy(screen: Any, update: Any) -> None:
                paints.append(time.perf_counter())
                display(screen, update)

            app._display = spy  # type: ignore[method-assign]
            for _ in range(10):
                await pilot.pause()
            print(f"library: {len(collection.library.decks)} decks, {len(collection.units)} cards")
            for i in range(runs + 1):
                for name, key, screen_type in (
                    ("settings", "comma", SettingsScreen),
                    ("help", "f1", HelpScreen),
                ):
                    took = await _until_painted(
                        pilot, paints, key, lambda t=screen_type: isinstance(app.screen, t)
                    )
                    if i == 0:
                        print(f"first opening of {name} (imports its modules): {took[0] * 1000:.0f} ms")
                    else:
                        results[name].append(took)
                    await pilot.pause()
                    await _until_painted(pilot, paints, "escape", lambda: isinstance(app.screen, HomeScreen))
                    await pilot.pause()
            for name, values in results.items():
                print(f"`{name}` key to the screen painted: wall {latency_line([w for w, _ in values])}")
                print(
                    f"    CPU time of this process (load-independent): {latency_line([c for _, c in values])}"
                )
            await _tabs_and_save(pilot, paints, app, config_file)
    finally:
        collection.close()
    edit = ConfigDocument.open(config_file)
    times = []
    for i in range(200):
        t = time.perf_counter()
        edit.set(("study", "new_per_day"), i % 50)
        problem(edit)
        times.append(time.perf_counter() - t)
    print(f"validation per keystroke (edit + config loader on the whole text): {latency_line(times)}")
    print(f"load average during the run: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")


async def _tabs_and_save(pilot: Any, paints: list[float], app: Any, config_file: Path) -> None:
    from textual.widgets import ContentSwitcher, Input

    from retain.ui.screens.settings import SettingsScreen

    await _until_painted(pilot, paints, "comma", lambda: isinstance(app.screen, SettingsScreen))
    screen = app.screen
    tabs = screen.query_one(ContentSwitcher)
    for pane in ("tab-presets", "tab-decks", "tab-keys"):
        took = await _until_painted(pilot, paints, "ctrl+n", lambda p=pane: tabs.current == p)
        print(
            f"first opening of the {pane[4:]} tab: wall {took[0] * 1000:.0f} ms, CPU {took[1] * 1000:.0f} ms"
        )
    await screen.action_show_tab("tab-general")
    for _ in range(5):
        await pilot.pause()
    field = screen.query_one("#field-learn_ahead_minutes", Input)
    field.focus()
    await pilot.press("7")
    for _ in range(3):
        await pilot.pause()
    before = config_file.stat().st_mtime_ns
    took = await _until_painted(pilot, paints, "ctrl+s", lambda: config_file.stat().st_mtime_ns != before)
    print(
        f"ctrl+s (validate, write, apply) to the next paint: wall {took[0] * 1000:.0f} ms, CPU {took[1] * 1000:.0f} ms"
    )


def main() -> int:
    ap = argparse.ArgumentParser(description="settings screen benchmark")
    ap.add_argument("--home", type=Path, help="a library made by make_library.py (copied first)")
    ap.add_argument("--decks", type=int, default=50, help="decks in the small library made without --home")
    ap.add_argument("--runs", type=int, default=15)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="retain-bench-settings-", ignore_cleanup_errors=True) as tmp:
        home = Path(tmp) / "home"
        if args.home is not None:
            settled_copy(args.home.resolve(), home)
        else:
            _small_library(home, args.decks)
        asyncio.run(_run(home, args.runs))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
