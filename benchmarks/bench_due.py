"""Whole-process `retain due --json` at 50k cards, side by side with Anki in the same run.

    python benchmarks/make_library.py --cards 50000 --home /tmp/lib50k     # once
    python benchmarks/bench_due.py --home /tmp/lib50k [--runs 15] [--anki-python PATH]

Each round runs `retain due --json` (a fresh interpreter, warm derived caches)
and, when an Anki venv is available (see bench_anki.py), a fresh interpreter
that opens an equally sized Anki collection and computes its due tree; the two
alternate so machine load hits both alike. The TUI's launch summary, which
answers `due` at once when no file changed since the app closed, is removed
before each warm run: the figure is of opening the collection, as after a sync
or when the app never ran. A third series edits one deck file before each run
(a comment line appended: that deck is parsed again). Also printed: the cold
start (no derived cache: TOML parsed with the deck files and snapshots) and the
in-process time of `Collection.open` + `due_counts`.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_anki import anki_whole_process, build_anki_collection, default_anki_python

__all__ = ["main"]

_INPROC = r"""
import time, sys
t0 = time.perf_counter()
from datetime import UTC, datetime
from retain.store.collection import Collection
from retain.store.home import open_home
t1 = time.perf_counter()
now = datetime.now(UTC)
col = Collection.open(open_home(), now, read_only=True, cards=False)
t2 = time.perf_counter()
counts = col.due_counts(now)
t3 = time.perf_counter()
print(f"{t1 - t0:.4f} {t2 - t1:.4f} {t3 - t2:.4f} {len(col.units)} {len(col.states)}")
"""


def _cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def _retain_due(home: Path, cpu: list[float] | None = None) -> float:
    env = {**os.environ, "RETAIN_HOME": str(home)}
    c = _cpu()
    t = time.perf_counter()
    subprocess.run(["retain", "due", "--json"], env=env, check=True, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - t
    if cpu is not None:
        cpu.append(_cpu() - c)
    return wall


def _ms(values: list[float]) -> str:
    return f"median {statistics.median(values) * 1000:.0f} ms (min {min(values) * 1000:.0f}, max {max(values) * 1000:.0f})"


def main() -> int:
    ap = argparse.ArgumentParser(description="retain due vs Anki, whole process")
    ap.add_argument("--home", type=Path, required=True)
    ap.add_argument("--runs", type=int, default=15)
    ap.add_argument("--anki-python", default=default_anki_python())
    ap.add_argument("--anki-dir", type=Path, default=Path("/tmp/retain-bench-anki"))
    args = ap.parse_args()
    env = {**os.environ, "RETAIN_HOME": str(args.home)}
    units = subprocess.run(
        [sys.executable, "-c", _INPROC], env=env, check=True, capture_output=True, text=True
    ).stdout.split()
    cards = int(units[3])
    anki = None
    if args.anki_python:
        anki = build_anki_collection(args.anki_dir, 50000 if cards >= 50000 else cards, args.anki_python)

    cache = args.home / "cache"
    cold: list[float] = []
    for _ in range(3):
        shutil.rmtree(cache, ignore_errors=True)
        cold.append(_retain_due(args.home))
    ours: list[float] = []
    theirs: list[float] = []
    inproc_anki: list[float] = []
    ours_cpu: list[float] = []
    theirs_cpu: list[float] = []
    edited: list[float] = []
    summary = cache / "home-summary.marshal"  # (`homesummary.summary_path`)
    deck = min((args.home / "decks").glob("*.toml"))
    text = deck.read_bytes()
    _retain_due(args.home)  # warm the caches
    for i in range(args.runs):
        summary.unlink(missing_ok=True)
        ours.append(_retain_due(args.home, ours_cpu))
        with deck.open("ab") as fh:
            fh.write(f"# edited by bench_due.py ({i})\n".encode())
        summary.unlink(missing_ok=True)
        edited.append(_retain_due(args.home))
        if anki is not None and args.anki_python:
            c = _cpu()
            wall, info = anki_whole_process(anki, args.anki_python)
            theirs_cpu.append(_cpu() - c)
            theirs.append(wall)
            inproc_anki.append(info["open_due_s"])
    deck.write_bytes(text)
    inproc = [
        [
            float(x)
            for x in subprocess.run(
                [sys.executable, "-c", _INPROC], env=env, check=True, capture_output=True, text=True
            ).stdout.split()[:3]
        ]
        for _ in range(5)
    ]
    print(f"library: {cards} review units, {units[4]} with progress")
    print(f"retain due --json, whole process, warm caches, no launch summary: {_ms(ours)}")
    print(f"retain due --json, whole process, just after one deck file was edited: {_ms(edited)}")
    print(f"retain due --json, CPU time (user+sys): {_ms(ours_cpu)}")
    print(f"retain due --json, whole process, cold (no derived cache): {_ms(cold)}")
    print(
        "retain in-process: import "
        f"{statistics.median(r[0] for r in inproc) * 1000:.0f} ms, Collection.open "
        f"{statistics.median(r[1] for r in inproc) * 1000:.0f} ms, due_counts "
        f"{statistics.median(r[2] for r in inproc) * 1000:.0f} ms"
    )
    if theirs:
        print(f"anki open + due tree, whole process (same run): {_ms(theirs)}")
        print(f"anki open + due tree, CPU time (user+sys): {_ms(theirs_cpu)}")
        print(f"anki open + due tree, in-process: median {statistics.median(inproc_anki) * 1000:.0f} ms")
        ratio = statistics.median(ours) / statistics.median(theirs)
        print(f"retain / anki whole-process wall time: {ratio:.2f}")
        print(
            f"retain / anki, just after a deck edit: {statistics.median(edited) / statistics.median(theirs):.2f}"
        )
        cpu_ratio = statistics.median(ours_cpu) / statistics.median(theirs_cpu)
        print(f"retain / anki CPU time: {cpu_ratio:.2f}")
    else:
        print("anki: no venv found (see bench_anki.py); no side-by-side figure")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
