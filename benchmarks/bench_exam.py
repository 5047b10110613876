"""Benchmark exam dates and custom study at library scale: what an exam adds to the home screen's
due counts and forecast, and building the custom-study selections.

Usage: python benchmarks/bench_exam.py [--cards 50000] [--decks 50] [--repeat 10]
Synthetic data from bench_queue.make_library; every deck has an exam 14 days ahead
(the worst case: every unit is capped and forecast).
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from datetime import timedelta

from bench_queue import NOW, make_library

from retain.core.custom_study import select_ahead, select_cram, select_search
from retain.core.exam import ExamPlan, cap_many, forecast
from retain.core.queue import DayLog, count_due
from retain.core.settings import StudySettings


def timed(label: str, fn: Callable[[], object], repeat: int) -> None:
    runs = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        runs.append((time.perf_counter() - t) * 1000)
    runs.sort()
    p95 = runs[min(len(runs) - 1, int(len(runs) * 0.95))]
    print(f"{label:<44} median {statistics.median(runs):8.1f} ms   p95 {p95:8.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cards", type=int, default=50_000)
    parser.add_argument("--decks", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=10)
    args = parser.parse_args()
    units, states = make_library(args.cards, args.decks)
    exam_day = (NOW + timedelta(days=14)).date()
    plan = ExamPlan(NOW + timedelta(days=14), 0.95, 0.1542, exam_day)
    settings = StudySettings()
    today = NOW.date()

    def capped() -> dict[str, object]:
        return {**states, **cap_many(states, states.keys(), plan, NOW)}

    print(
        f"{len(units)} units, {len(states)} with a state, {args.decks} decks, exam in 14 days (recall 0.95)"
    )
    timed(
        "count_due (no exam)",
        lambda: count_due(units, states, DayLog(), lambda d: settings, NOW, today),
        args.repeat,
    )
    timed("capped view of every state", capped, args.repeat)
    view = capped()
    timed(
        "count_due over the capped view",
        lambda: count_due(units, view, DayLog(), lambda d: settings, NOW, today),  # type: ignore[arg-type]
        args.repeat,
    )
    timed("forecast over every card", lambda: forecast(states.values(), plan, today, 20), args.repeat)
    timed(
        "custom study: search 'is:due'",
        lambda: select_search(units, states, "is:due", NOW, today),
        args.repeat,
    )
    timed("custom study: ahead 7 days", lambda: select_ahead(units, states, NOW, 7, today), args.repeat)
    decks = {u.deck_id for u in units[:1]}
    timed("custom study: cram one deck", lambda: select_cram(units, states, decks, today), args.repeat)


if __name__ == "__main__":
    main()
