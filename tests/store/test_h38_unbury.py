"""Unbury (h38): a card buried by mistake comes back today without undoing everything after it.

`set_buried` is the browser's bury toggle, `unbury_decks` the deck list's Unbury (as Anki's deck
overview has). Each records "bury"/"unbury" journal events, one action (`g`) when several, that
undo takes back in one step, also after a restart; an unburied new or review card is available
again today (the counts, a session), within the daily limits, and its sibling no longer waits.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tomllib
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from store_helpers import KEYS, NOW, journal_paths, make_home, open_col, rate

from retain.core.session import action_label, record_undo_action
from retain.core.state import CardState, Event
from retain.store.collection import Collection
from retain.store.state.progress_edits import buried_keys, set_buried, unbury_decks
from retain.store.state.statecodec import decode_record

AT = NOW + timedelta(minutes=5)
OTHER_DECK = """format = 1

[deck]
id = "other"
name = "Other deck"

[[cards]]
id = "x"
front = "X?"
back = "x"
"""


def _tomorrow(col: Collection) -> str:
    return (col.today(NOW) + timedelta(days=1)).isoformat()


def _bury(col: Collection, key: str, at: datetime = NOW) -> Event:
    """A bury as the study screen records it (`ReviewSession.bury`): one event, no group."""
    before = col.states.get(key)
    after = (before or CardState()).with_flags(buried_until=_tomorrow(col))
    return col.record(Event(col.new_event_id(at), "bury", key, at, after, before))


def _new_count(col: Collection, at: datetime = AT) -> int:
    return col.due_counts(at)["tiny"].new


def test_an_unburied_new_card_is_counted_and_served_again_today(tmp_path: Path) -> None:
    """The card came back in its state but stayed out of today: its bury held its note as seen."""
    col = open_col(make_home(tmp_path), NOW)
    try:
        start = _new_count(col, NOW)
        _bury(col, "tiny/one")
        assert _new_count(col) == start - 1
        (event,) = set_buried(col, ["tiny/one"], False, AT)
        assert (event.kind, event.group, event.after) == ("unbury", "", CardState())
        assert _new_count(col) == start
        session = col.start_session(["tiny"], AT)
        served: list[str] = []
        while session.current is not None and len(served) < 10:
            served.append(session.current.key)
            session.reveal()
            session.rate(4, AT, 1000)
        assert "tiny/one" in served
    finally:
        col.close(AT)


def test_an_unburied_review_card_is_due_again_today(tmp_path: Path) -> None:
    home = make_home(tmp_path)
    col = open_col(home, NOW - timedelta(days=5))
    rate(col, "tiny/one", NOW - timedelta(days=5))  # due 3 days later: due now
    col.close(NOW - timedelta(days=5))
    col = open_col(home, NOW)
    try:
        assert col.due_counts(NOW)["tiny"].review == 1
        _bury(col, "tiny/one")
        assert col.due_counts(NOW)["tiny"].review == 0
        set_buried(col, ["tiny/one"], False, AT)
        assert col.due_counts(AT)["tiny"].review == 1
        assert col.start_session(["tiny"], AT).current is not None
    finally:
        col.close(AT)


def test_an_unburied_card_stays_within_the_daily_new_limit(tmp_path: Path) -> None:
    tmp_path.mkdir(exist_ok=True)
    (tmp_path / "config.toml").write_text("[study]\nnew_per_day = 1\n", encoding="utf-8")
    col = open_col(make_home(tmp_path), NOW)
    try:
        _bury(col, "tiny/one")
        rate(col, "tiny/three:c1", NOW)  # the one new card of the day
        set_buried(col, ["tiny/one"], False, AT)
        assert _new_count(col) == 0
    finally:
        col.close(AT)


def test_a_sibling_held_by_a_bury_comes_back_with_the_unbury(tmp_path: Path) -> None:
    col = open_col(make_home(tmp_path), NOW)
    try:
        start = _new_count(col, NOW)
        _bury(col, "tiny/two")  # the reverse waits too (one note)
        assert _new_count(col) == start - 1
        set_buried(col, ["tiny/two"], False, AT)
        assert _new_count(col) == start
        assert "tiny/two" not in col.day_log(AT).notes_seen
    finally:
        col.close(AT)


def test_undo_of_an_unbury_buries_the_card_again_also_after_a_restart(tmp_path: Path) -> None:
    home = make_home(tmp_path)
    col = open_col(home, NOW)
    _bury(col, "tiny/one")
    buried = col.states["tiny/one"]
    start = _new_count(col)
    set_buried(col, ["tiny/one"], False, AT)
    col.close(AT)
    shutil.rmtree(tmp_path / "cache")
    later = AT + timedelta(minutes=1)
    col = open_col(home, later)
    try:
        assert col.states["tiny/one"] == CardState()
        done = record_undo_action(col, col.states, later)
        assert done is not None, col.undo_refusal(later)
        assert action_label(done[0]) == "Undid unbury of tiny/one"
        assert col.states["tiny/one"] == buried
        assert _new_count(col, later) == start  # buried again, and its note held again
    finally:
        col.close(later)


@pytest.mark.parametrize("cold", [False, True], ids=["index", "cache-deleted"])
def test_the_deck_lists_unbury_is_one_action_undone_in_one_step(tmp_path: Path, cold: bool) -> None:
    home = make_home(tmp_path)
    (tmp_path / "decks" / "other.toml").write_text(OTHER_DECK, encoding="utf-8")
    col = open_col(home, NOW)
    rate(col, "tiny/three:c1", NOW - timedelta(days=5))
    for key in ("tiny/one", "tiny/two:reverse", "tiny/three:c1", "other/x"):
        _bury(col, key)
    before = dict(col.states)
    events = unbury_decks(col, ["tiny"], AT)
    assert sorted(e.key for e in events) == ["tiny/one", "tiny/three:c1", "tiny/two:reverse"]
    assert {e.kind for e in events} == {"unbury"} and {e.group for e in events} == {events[0].id}
    assert buried_keys(col, [*KEYS, "other/x"], AT) == ["other/x"]  # the other deck's stays
    assert unbury_decks(col, ["tiny"], AT) == []  # nothing left to unbury
    col.close(AT)
    if cold:
        shutil.rmtree(tmp_path / "cache")
    later = AT + timedelta(minutes=1)
    col = open_col(home, later)
    try:
        assert buried_keys(col, KEYS, later) == []
        done = record_undo_action(col, col.states, later)
        assert done is not None, col.undo_refusal(later)
        assert action_label(done[0]) == "Undid unbury of 3 cards"
        assert dict(col.states) == before
    finally:
        col.close(later)


def test_a_bury_of_several_is_one_action_until_the_next_study_day(tmp_path: Path) -> None:
    col = open_col(make_home(tmp_path), NOW)
    try:
        _bury(col, "tiny/one")  # buried already: left as it is
        events = set_buried(col, KEYS, True, NOW)
        assert [e.key for e in events] == list(KEYS[1:])
        assert {e.after.buried_until for e in events if e.after} == {_tomorrow(col)}
        assert {e.group for e in events} == {events[0].id}
        done = record_undo_action(col, col.states, AT)
        assert done is not None and action_label(done[0]) == f"Undid bury of {len(KEYS) - 1} cards"
        assert buried_keys(col, KEYS, AT) == ["tiny/one"]
    finally:
        col.close(AT)


def test_a_burial_that_ended_at_the_rollover_is_nothing_to_unbury(tmp_path: Path) -> None:
    col = open_col(make_home(tmp_path), NOW)
    try:
        today = col.today(NOW).isoformat()
        col.record(Event(col.new_event_id(NOW), "bury", "tiny/one", NOW, CardState(buried_until=today), None))
        assert set_buried(col, ["tiny/one"], False, AT) == []
        assert unbury_decks(col, ["tiny"], AT) == []
        (event,) = set_buried(col, ["tiny/one"], True, AT)  # buried anew, until tomorrow
        assert event.after is not None and event.after.buried_until == _tomorrow(col)
    finally:
        col.close(AT)


def test_the_unbury_record_reads_back_through_every_reader(tmp_path: Path) -> None:
    """`k="unbury"`, `a` without `buried_until`, `g` on each of an action's records: the fast
    reader, the general one (`decode_record`) and plain `tomllib` take the lines alike."""
    col = open_col(make_home(tmp_path), NOW)
    rate(col, "tiny/one", NOW - timedelta(days=5))
    _bury(col, "tiny/one")
    _bury(col, "tiny/two")
    events = unbury_decks(col, ["tiny"], AT)
    col.close(AT)
    (journal,) = journal_paths(tmp_path)
    lines = [ln for ln in journal.read_bytes().splitlines(keepends=True) if ln[:1].isdigit()][-2:]
    device = journal.parent.name
    decoded = [decode_record(line, AT, device=device) for line in lines]
    assert [(e.kind, e.key, e.group) for e in decoded] == [(e.kind, e.key, e.group) for e in events]
    assert all(e.after is not None and e.after.buried_until is None for e in decoded)
    assert all(e.before is not None and e.before.buried_until for e in decoded)
    table = tomllib.loads(journal.read_text(encoding="utf-8"))
    records = [v for v in table.values() if isinstance(v, dict) and v.get("k") == "unbury"]
    assert len(records) == 2 and all("buried_until" not in r["a"] for r in records)
    assert {r["g"] for r in records} == {records[0]["i"]}


def test_retain_due_counts_an_unburied_card(tmp_path: Path) -> None:
    """The command line (with the launch summary the TUI saves, and without it) agrees."""
    home = make_home(tmp_path)
    now = datetime.now(NOW.tzinfo)
    col = Collection.open(home, now)
    start = col.due_counts(now)["tiny"].new
    before = col.states.get("tiny/one")
    tomorrow = (col.today(now) + timedelta(days=1)).isoformat()
    col.record(
        Event(col.new_event_id(now), "bury", "tiny/one", now, CardState(buried_until=tomorrow), before)
    )
    unbury_decks(col, ["tiny"], now + timedelta(seconds=1))
    col.close(now + timedelta(seconds=1), save_summary=True)
    env = {**os.environ, "RETAIN_HOME": str(tmp_path)}
    for _ in range(2):
        out = subprocess.run(
            [sys.executable, "-m", "retain", "due", "--json"],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert out.returncode == 0, out.stderr
        tiny = next(d for d in json.loads(out.stdout)["decks"] if d["id"] == "tiny")
        assert tiny["new"] == start
        shutil.rmtree(tmp_path / "cache", ignore_errors=True)
