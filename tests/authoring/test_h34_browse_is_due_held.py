"""The browser's and custom study's `is:due` count as `retain due` on studied histories.

`retain due` and the home screen leave out a review card whose sibling is in a learning step due
later today, or was rated today (a session holds it back for another day); the browser's `is:due`
found it (21 where `retain due` said 19). `BrowseIndex` and custom study now pass the notes held
back (`core.due.held_notes`) to `is:due`.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from retain.core.custom_study import CustomStudy
from retain.core.due import note_of
from retain.core.state import LEARNING, RELEARNING, REVIEW
from retain.store.collection import Collection
from retain.store.custom_session import custom_units
from retain.store.decks.browse import BrowseIndex
from retain.store.home import open_home


def _study(home_dir: Path, seed: int) -> datetime:
    """Two mornings of 40 random ratings over the bundled decks, and a few this morning; `now`."""
    rng = random.Random(seed)
    home = open_home({"RETAIN_HOME": str(home_dir)})
    start = datetime(2026, 12, 5, 9, 0, tzinfo=UTC)
    for day, ratings in ((0, 40), (1, 40), (2, rng.randint(0, 12))):
        now = start + timedelta(days=day)
        with Collection.open(home, now, tz=UTC) as col:
            session = col.start_session(None, now)
            for _ in range(ratings):
                if session.current is None or session.phase == "done":
                    break
                session.reveal()
                session.rate(rng.choices([1, 2, 3, 4], [15, 10, 60, 15])[0], now, 4000)
                now += timedelta(seconds=20)
    return start + timedelta(days=2, hours=rng.randint(1, 14))


@pytest.mark.parametrize("seed", [7, 11, 23, 42])
def test_browser_and_custom_study_is_due_count_as_retain_due(tmp_path: Path, seed: int) -> None:
    now = _study(tmp_path, seed)
    with Collection.open(open_home({"RETAIN_HOME": str(tmp_path)}), now, tz=UTC) as col:
        counts = col.due_counts(now)
        expected = (sum(c.learning for c in counts.values()), sum(c.review for c in counts.values()))
        browsed = BrowseIndex.from_collection(col).search("is:due", now, col.today(now))
        studied = custom_units(col, CustomStudy("search", "is:due"), now)
        for found in (browsed, studied):
            steps = sum(1 for u in found if col.states[u.key].state in (LEARNING, RELEARNING))
            notes = {note_of(u.key) for u in found if col.states[u.key].state == REVIEW}
            assert (steps, len(notes)) == expected  # (a note's cards due together: one row of Due)
