"""TUI benchmarks at 50k cards: key press to next card painted, and launch to an interactive home.

    python benchmarks/make_library.py --cards 50000 --home /tmp/lib50k      # once
    python benchmarks/bench_ui.py --home /tmp/lib50k [--cards 300] [--runs 9]

1. Key press to next card painted (in-process, Textual's Pilot, on a copy of the
   library so the real one is not changed): for each card, Space reveals, then
   "3" rates Good; the time from the key press to the first screen paint that
   shows the next card (the app's `_display` call) is recorded. Printed: median
   and p95 (target p95 <= 12.9 ms, issue 10), and the same for the reveal.
2. Launch to interactive home (whole process, in a real pty, as a person starts
   it): `retain` until the home screen's footer ("Study selected") is painted,
   against a bare Textual hello-world app launched the same way, alternating in
   the same run. Printed: medians and the ratio (target <= 1.17x from the launch
   summary, <= 1.3x after a deck edit; issue 10). Note: this part runs on
   `--home` itself (it edits a deck file and deletes the summary): pass a copy.
   Then, key to repaint just after launch: Down is pressed 3 times at 0, 0.3, 1
   and 4 s after the home screen appeared (the collection is still opening in
   the background at first), 3 launches each; the time until the next output
   chunk is read.
   Two kinds of `retain` launch are timed: the usual one, painted from the
   launch summary the previous run saved (`store.homesummary`; the collection
   then opens in the background); one after a deck file was edited (the
   summary is stale: the first paint shows its figures, the collection
   corrects them right after); and one with the summary deleted first (the
   first launch, or `cache/` deleted), which opens the collection before painting.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from measure import latency_line, settled_copy  # noqa: E402

from e2e.ptyapp import PtyApp  # noqa: E402

__all__ = ["main"]

HELLO = """
from textual.app import App
from textual.widgets import Footer, Static

class Hello(App[None]):
    BINDINGS = [("q", "quit", "Quit"), ("s", "bell", "Study selected")]

    def compose(self):
        yield Static("hello")
        yield Footer()

