"""Another device's older review must not undo a later suspend, bury, reset or undo held in a snapshot.

Replaying every journal in time order is the reference ("last event wins"): a
review synced late, older than a later change of its card on this device, is
history; the later change stays. Start-up used to compare the review with the
snapshot's `last_review` only, which a suspend, bury or reset does not move.
"""

from __future__ import annotations

import shutil
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import cast

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from store_helpers import NOW, delete_snapshots, make_home, open_col, rate, review_state, states_at

from retain.core.state import CardState, Event, EventKind
from retain.store.collection import Collection
from retain.store.state.journal import JournalWriter

KEY = "tiny/one"


def _change(col: Collection, kind: str, at: datetime) -> None:
    """This device's later change of KEY: a suspend, bury, forget, move of progress, or an undo."""
    before = col.states.get(KEY)
    if kind == "undo":
        last = col.last_undoable(at)
        assert last is not None
        col.record(Event(col.new_event_id(at), "undo", KEY, at, last.before, last.after, undoes=last.id))
        return
    if kind == "suspend-new":
        after: CardState | None = CardState(suspended=True)
        kind = "suspend"
    elif kind == "suspend":
        assert before is not None
        after = replace(before, suspended=True)
    elif kind == "bury":
        assert before is not None
        after = replace(before, buried_until="2026-03-29")
    else:  # forget: back to new
        after, kind = None, "reset"
    col.record(Event(col.new_event_id(at), cast(EventKind, kind), KEY, at, after, before))


def _synced_review(root: Path, at: datetime, before: CardState | None) -> Event:
    writer = JournalWriter(root / "state" / "devices" / "laptop-1", fsync=False)
    event = Event("laptop-1-1", "review", KEY, at, review_state(at, days=9), before, 2, 800)
    writer.append(event)
    writer.close()
    return event


@pytest.mark.parametrize("kind", ["suspend", "bury", "forget", "undo", "suspend-new"])
def test_a_later_change_here_outlives_an_older_review_synced_after_compaction(
    tmp_path: Path, kind: str
) -> None:
    results = []
    for name in ("with-snapshots", "replayed"):
        root = tmp_path / name
        home = make_home(root)
        col = open_col(home, NOW - timedelta(hours=3))
        first = None
        if kind != "suspend-new":
            first = rate(col, KEY, NOW - timedelta(hours=3))
        _change(col, kind, NOW)
        col.close(NOW)  # compacted: the snapshot holds the change
        synced = _synced_review(root, NOW - timedelta(hours=1), first.after if first else None)
        if name == "replayed":  # the reference: every journal replayed in time order
            delete_snapshots(root)
        later = NOW + timedelta(minutes=5)
        states = states_at(root, later)
        assert states == states_at(root, later + timedelta(minutes=1))  # and it stays so
        results.append(states.get(KEY))
    with_snapshots, replayed = results
    assert with_snapshots == replayed
    if kind in ("suspend", "suspend-new"):
        assert replayed is not None and replayed.suspended
    if kind == "forget":
        assert replayed is None
    if kind == "undo":  # the undo takes the rating out; the review made from it stands (h38)
        assert replayed == synced.after


# -- the class: any interleaving of this device's changes and another's older reviews ----------------

_KEYS = ("tiny/one", "tiny/two", "tiny/three:c1")
_ACTIONS = ("rate", "suspend", "unsuspend", "bury", "forget", "undo", "cram")


def _act(col: Collection, action: str, key: str, at: datetime) -> None:
    before = col.states.get(key)
    if action == "rate":
        rate(col, key, at)
    elif action == "undo":
        last = col.last_undoable(at)
        if last is not None and last.time < at:
            col.record(
                Event(col.new_event_id(at), "undo", last.key, at, last.before, last.after, undoes=last.id)
            )
    elif action == "cram":  # a rating that leaves the state as it was
        col.record(Event(col.new_event_id(at), "cram", key, at, before, before, 3, 500))
    elif action == "forget":
        if before is not None:
            col.record(Event(col.new_event_id(at), "reset", key, at, None, before))
    else:
        after = before or CardState()
        after = replace(
            after, suspended=action == "suspend", buried_until="2026-03-29" if action == "bury" else None
        )
        col.record(Event(col.new_event_id(at), cast(EventKind, action), key, at, after, before))


