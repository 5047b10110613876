"""Benchmark the study queue at library scale: `count_due` (the `retain due` fast path),
`build_queue`, and choosing the next card after a rating.

Usage: python benchmarks/bench_queue.py [--cards 50000] [--decks 50] [--repeat 20]
Synthetic data, built in memory: 80% of the units have a review state (most in review,
some learning/relearning, 1% suspended), 20% are new; every fifth card is a reversed pair.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from datetime import UTC, datetime, timedelta

from retain.core.model import Unit
from retain.core.queue import DayLog, build_queue, count_due
from retain.core.scheduler import Scheduler
from retain.core.settings import StudySettings
from retain.core.state import LEARNING, RELEARNING, REVIEW, CardState

NOW = datetime(2026, 6, 1, 12, tzinfo=UTC)


def make_library(cards: int, decks: int, seed: int = 1) -> tuple[list[Unit], dict[str, CardState]]:
    rng = random.Random(seed)
    units: list[Unit] = []
    per_deck = cards // decks
    for d in range(decks):
        deck = f"deck-{d:02d}"
        n = 0
        while n < per_deck:
            card = f"card-{n:05d}"
            if n % 5 == 0 and n + 1 < per_deck:
                units.append(Unit(f"{deck}/{card}", deck, card, "", "reversed", "f", "b"))
                units.append(Unit(f"{deck}/{card}:reverse", deck, card, "reverse", "reversed", "b", "f"))
                n += 2
            else:
                units.append(Unit(f"{deck}/{card}", deck, card, "", "basic", "f", "b"))
                n += 1
    states: dict[str, CardState] = {}
    for u in units:
        if rng.random() >= 0.8:
            continue
        roll = rng.random()
        stability = rng.uniform(1, 200)
        last = NOW - timedelta(days=rng.uniform(0, stability * 1.5))
        kind = REVIEW if roll < 0.95 else (LEARNING if roll < 0.98 else RELEARNING)
        due = (
            last + timedelta(days=stability)
            if kind == REVIEW
            else NOW + timedelta(minutes=rng.uniform(-30, 30))
        )
        states[u.key] = CardState(
            state=kind,
            step=None if kind == REVIEW else 0,
            stability=stability,
            difficulty=rng.uniform(1, 10),
            due=due,
            last_review=last,
            reps=rng.randint(1, 30),
            lapses=rng.randint(0, 3),
            suspended=rng.random() < 0.01,
        )
    return units, states


def timed(fn: object, repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()  # type: ignore[operator]
        out.append((time.perf_counter() - start) * 1000)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cards", type=int, default=50000)
    parser.add_argument("--decks", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    units, states = make_library(args.cards, args.decks)
    settings = StudySettings()
    log = DayLog()
    today = NOW.date()

    def settings_for(_deck: str) -> StudySettings:
        return settings

    counts = count_due(units, states, log, settings_for, NOW, today)
    total = sum(c.total for c in counts.values())
    t_count = timed(lambda: count_due(units, states, log, settings_for, NOW, today), args.repeat)
    t_build = timed(
        lambda: build_queue(units, states, log, settings_for, NOW, today), max(3, args.repeat // 4)
    )

    queue = build_queue(units, states, log, settings_for, NOW, today)
    sched = Scheduler(settings)
    steps: list[float] = []
    now = NOW
    for _ in range(300):
        start = time.perf_counter()
        unit = queue.next(now)
        if unit is None:
            break
        after = sched.preview(unit.key, states.get(unit.key), now)[3]
        states[unit.key] = after
        queue.apply(unit.key, after, now)
        queue.next(now)
        steps.append((time.perf_counter() - start) * 1000)
        now += timedelta(seconds=5)

    print(f"units: {len(units)}  states: {len(states)}  decks: {args.decks}  due total: {total}")
    print(f"count_due:   median {statistics.median(t_count):.1f} ms  min {min(t_count):.1f} ms")
    print(f"build_queue: median {statistics.median(t_build):.1f} ms  min {min(t_build):.1f} ms")
    if steps:
        print(
            f"next+preview+apply+next: median {statistics.median(steps) * 1000:.0f} us"
            f"  p95 {sorted(steps)[int(len(steps) * 0.95)] * 1000:.0f} us  over {len(steps)} ratings"
        )


if __name__ == "__main__":
    main()
