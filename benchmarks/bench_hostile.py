"""Time `retain check` and `retain due` on generated worst-case deck files (issue 11's goal: linear, <= 2 s/MB).

    python benchmarks/bench_hostile.py                   # every case at 1 MB, in-process
    python benchmarks/bench_hostile.py --sizes 1 4 10    # several sizes (MB): shows the growth
    python benchmarks/bench_hostile.py --cli --sizes 10  # the real commands in a subprocess

In-process it times what both commands do with one deck file: parse and
validate (`core.deckfile.parse_deck`), expand the review units, run the author
lint and format every problem. `--cli` runs `retain check FILE` and `retain due`
(a fresh RETAIN_HOME holding the deck, so the parse cache is cold). The cases
come from `tests/hostile/worst.py`, shared with the hostile tests. For reference
it also prints the stdlib TOML parser's time on the same text: the floor.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import subprocess
import sys
import tempfile
import time
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "hostile"))

from worst import DECKS  # noqa: E402

from retain.core.deckfile import parse_deck  # noqa: E402
from retain.core.lint import lint_deck  # noqa: E402
from retain.core.units import expand_deck  # noqa: E402


def in_process(text: str) -> float:
    start = time.perf_counter()
    result = parse_deck(text, "hostile.toml")
    if result.deck is not None:
        expand_deck(result.deck)
        lint_deck(result.deck)
    for problem in result.problems:
        str(problem)
    return time.perf_counter() - start


def toml_floor(text: str) -> float:
    start = time.perf_counter()
    with contextlib.suppress(tomllib.TOMLDecodeError):
        tomllib.loads(text)
    return time.perf_counter() - start


def cli(text: str) -> tuple[float, float]:
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        (home / "decks").mkdir()
        deck = home / "decks" / "hostile.toml"
        deck.write_text(text, "utf-8")
        env = {**os.environ, "RETAIN_HOME": str(home)}
        times = []
        for args in (["check", str(deck)], ["due"]):
            start = time.perf_counter()
            subprocess.run([sys.executable, "-m", "retain", *args], env=env, capture_output=True, check=False)
            times.append(time.perf_counter() - start)
        return times[0], times[1]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", type=float, nargs="+", default=[1.0], help="deck sizes in MB")
    parser.add_argument("--cases", nargs="+", default=sorted(DECKS), choices=sorted(DECKS))
    parser.add_argument(
        "--cli", action="store_true", help="also run the real `retain check` and `retain due`"
    )
    args = parser.parse_args()
    head = f"{'case':<28} {'MB':>6} {'tomllib s':>10} {'check+due s':>12} {'s/MB':>6}"
    print(head + (f"  {'retain check s':>15} {'retain due s':>13}" if args.cli else ""))
    worst = 0.0
    for name in args.cases:
        for size in args.sizes:
            text = DECKS[name](int(size * 1_000_000))
            mb = len(text.encode()) / 1e6
            floor = toml_floor(text)
            spent = in_process(text)
            worst = max(worst, spent / mb)
            line = f"{name:<28} {mb:>6.2f} {floor:>10.2f} {spent:>12.2f} {spent / mb:>6.2f}"
            if args.cli:
                check_s, due_s = cli(text)
                line += f"  {check_s:>15.2f} {due_s:>13.2f}"
            print(line, flush=True)
    print(f"worst: {worst:.2f} s/MB (goal: at most 2 s/MB)")


if __name__ == "__main__":
    main()