@st.composite
def _plans(draw: st.DrawFn) -> tuple[list[tuple[str, str, int]], int, list[tuple[str, int]]]:
    mine = draw(
        st.lists(
            st.tuples(st.sampled_from(_ACTIONS), st.sampled_from(_KEYS), st.integers(1, 50)),
            min_size=1,
            max_size=12,
        )
    )
    mine.sort(key=lambda a: a[2])
    cut = draw(st.integers(0, len(mine)))  # the compaction before the sync
    theirs = draw(st.lists(st.tuples(st.sampled_from(_KEYS), st.integers(1, 50)), min_size=1, max_size=6))
    return mine, cut, theirs


def _run(
    root: Path, plan: tuple[list[tuple[str, str, int]], int, list[tuple[str, int]]], replay: bool
) -> dict[str, CardState]:
    mine, cut, theirs = plan
    start = NOW - timedelta(hours=1)
    home = make_home(root)
    col = open_col(home, start)
    for i, (action, key, minute) in enumerate(mine):
        if i == cut:
            col.close(start + timedelta(minutes=minute))
            col = open_col(home, start + timedelta(minutes=minute))
        _act(col, action, key, start + timedelta(minutes=minute, seconds=i))
    col.close(NOW)
    writer = JournalWriter(root / "state" / "devices" / "laptop-1", fsync=False)
    held: dict[str, CardState] = {}
    for n, (key, minute) in enumerate(sorted(theirs, key=lambda t: t[1])):
        at = start + timedelta(minutes=minute, seconds=30)  # never at the same time as mine
        after = review_state(at, days=5 + n)
        writer.append(Event(f"laptop-1-{n}", "review", key, at, after, held.get(key), 2))
        held[key] = after
    writer.close()
    if replay:
        delete_snapshots(root)
    return states_at(root, NOW + timedelta(minutes=5))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(plan=_plans())
def test_merging_after_a_compaction_gives_what_a_full_replay_gives(
    tmp_path_factory: pytest.TempPathFactory,
    plan: tuple[list[tuple[str, str, int]], int, list[tuple[str, int]]],
) -> None:
    root = tmp_path_factory.mktemp("merge")
    assert _run(root / "snapshots", plan, False) == _run(root / "replayed", plan, True)


@pytest.mark.parametrize(
    "table",
    [
        '"other/x" = 2026-03-28T12:00:00Z',
        '"tiny/one" = "yesterday"',
        '"tiny/one" = 2026-03-28T12:00:00',
        "x = 1",
    ],
)
def test_a_damaged_changed_table_is_reported_and_the_deck_rebuilt_from_the_journal(
    tmp_path: Path, table: str
) -> None:
    home = make_home(tmp_path)
    col = open_col(home, NOW - timedelta(hours=3))
    rate(col, KEY, NOW - timedelta(hours=3))
    _change(col, "suspend", NOW)
    expected = dict(col.states)
    col.close(NOW)
    snap = tmp_path / "state" / "snapshots" / "tiny.toml"
    text = snap.read_text()
    assert '\n[changed."tiny/one"]\n' in text
    snap.write_text(text.split("\n[changed.")[0] + "\n[changed]\n" + table + "\n")
    shutil.rmtree(tmp_path / "cache", ignore_errors=True)
    col = open_col(home, NOW + timedelta(minutes=1))
    try:
        assert dict(col.states) == expected
        (line,) = [m for m in col.messages if "tiny.toml" in m and "[changed]" in m]
        assert "\n" not in line
    finally:
        col.close(NOW + timedelta(minutes=1))


def test_the_changed_table_survives_the_snapshot_cache(tmp_path: Path) -> None:
    home = make_home(tmp_path)
    col = open_col(home, NOW - timedelta(hours=3))
    rate(col, KEY, NOW - timedelta(hours=3))
    _change(col, "suspend", NOW)
    col.close(NOW)
    col = open_col(home, NOW + timedelta(minutes=1))  # reads the file, fills the cache
    col.close(NOW + timedelta(minutes=1))
    _synced_review(tmp_path, NOW - timedelta(hours=1), None)
    col = open_col(home, NOW + timedelta(minutes=2))  # through the cache
    try:
        state = col.states[KEY]
        assert state.suspended and state.last_review == NOW - timedelta(hours=3)
    finally:
        col.close(NOW + timedelta(minutes=2))