Hello().run()
"""


async def _key_latency(home: Path, cards: int) -> dict[str, list[float]]:

    from retain.store.collection import Collection
    from retain.store.home import open_home
    from retain.ui.app import make_app
    from retain.ui.screens.study import StudyScreen

    os.environ["RETAIN_HOME"] = str(home)
    # Lift the daily limits so the session has `cards` cards whatever was studied today.
    (home / "config.toml").write_text("[study]\nnew_per_day = 9999\nreviews_per_day = 9999\n")
    shown = [0]
    show_current = StudyScreen._show_current

    def counting(screen: StudyScreen) -> None:
        shown[0] += 1
        show_current(screen)

    StudyScreen._show_current = counting  # type: ignore[method-assign]
    home_ = open_home()
    collection = Collection.open(home_, datetime.now(UTC))
    gc.freeze()  # as `retain` does after opening (commands/review.py)
    app = make_app(collection, config=home_.config, review=None, start_in_review=True)
    paints: list[tuple[float, str | None, str]] = []
    results: dict[str, list[float]] = {"rate": [], "reveal": []}

    def current(app_: Any) -> tuple[str | None, str]:
        screen = app_.screen
        if isinstance(screen, StudyScreen) and screen.session.current is not None:
            return screen.session.current.key, screen.session.phase
        return None, ""

    try:
        async with app.run_test(size=(100, 30)) as pilot:
            display = app._display

            def spy(screen: Any, update: Any) -> None:
                paints.append((time.perf_counter(), *current(app)))
                display(screen, update)

            app._display = spy  # type: ignore[method-assign]
            await pilot.pause()
            await app.workers.wait_for_complete()
            await pilot.pause()
            for _ in range(cards + 1):  # the first card warms up (the journal file is opened)
                key, _phase = current(app)
                if key is None:
                    break
                unit = app.screen.session.current  # type: ignore[attr-defined]
                reveal = "enter" if unit.kind == "typed" else "space"  # Space would type into the answer
                await _measure(
                    pilot, paints, reveal, lambda k=key: current(app) == (k, "back"), results["reveal"]
                )
                before = shown[0]
                await _measure(pilot, paints, "3", lambda b=before: shown[0] > b, results["rate"])
    finally:
        StudyScreen._show_current = show_current  # type: ignore[method-assign]
        collection.close()
    return results


CPU: dict[str, list[float]] = {}


async def _measure(pilot: Any, paints: list[Any], key: str, done: Any, into: list[float]) -> None:
    start = time.perf_counter()
    cpu = time.process_time()
    mark = len(paints)
    await pilot.press(key)
    deadline = time.perf_counter() + 30
    while time.perf_counter() < deadline:
        for when, *_ in paints[mark:]:
            if when >= start and done():
                into.append(when - start)
                CPU.setdefault(key, []).append(time.process_time() - cpu)
                await pilot.pause()
                return
        await asyncio.sleep(0.0005)
    screen = pilot.app.screen
    raise RuntimeError(
        f"no paint after {key!r}: {len(paints) - mark} paints, {screen!r}, "
        f"{getattr(screen, 'session', None) and (screen.session.current, screen.session.phase)}, {paints[mark:]}"
    )


def main() -> int:
    ap = argparse.ArgumentParser(description="retain TUI benchmarks at 50k cards")
    ap.add_argument("--home", type=Path, required=True, help="a library made by make_library.py")
    ap.add_argument("--cards", type=int, default=300, help="cards to review for the key benchmark")
    ap.add_argument("--runs", type=int, default=9, help="launch rounds")
    ap.add_argument("--skip-keys", action="store_true")
    ap.add_argument("--skip-launch", action="store_true")
    args = ap.parse_args()
    home: Path = args.home.resolve()
    if not (home / "state").is_dir():
        print(f"{home} has no retain state: run benchmarks/make_library.py first", file=sys.stderr)
        return 1
    if not args.skip_keys:
        with tempfile.TemporaryDirectory(prefix="retain-bench-", ignore_cleanup_errors=True) as tmp:
            copy = Path(tmp) / "home"
            settled_copy(home, copy)
            results = asyncio.run(_key_latency(copy, args.cards))
        first = results["rate"].pop(0)
        results["reveal"].pop(0)
        print(f"first rating of the session (opens the journal): {first * 1000:.0f} ms")
        print(f"key '3' (rate Good) to next card painted: {latency_line(results['rate'])}")
        print(f"key space (reveal) to answer painted:     {latency_line(results['reveal'])}")
        print(
            f"CPU time of this process per key (load-independent): rate {latency_line(CPU['3'][1:])}; "
            f"reveal {latency_line(CPU['space'][1:])}"
        )
        print(f"load average during the run: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    if not args.skip_launch:
        launch(home, args.runs)
    return 0


_PHASES = r"""
import time
t0 = time.perf_counter()
from datetime import UTC, datetime
from retain.store.home import open_home
from retain.store.index.homesummary import load_summary
from retain.store.localzone import local_timezone
home = open_home()
ta = time.perf_counter()
hit = load_summary(home, datetime.now(UTC), local_timezone())
tb = time.perf_counter()
print(f"launch summary: load + count {tb - ta:.3f} s ({'hit' if hit else 'MISS'}); ", end="")
t0 = time.perf_counter()
from retain.store.collection import Collection
t1 = time.perf_counter()
home = open_home()
col = Collection.open(home, datetime.now(UTC), read_only=True)
t2 = time.perf_counter()
from retain.ui.app import make_app
t3 = time.perf_counter()
make_app(col, config=home.config).home_data()
t4 = time.perf_counter()
print(f"without it: store import {t1 - t0:.3f} s, Collection.open {t2 - t1:.3f} s, "
      f"ui import (Textual) {t3 - t2:.3f} s, home counts {t4 - t3:.3f} s")
