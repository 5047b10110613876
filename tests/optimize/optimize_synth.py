"""A synthetic learner whose memory follows known FSRS-6 weights (for optimizer tests and benchmarks)."""

from __future__ import annotations

import random

import fsrs_rs_python as rs

from retain.core.fsrsfit import HistoryRow

# Far from the defaults: the fitted weights must find them back better than the defaults do.
TRUE_WEIGHTS = (
    0.8,
    3.0,
    8.0,
    20.0,
    6.8,
    0.6,
    2.2,
    0.02,
    1.3,
    0.25,
    1.2,
    1.8,
    0.08,
    0.4,
    1.9,
    0.4,
    2.4,
    0.6,
    0.1,
    0.05,
    0.35,
)


def synthetic_rows(cards: int, reviews_per_card: int, seed: int = 1) -> list[HistoryRow]:
    """History rows (sorted by key, then time) of `cards` cards learned from new, then reviewed
    at intervals around FSRS's, each recall drawn with the true forgetting curve's probability."""
    rng = random.Random(seed)
    model = rs.FSRS(list(TRUE_WEIGHTS))
    decay = -TRUE_WEIGHTS[20]
    factor = 0.9 ** (1 / decay) - 1
    rows: list[HistoryRow] = []
    for c in range(cards):
        key = f"synth/c{c:06d}"
        day = 1000 + rng.randrange(30)
        rating = rng.choices([1, 2, 3, 4], [0.2, 0.1, 0.55, 0.15])[0]
        rows.append(HistoryRow(key, day, True, rating, day, True, False))
        states = model.next_states(None, 0.9, 0)
        memory = (states.again, states.hard, states.good, states.easy)[rating - 1].memory
        for _ in range(reviews_per_card):
            ivl = max(1, round(model.next_interval(memory.stability, 0.9, 3) * rng.uniform(0.6, 1.8)))
            recall = (1 + factor * ivl / memory.stability) ** decay
            rating = rng.choices([2, 3, 4], [0.1, 0.8, 0.1])[0] if rng.random() < recall else 1
            day += ivl
            rows.append(HistoryRow(key, day, True, rating, day, False, False))
            states = model.next_states(memory, 0.9, ivl)
            memory = (states.again, states.hard, states.good, states.easy)[rating - 1].memory
    return rows
