"""CLI-level benchmark of `retain optimize` (issue 16): the optimizer and the workload simulator.

    python benchmarks/bench_optimize.py [--home /tmp/retain-bench-50k] [--cards 50000] [--runs 3]

The library is made with make_library.py (--cards cards in 50 decks, a few months of
history: 294k events at 50k cards) unless --home already holds one. Each figure
is a whole `retain` process (wall time, CPU, peak RSS from os.wait4, see measure.py),
so reading the history is included:

- `retain optimize --all --dry-run`, warm (history index present) and cold (`cache/`
  deleted first: the index is rebuilt from the journals); target: 3 s or less;
- `retain optimize --all --simulate` (one preset: 7 retentions plus the refinement);
  target: 2 s or less per preset;
- the simulator alone in this process (core.workload.simulate_workload on 50k cards);
- the reschedule plan in this process (store.fsrs_presets.reschedule_plan over every card
  with weights far from the ones the history was made with: nearly every card changes),
  warm index, wall and CPU; the settings screen runs it in a thread behind a progress bar;
  target: well under 2 s. Nothing is written (the plan is not applied).

`--only-plan` skips the CLI runs (the library is only read).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from measure import Measured, run_measured  # noqa: E402

RETAIN = [sys.executable, "-m", "retain"]


def _run(home: Path, *args: str) -> Measured:
    env = {**os.environ, "RETAIN_HOME": str(home)}
    return run_measured([*RETAIN, "optimize", *args], env)


def _fmt(name: str, runs: list[Measured], target: float | None) -> str:
    wall = statistics.median(m.wall for m in runs)
    cpu = statistics.median(m.cpu for m in runs)
    rss = max(m.rss_mb for m in runs)
    goal = f"  (target <= {target:g} s: {'ok' if wall <= target else 'OVER'})" if target else ""
    return f"{name:<44} wall {wall:6.2f} s  cpu {cpu:6.2f} s  peak {rss:6.0f} MB{goal}"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("--home", type=Path, default=Path("/tmp/retain-bench-50k"))
    ap.add_argument("--cards", type=int, default=50000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--only-plan", action="store_true", help="only the reschedule plan, in process")
    args = ap.parse_args()
    home: Path = args.home
    if not (home / "state").exists():
        from make_library import make_library

        print(f"building a {args.cards}-card library in {home} (minutes) ...", flush=True)
        home.mkdir(parents=True, exist_ok=True)
        made = make_library(home, args.cards)
        print(
            f"  {made['cards']:.0f} cards, {made['events']:.0f} events in {made['total_s']:.0f} s", flush=True
        )
    if args.only_plan:
        return _plan(home, args.runs)
    _run(home, "--all", "--dry-run")  # warm the history index once
    first = _run(home, "--all", "--dry-run")
    print(first.stdout.strip())
    warm = [first, *(_run(home, "--all", "--dry-run") for _ in range(args.runs - 1))]
    cold = []
    for _ in range(max(1, args.runs // 2)):
        shutil.rmtree(home / "cache", ignore_errors=True)
        cold.append(_run(home, "--all", "--dry-run"))
    sim = [_run(home, "--all", "--simulate") for _ in range(args.runs)]
    print(sim[0].stdout.strip())
    print(_fmt("optimize --all --dry-run (warm index)", warm, 3.0))
    print(_fmt("optimize --all --dry-run (cold: index rebuilt)", cold, None))
    print(_fmt("optimize --all --simulate (1 preset)", sim, 2.0))

    from retain.core.settings import StudySettings
    from retain.core.workload import simulate_workload

    times = []
    for _ in range(args.runs):
        t0 = time.perf_counter()
        simulate_workload(StudySettings(), args.cards)
        times.append(time.perf_counter() - t0)
    print(
        f"{'simulate_workload, in process, ' + str(args.cards) + ' cards':<44} wall {statistics.median(times):6.2f} s"
    )
    return _plan(home, args.runs)


# Weights far from FSRS's defaults (the synthetic learner of tests/optimize), decay 0.35.
PLAN_WEIGHTS = (0.8, 3.0, 8.0, 20.0, 6.8, 0.6, 2.2, 0.02, 1.3, 0.25, 1.2, 1.8, 0.08, 0.4, 1.9, 0.4, 2.4, 0.6)
PLAN_WEIGHTS += (0.1, 0.05, 0.35)


def _plan(home: Path, runs: int) -> int:
    from datetime import UTC, datetime

    from retain.store.collection import Collection
    from retain.store.fsrs_presets import presets_for, reschedule_plan
    from retain.store.home import open_home

    now = datetime.now(UTC)
    col = Collection.open(open_home({"RETAIN_HOME": str(home)}), now, cards=False, read_only=True)
    try:
        presets = presets_for(col, None)
        col.history_index.refresh(now)  # warm: the index is fed before the figures
        walls, cpus, changed = [], [], 0
        for _ in range(max(1, runs)):
            t0, c0 = time.perf_counter(), time.process_time()
            changed = sum(reschedule_plan(col, p, PLAN_WEIGHTS, now).count for p in presets)
            walls.append(time.perf_counter() - t0)
            cpus.append(time.process_time() - c0)
    finally:
        col.close()
    wall, cpu = statistics.median(walls), statistics.median(cpus)
    name = f"reschedule plan, in process, {len(col.states)} states"
    verdict = "ok" if wall < 2.0 else "OVER"
    print(
        f"{name:<44} wall {wall:6.2f} s  cpu {cpu:6.2f} s  ({changed} cards change; target < 2 s: {verdict})"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
