"""A rating made from a state a synced snapshot brought, before that state's journal came (h35).

Computer A rates a card (new -> Again) at tA. The sync tool brings A's snapshot to computer B
before A's journal file. B, its clock 10 minutes slow, rates the card from A's state: B's
rating is dated before tA, and its state's last review is tA (a rating never counts time before
the card's previous review: `ReviewSession._anchored`). When A's journal came, its rating, dated
exactly at the held state's last review and not the state held, was applied over B's: B's
rating was lost on both computers, though a replay of the journals alone keeps it.
"""

from __future__ import annotations

import shutil
from datetime import datetime, timedelta
from pathlib import Path

from store_helpers import NOW, delete_snapshots, make_home, open_col, review_state, states_at

from retain.core.state import LEARNING, CardState, Event
from retain.store.state.journal import JournalWriter

KEY = "tiny/one"


def _again(at: datetime) -> CardState:
    return CardState(state=LEARNING, step=0, stability=0.4, difficulty=7.0, due=at + timedelta(minutes=1),
                     last_review=at, reps=1, lapses=0)  # fmt: skip


def test_a_rating_made_from_a_synced_snapshot_survives_its_journal_arriving(tmp_path: Path) -> None:
    home = tmp_path / "home"
    t_a = NOW
    theirs = Event("desk-a-1", "review", KEY, t_a, _again(t_a), None, 1)
    assert theirs.after is not None
    mine_at = t_a - timedelta(minutes=10)  # this computer's clock: 10 minutes slow
    after = review_state(t_a, days=2)  # made from A's state: its last review is A's (anchored)
    col = open_col(make_home(home), mine_at)
    try:
        mine = Event(col.new_event_id(mine_at), "review", KEY, mine_at, after, theirs.after, 3)
        col.record(mine)
    finally:
        col.close(mine_at)  # compacts: the snapshot holds this computer's rating
    writer = JournalWriter(home / "state" / "devices" / "desk-a", fsync=False)
    writer.append_many([theirs])  # A's journal arrives
    writer.close()
    at = t_a + timedelta(hours=1)
    assert states_at(home, at)[KEY] == after
    assert states_at(home, at + timedelta(minutes=1))[KEY] == after  # and after that compaction
    replay = tmp_path / "replay"
    shutil.copytree(home, replay)
    delete_snapshots(replay, cache=True)
    assert states_at(replay, at)[KEY] == after  # what a replay of the journals alone gives
