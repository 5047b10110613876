"""A clock that is wrong by days never loses progress (issue 10, "two ways progress is lost", 1).

Events (and snapshot records) dated in the future are kept and applied in
time order, and no snapshot or manifest position moves past an event that
was not applied.
"""

from __future__ import annotations

import shutil
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from store_helpers import NOW, make_home, open_col, rate, review_state

from retain.core.state import Event
from retain.store.home import Home
from retain.store.state.journal import JournalWriter

CARDS = 12
DECK = 'format = 1\n\n[deck]\nid = "many"\nname = "Many"\n' + "".join(
    f'\n[[cards]]\nid = "c{i}"\nfront = "Q{i}"\nback = "A{i}"\n' for i in range(CARDS)
)
KEYS = [f"many/c{i}" for i in range(CARDS)]


def _learned(root: Path, when: object) -> set[str]:
    col = open_col(make_home(root, DECK), when)  # type: ignore[arg-type]
    try:
        return {k for k in KEYS if k in col.states}
    finally:
        col.close(when)  # type: ignore[arg-type]


def _one_here_five_ahead(root: Path) -> tuple[Home, datetime]:
    """One card rated here at NOW; five rated by a synced device whose clock runs two days ahead."""
    home = make_home(root, DECK)
    col = open_col(home, NOW)
    rate(col, KEYS[0], NOW)
    col.close(NOW + timedelta(minutes=1))
    ahead = NOW + timedelta(days=2)
    writer = JournalWriter(root / "state" / "devices" / "laptop-1", fsync=False)
    for i, key in enumerate(KEYS[1:6]):
        at = ahead + timedelta(minutes=i)
        writer.append(Event(f"laptop-1-{i}", "review", key, at, review_state(at), None, 3, 100))
    writer.close()
    return home, ahead


def test_a_clock_set_days_back_keeps_every_review(tmp_path: Path) -> None:
    home = make_home(tmp_path, DECK)
    col = open_col(home, NOW)
    for i, key in enumerate(KEYS[:10]):
        rate(col, key, NOW + timedelta(seconds=i))
    col.close(NOW + timedelta(minutes=1))
    back = NOW - timedelta(days=3)  # the clock is wrong now
    col = open_col(home, back)
    try:
        assert {k for k in KEYS if k in col.states} == set(KEYS[:10])
        assert not any("set aside" in m for m in col.messages), col.messages
        for i, key in enumerate(KEYS[10:]):
            rate(col, key, back + timedelta(seconds=i))
    finally:
        col.close(back + timedelta(minutes=1))
    assert _learned(tmp_path, NOW + timedelta(minutes=5)) == set(KEYS)  # the clock is right again
    assert _learned(tmp_path, NOW + timedelta(days=3)) == set(KEYS)


def test_a_synced_device_whose_clock_runs_ahead_keeps_its_reviews(tmp_path: Path) -> None:
    home, _ahead = _one_here_five_ahead(tmp_path)
    col = open_col(home, NOW + timedelta(minutes=2))  # this computer's clock is right
    try:
        assert {k for k in KEYS if k in col.states} == set(KEYS[:6])
        assert any("clock" in m for m in col.messages)  # flagged, in one line
        assert all("\n" not in m for m in col.messages)
    finally:
        col.close(NOW + timedelta(minutes=3))
    assert _learned(tmp_path, NOW + timedelta(minutes=10)) == set(KEYS[:6])
    assert _learned(tmp_path, NOW + timedelta(days=3)) == set(KEYS[:6])


@pytest.mark.parametrize("snapshots", [True, False])
def test_a_rating_made_after_a_future_dated_one_stays_the_cards_state(
    tmp_path: Path, snapshots: bool
) -> None:
    """A clock running ahead, then corrected: the second rating was made from the first's state
    (its `b`), so it is the card's state live, after a restart, and after a replay of the journal
    from scratch (which used to sort the device's events by time and put back the first)."""
    home = make_home(tmp_path, DECK)
    col = open_col(home, NOW)
    late = rate(col, KEYS[0], NOW + timedelta(days=2), rating=4)  # a clock running ahead
    early = rate(col, KEYS[0], NOW, rating=2)  # then corrected: written later, dated earlier
    assert col.states[KEYS[0]] == early.after and early.before == late.after
    col.close(NOW + timedelta(minutes=1))
    if not snapshots:
        for p in (tmp_path / "state").glob("snapshots*"):
            p.unlink() if p.is_file() else shutil.rmtree(p)
    col = open_col(home, NOW + timedelta(minutes=2))
    try:
        assert col.states[KEYS[0]] == early.after
        assert len([e for e in col.history(NOW + timedelta(minutes=2)) if e.key == KEYS[0]]) == 2
    finally:
        col.close(NOW + timedelta(minutes=2))


def test_reviews_dated_in_a_later_study_day_count_on_that_day_not_today(tmp_path: Path) -> None:
    """Placed by their own time: new cards a synced device rated "in two days" (its clock runs
    ahead) are in that day's log and Today counter, not today's; today's new-card limit and
    Today counter agree (the limit used to count them today while the counter did not)."""
    home, ahead = _one_here_five_ahead(tmp_path)  # one new card today
    col = open_col(home, NOW + timedelta(minutes=2))
    try:
        assert col.day_log(NOW + timedelta(minutes=2)).new_seen == {"many": 1}
        assert col.progress(NOW + timedelta(minutes=2))[0] == 1
    finally:
        col.close(NOW + timedelta(minutes=3))
    col = open_col(home, ahead + timedelta(hours=1))  # on their day they count
    try:
        assert col.day_log(ahead + timedelta(hours=1)).new_seen == {"many": 5}
        assert col.progress(ahead + timedelta(hours=1))[0] == 5
    finally:
        col.close(ahead + timedelta(hours=2))
