"""Fuzz stays in the range it computes, each day of it as likely, as Anki's does (h19).

py-fsrs draws `round(rng * (high - low + 1) + low)`: a day past `high` came up, and both ends
half as often as the days between. Anki (rslib `fuzz.rs`, `with_review_fuzz`) takes the floor.
"""

from __future__ import annotations

import random
from collections import Counter
from datetime import timedelta

import pytest

from retain.core.scheduler import Scheduler
from retain.core.settings import StudySettings

# (interval, Anki's fuzz range): delta 1 + 0.15 * (min(d, 7) - 2.5) + 0.1 * (min(d, 20) - 7) + 0.05 * (d - 20)
RANGES = [(3, (2, 4)), (8, (6, 10)), (30, (27, 33)), (100, (93, 107))]


@pytest.mark.parametrize(("days", "bounds"), RANGES)
def test_every_day_of_the_range_and_none_past_it(days: int, bounds: tuple[int, int]) -> None:
    fsrs = Scheduler(StudySettings()).__dict__["_fsrs"]
    seen: Counter[int] = Counter()
    for seed in range(4000):
        fsrs.rng = random.Random(seed)
        seen[fsrs._get_fuzzed_interval(interval=timedelta(days=days)).days] += 1
    low, high = bounds
    assert set(seen) == set(range(low, high + 1)), sorted(seen.items())
    share = 4000 / (high - low + 1)
    assert min(seen.values()) > 0.75 * share, sorted(seen.items())  # the ends as likely as the rest
