"""How long `retain add` takes to append one card to a big deck, as a script calls it.

    python benchmarks/bench_add.py [--cards 1000 10000 40000] [--repeat 3]

Each deck file is `bench_deckedit.make_deck_text` (comments and multi-line
backs, as authors write them) in the user deck folder of a fresh home; 40,000
such cards are 9.6 MB, under the 10 MiB a deck file may hold. The first run
after the deck is written ("first") parses it; each later add ("next") finds
the deck in the cache the previous add left. Figures are whole-process wall
seconds (median of `--repeat` adds) and peak RSS, from `measure.run_measured`.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from bench_deckedit import make_deck_text
from measure import run_measured

__all__ = ["main"]


def _add(retain: str, env: dict[str, str], n: int) -> tuple[float, float]:
    cmd = [retain, "add", "--deck", "bench", "--front", f"Added question {n}?", "--back", f"answer {n}"]
    measured = run_measured(cmd, env)
    if "added bench/" not in measured.stdout:
        raise SystemExit(f"retain add failed: {measured.stderr.strip()}")
    return measured.wall, measured.rss_mb


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cards", type=int, nargs="+", default=[1000, 10000, 40000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--retain", default=shutil.which("retain") or "retain")
    args = parser.parse_args(argv)
    print(f"{'cards':>7} {'first s':>8} {'next s':>8} {'peak MB':>8}")
    for count in args.cards:
        home = Path(tempfile.mkdtemp(prefix="bench-add-"))
        try:
            (home / "decks").mkdir()
            (home / "decks" / "bench.toml").write_text(make_deck_text(count), encoding="utf-8")
            env = {**os.environ, "RETAIN_HOME": str(home)}
            first, rss = _add(args.retain, env, 0)
            runs = [_add(args.retain, env, n) for n in range(1, args.repeat + 1)]
            wall = statistics.median(r[0] for r in runs)
            peak = max(rss, *(r[1] for r in runs))
            print(f"{count:>7} {first:>8.2f} {wall:>8.2f} {peak:>8.0f}")
        finally:
            shutil.rmtree(home, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
