"""CLI-LEVEL benchmark of `retain export --with-progress`: wall time, CPU time and peak RSS.

    python benchmarks/bench_export.py [--cards 50000] [--dir /tmp/retain-bench-stats] [--runs 2]

Uses the library bench_stats.py makes (benchmarks/make_library.py: 50 decks in 5 groups of 10,
80% of the cards with a few months of history), copied once with every deck put in one group
"All", so that a whole library goes into one package. Then, each a fresh process
(measure.py: the kernel's peak RSS of exactly that process):
- `export All --with-progress -o all.apkg`: every card, its scheduling and every review in one
  `.apkg` (the writer reads the history a deck at a time);
- `export "Benchmark group 0" --with-progress -o g0.apkg`: a group of 10 decks (in the library
  as made);
- `export All --with-progress -o folder/`: a `.toml` and a progress sidecar per deck;
- `export All -o plain.apkg`: no progress (the reference).
Issue 10's ceiling for any command at 50k cards is 200 MB of peak RSS.
"""

from __future__ import annotations

import argparse
import re
import shutil
import statistics
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench_stats import ensure_library, retain  # noqa: E402
from measure import Measured, settled_copy  # noqa: E402

_REVIEWS = re.compile(r"(\d+) review\(s\)")
_GROUP = re.compile(r'^group = "Benchmark group \d+"$', re.MULTILINE)


def one_group(src: Path, dst: Path) -> Path:
    """A copy of the library `src` whose decks are all in group "All" (made once)."""
    if not (dst / "decks").is_dir():
        settled_copy(src, dst, ignore=shutil.ignore_patterns("cache"))
        for deck in (dst / "decks").glob("*.toml"):
            deck.write_text(_GROUP.sub('group = "All"', deck.read_text("utf-8")), "utf-8")
        retain(dst, "due", "--json")  # (the index and caches made before the figures)
    return dst


def line(name: str, runs: list[Measured]) -> str:
    wall = statistics.median(m.wall for m in runs)
    cpu = statistics.median(m.cpu for m in runs)
    rss = max(m.rss_mb for m in runs)
    return f"  {name:<44} {wall:6.2f} s wall  {cpu:6.2f} s CPU  {rss:6.0f} MB peak RSS"


def main() -> None:
    ap = argparse.ArgumentParser(description="retain export --with-progress: time and peak RSS")
    ap.add_argument("--cards", type=int, default=50_000)
    ap.add_argument("--dir", type=Path, default=Path("/tmp/retain-bench-stats"))
    ap.add_argument("--runs", type=int, default=2)
    args = ap.parse_args()
    args.dir.mkdir(parents=True, exist_ok=True)
    src, events = ensure_library(args.dir, args.cards)
    home = one_group(src, args.dir / f"export-{args.cards}")
    out = args.dir / f"export-{args.cards}-out"
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir()
    every = ["export", "All", "--with-progress", "-o"]
    cases = {
        "All --with-progress -o all.apkg": (home, [*every, str(out / "all.apkg")]),
        "'Benchmark group 0' --with-progress (10 decks)": (
            src,
            ["export", "Benchmark group 0", "--with-progress", "-o", str(out / "g0.apkg")],
        ),
        "All --with-progress -o folder/ (.toml)": (home, [*every, f"{out / 'f'}/"]),
        "All -o plain.apkg (no progress)": (home, ["export", "All", "-o", str(out / "plain.apkg")]),
    }
    print(f"{args.cards:,} cards, {events:,} review events; {args.runs} run(s) each, median (RSS: max)")
    for name, (where, cmd) in cases.items():
        runs = [retain(where, *cmd, "--force") for _ in range(args.runs)]
        if found := _REVIEWS.search(runs[-1].stdout):
            name += f" [{found.group(1)} reviews]"
        print(line(name, runs), flush=True)
    print("  target: peak RSS <= 200 MB for any command at 50k cards (issue 10)")


if __name__ == "__main__":
    main()