"""


def phases(home: Path) -> None:
    """Where a launch goes, in a fresh interpreter (read-only open: no lock, no backup)."""
    env = {**os.environ, "RETAIN_HOME": str(home)}
    out = subprocess.run([sys.executable, "-c", _PHASES], env=env, capture_output=True, text=True, check=True)
    print(f"launch phases: {out.stdout.strip()}")


def launch(home: Path, runs: int) -> None:
    # `pip install .` compiles retain's bytecode; an editable install under PYTHONDONTWRITEBYTECODE
    # would compile ~40 modules from source on every launch (~60 ms) while Textual's are compiled.
    import compileall

    import retain

    compileall.compile_dir(str(Path(retain.__file__).parent), quiet=1)
    with tempfile.TemporaryDirectory(prefix="retain-hello-", ignore_cleanup_errors=True) as tmp:
        script = Path(tmp) / "hello.py"
        script.write_text(HELLO, encoding="utf-8")
        hello: list[float] = []
        retain: list[float] = []
        cold: list[float] = []
        edited: list[float] = []
        summary = home / "cache" / "home-summary.marshal"
        deck_file = sorted((home / "decks").glob("*.toml"))[0]
        _run_pty(None, home, "Study selected")  # saves the summary if the last run did not
        for _ in range(runs):
            hello.append(_run_pty([sys.executable, str(script)], home, "Study selected"))
            if not _summary_is_valid(home):
                raise RuntimeError("retain did not save a valid launch summary (another retain running?)")
            retain.append(_run_pty(None, home, "Study selected"))
            with deck_file.open("a", encoding="utf-8") as fh:
                fh.write("# edited by bench_ui.py\n")  # the summary no longer applies (stale)
            edited.append(_run_pty(None, home, "Study selected"))
            summary.unlink()
            cold.append(_run_pty(None, home, "Study selected"))
    ratio = statistics.median(retain) / statistics.median(hello)
    print(f"launch to interactive home, retain at 50k: {latency_line(retain)}")
    print(f"  the same after a deck file was edited:   {latency_line(edited)}")
    print(f"  the same without a launch summary:       {latency_line(cold)}")
    print(f"launch, bare Textual hello-world:          {latency_line(hello)}")
    print(
        f"ratio (medians): {ratio:.2f}x (target <= 1.17x); after a deck edit (stale summary, target <= 1.3x) "
        f"{statistics.median(edited) / statistics.median(hello):.2f}x; without a summary "
        f"{statistics.median(cold) / statistics.median(hello):.2f}x"
    )
    phases(home)
    responsiveness(home)


DOWN = "\x1b[B"


def responsiveness(home: Path) -> None:
    """Key (Down) to repaint on the home screen at moments just after launch."""
    parts = []
    for delay in (0.0, 0.3, 1.0, 4.0):
        latencies: list[float] = []
        for _ in range(3):
            app = PtyApp([], home)
            app.wait_for("Study selected", timeout=120)
            time.sleep(delay)
            for _ in range(3):
                mark = len(app.chunks)
                start = time.perf_counter()
                app.press(DOWN)
                while len(app.chunks) == mark and time.perf_counter() - start < 5:
                    time.sleep(0.0005)
                latencies.append(app.chunks[mark][0] - start if len(app.chunks) > mark else 5.0)
                time.sleep(0.1)
            app.press("q")
            app.wait_exit()
        ms = [v * 1000 for v in latencies]
        parts.append(f"{delay:g} s: median {statistics.median(ms):.1f} ms, max {max(ms):.1f} ms")
    print("key to repaint just after launch (Down on the home screen): " + "; ".join(parts))


def _summary_is_valid(home: Path) -> bool:
    """The next launch will paint from the summary (same check as `retain` makes)."""
    from retain.store.home import open_home
    from retain.store.index.homesummary import load_summary
    from retain.store.localzone import local_timezone

    found = load_summary(open_home({"RETAIN_HOME": str(home)}), datetime.now(UTC), local_timezone())
    return found is not None


def _run_pty(command: list[str] | None, home: Path, expect: str) -> float:
    start = time.perf_counter()
    app = PtyApp([], home, command=command)
    app.wait_for(expect, timeout=120)
    took = app.arrival(expect) - start  # when the paint was read, not when the 50 ms poll saw it
    app.press("q")
    app.wait_exit()
    return took


if __name__ == "__main__":
    raise SystemExit(main())
