"""Replay rules found by attacking the store: another device's review made from a state this
device returned to, a cram rating, a history import killed midway, a compaction cut off before
its manifest. Each compares start-up with what a replay of every journal from scratch gives."""

from __future__ import annotations

import os
import signal
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import TypeVar

import pytest
from store_helpers import NOW, delete_snapshots, make_home, open_col, rate, review_state, states_at

from retain.core.session import record_undo
from retain.core.state import CardState, Event
from retain.store.state.journal import JournalWriter

KEY = "tiny/one"
T = TypeVar("T")


def _with_and_without_snapshots(
    tmp_path: Path, build: Callable[[Path], T], at: datetime
) -> tuple[T, dict[str, CardState], dict[str, CardState]]:
    """`build` a home twice: (what the first build returned, its states after a start with its
    snapshots, the second's after a replay of every journal from scratch)."""
    built = build(tmp_path / "a")
    merged = states_at(tmp_path / "a", at)
    build(tmp_path / "b")
    delete_snapshots(tmp_path / "b", cache=True)
    return built, merged, states_at(tmp_path / "b", at)


def _other_device_review_from_synced_state(root: Path, undo: bool) -> None:
    """This device rates at T1 (state A1); the laptop syncs it and reviews at T3 from A1.
    Before that review arrives here, this device rates again at T4 and undoes it at T5
    (or suspends at T4 and unsuspends at T5): its state is A1 again, dated T5."""
    home = make_home(root)
    t1 = NOW - timedelta(hours=5)
    col = open_col(home, t1)
    first = rate(col, KEY, t1)
    if undo:
        rate(col, KEY, NOW - timedelta(hours=1))
        assert record_undo(col, col.states, NOW) is not None
    else:
        a1 = col.states[KEY]
        sus = replace(a1, suspended=True)
        col.record(Event(col.new_event_id(NOW), "suspend", KEY, NOW - timedelta(hours=1), sus, a1))
        col.record(Event(col.new_event_id(NOW), "unsuspend", KEY, NOW, a1, sus))
    assert col.states[KEY] == first.after
    col.close(NOW)  # compacted: A1, [changed] = T5
    t3 = NOW - timedelta(hours=3)
    writer = JournalWriter(root / "state" / "devices" / "laptop-1", fsync=False)
    writer.append(Event("laptop-1-1", "review", KEY, t3, review_state(t3, days=9), first.after, 2, 800))
    writer.close()


@pytest.mark.parametrize("undo", [True, False], ids=["undo", "unsuspend"])
def test_other_devices_older_review_made_from_a_state_this_device_returned_to(
    tmp_path: Path, undo: bool
) -> None:
    later = NOW + timedelta(minutes=5)
    _built, merged, replayed = _with_and_without_snapshots(
        tmp_path, lambda root: _other_device_review_from_synced_state(root, undo), later
    )
    # in time order the laptop's T3 review comes before this device's T4/T5 events: A1 stands
    assert merged == replayed


def test_a_history_import_killed_midway_is_completed_by_importing_again(tmp_path: Path) -> None:
    """SIGKILL after the first durable batch of `import --with-history`; the learner imports
    again, as the all-or-nothing comment promises ("importing again later records the whole
    history")."""
    from retain.interop import progress_io
    from retain.interop.bundle import Review

    home = make_home(tmp_path)
    reviews = []
    prev: dict[str, CardState | None] = {}
    for i, key in enumerate(["tiny/one", "tiny/two", "tiny/one", "tiny/two"]):
        at = NOW - timedelta(days=40 - 10 * i)
        after = review_state(at, days=10 + i)
        reviews.append(Review(key, at, after, prev.get(key), "review", 3, 1000))
        prev[key] = after
    pid = os.fork()
    if pid == 0:  # the import, killed once its first batch is on disk
        try:
            progress_io._BATCH = 2
            from retain.store.collection import Collection

            real = Collection.record_many

            def record_then_die(self, events, seen=None, **kw):  # type: ignore[no-untyped-def]
                done = real(self, events, seen, **kw)
                os.kill(os.getpid(), signal.SIGKILL)
                return done

            Collection.record_many = record_then_die  # type: ignore[method-assign]
            progress_io.record_history(home, list(reviews), NOW)
        finally:
            os._exit(3)
    _pid, status = os.waitpid(pid, 0)
    assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL
    progress_io.record_history(make_home(tmp_path), list(reviews), NOW + timedelta(minutes=1))
    states = states_at(tmp_path, NOW + timedelta(minutes=2))
    assert states["tiny/one"] == prev["tiny/one"]  # its last review (t-20d), not its first (t-40d)
    assert states["tiny/two"] == prev["tiny/two"]


def test_a_crash_between_the_snapshots_and_the_manifest_is_not_called_a_late_sync_copy(
    tmp_path: Path,
) -> None:
    """SIGKILL after a compaction wrote its snapshots but before `snapshots.toml`: the older
    manifest stays (docs: "replay starts earlier and gives the same state"). When the session
    crossed a month, this device's own March file is then reported as a late folder-sync copy."""
    home = make_home(tmp_path)
    col = open_col(home, NOW)
    rate(col, KEY, NOW)
    col.close(NOW)
    manifest = tmp_path / "state" / "snapshots.toml"
    old_manifest = manifest.read_bytes()
    april = NOW + timedelta(days=6)
    col = open_col(home, NOW + timedelta(hours=1))
    rate(col, "tiny/two", NOW + timedelta(hours=1))
    rate(col, "tiny/three:c1", april)
    expected = dict(col.states)
    col.close(april)
    manifest.write_bytes(old_manifest)  # what the kill leaves
    col = open_col(home, april + timedelta(minutes=1))
    try:
        assert dict(col.states) == expected
        said = [m for m in col.messages if "journal-2026-03" in m]
        assert not any("folder sync" in m or "copy that finished late" in m for m in said), said
    finally:
        col.close(april + timedelta(minutes=1))


@pytest.mark.parametrize("replay", [False, True], ids=["with-snapshots", "replayed"])
def test_a_cram_rating_does_not_take_back_another_devices_later_synced_review(
    tmp_path: Path, replay: bool
) -> None:
    """Cram "leaves the state as it was" (docs): a cram event holds b = a = the state this device
    had. Replayed as a full state, it puts back that old state over the laptop's review that
    came between, so the laptop's progress on the card is gone."""
    home = make_home(tmp_path)
    t1 = NOW - timedelta(days=3)
    col = open_col(home, t1)
    first = rate(col, KEY, t1)  # synced to the laptop
    col.close(t1)
    t3 = NOW - timedelta(hours=2)
    laptop = review_state(t3, days=20, stability=20.0)
    writer = JournalWriter(tmp_path / "state" / "devices" / "laptop-1", fsync=False)
    writer.append(Event("laptop-1-1", "review", KEY, t3, laptop, first.after, 4, 900))
    writer.close()
    # this device crams before the laptop's journal arrived here (it is offline)
    col = open_col(home, NOW - timedelta(days=1))
    col.record(Event(col.new_event_id(NOW), "cram", KEY, NOW, first.after, first.after, 3, 500))
    col.close(NOW)
    if replay:
        delete_snapshots(tmp_path, cache=True)
    states = states_at(tmp_path, NOW + timedelta(minutes=5))
    assert states[KEY] == laptop


# -- from the review of these rules: this device's own successor events, the undo of a cram --


def _killed(col) -> None:  # type: ignore[no-untyped-def]
    """What a SIGKILL leaves: the journal as written, no compaction, the lock gone."""
    col.writer.close_journal()
    col._close_history()
    col.writer.release()


def _suspend_ahead_then_unsuspend_and_rate_after_clock_fix(root: Path) -> dict[str, CardState]:
    """The clock ran 3 h ahead: a rating, then a suspend (snapshot: [changed] = T+3h1m). The
    clock is corrected; the learner unsuspends the card and rates it again (each event made
    from the state before it, on this one device)."""
    home = make_home(root)
    ahead = NOW + timedelta(hours=3)
    col = open_col(home, ahead)
    first = rate(col, KEY, ahead)
    assert first.after is not None
    sus = replace(first.after, suspended=True)
    col.record(Event(col.new_event_id(ahead), "suspend", KEY, ahead + timedelta(minutes=1), sus, first.after))
    col.close(ahead + timedelta(minutes=2))  # compacted: [changed] tiny/one = ahead+1m
    col = open_col(make_home(root), NOW)  # clock corrected
    col.record(Event(col.new_event_id(NOW), "unsuspend", KEY, NOW, first.after, sus))
    rate(col, KEY, NOW + timedelta(minutes=1), rating=4)
    live = dict(col.states)
    _killed(col)  # the session ends without a compaction (killed, or the power went)
    return live


def test_unsuspend_and_rating_after_clock_moved_back_survive_a_restart(tmp_path: Path) -> None:
    later = NOW + timedelta(minutes=5)
    live, restarted, replayed = _with_and_without_snapshots(
        tmp_path, _suspend_ahead_then_unsuspend_and_rate_after_clock_fix, later
    )
    assert not live[KEY].suspended
    assert replayed[KEY] == live[KEY]  # a replay from scratch: write order
    assert restarted[KEY] == live[KEY]  # start-up from the snapshot: suspended again, rating gone


def _cram_undone_then_laptop_review_arrives(root: Path) -> CardState:
    """This device rated at T0 (S0); the laptop, offline, reviewed the card at T2 from S0.
    Before the laptop's journal arrives, this device crams the card at T3 and undoes that
    cram rating (a slip of the key): neither changes the card's state."""
    from store_helpers import review_state

    col = open_col(make_home(root), NOW - timedelta(hours=5))
    first = rate(col, KEY, NOW - timedelta(hours=5))
    t3 = NOW - timedelta(hours=1)
    col.record(Event(col.new_event_id(t3), "cram", KEY, t3, first.after, first.after, 1, 900))
    done = record_undo(col, col.states, t3 + timedelta(seconds=5))
    assert done is not None and done[0].kind == "cram"
    assert col.states[KEY] == first.after
    col.close(NOW)
    t2 = NOW - timedelta(hours=3)
    laptop = review_state(t2, days=9)
    writer = JournalWriter(root / "state" / "devices" / "laptop-1", fsync=False)
    writer.append(Event("laptop-1-1", "review", KEY, t2, laptop, first.after, 3, 800))
    writer.close()
    return laptop


def test_undoing_a_cram_rating_does_not_erase_another_devices_review(tmp_path: Path) -> None:
    later = NOW + timedelta(minutes=5)
    laptop, merged, replayed = _with_and_without_snapshots(
        tmp_path, _cram_undone_then_laptop_review_arrives, later
    )
    # the laptop's T2 review is the card's last real review: a cram rating and its undo are
    # history only ("cram ratings never change states"), so neither may put S0 back over it
    assert replayed[KEY] == laptop
    assert merged[KEY] == laptop


def _other_device_changes_then_its_clock_is_corrected(root: Path) -> CardState:
    """The laptop, its clock 3 h ahead, rates and suspends the card; this device reads that and
    compacts ([changed] names the laptop). The laptop's clock is corrected and it unsuspends the
    card: an event dated before the suspend it was made from."""
    home = make_home(root)
    ahead = NOW + timedelta(hours=3)
    writer = JournalWriter(root / "state" / "devices" / "laptop-1", fsync=False)
    rated = review_state(ahead, days=4)
    suspended = replace(rated, suspended=True)
    writer.append(Event("laptop-1-1", "review", KEY, ahead, rated, None, 3, 900))
    writer.append(Event("laptop-1-2", "suspend", KEY, ahead + timedelta(minutes=1), suspended, rated))
    writer.close()
    col = open_col(home, NOW)
    assert col.states[KEY] == suspended
    col.close(NOW)  # compacted here: the snapshot holds the laptop's suspend
    writer = JournalWriter(root / "state" / "devices" / "laptop-1", fsync=False)
    writer.append(Event("laptop-1-3", "unsuspend", KEY, NOW + timedelta(minutes=10), rated, suspended))
    writer.close()
    return rated


def test_another_devices_own_successor_after_its_clock_moved_back_is_applied(tmp_path: Path) -> None:
    later = NOW + timedelta(minutes=20)
    rated, merged, replayed = _with_and_without_snapshots(
        tmp_path, _other_device_changes_then_its_clock_is_corrected, later
    )
    assert merged[KEY] == replayed[KEY] == rated  # unsuspended: the laptop wrote it after its suspend


def test_undoing_a_cram_rating_after_a_synced_review_keeps_that_review(tmp_path: Path) -> None:
    """1044118 makes the undo of a cram rating history only when its `before` equals its `after`.
    But record_undo takes `before` from the state held now: when the laptop's review arrived
    between the cram rating and its undo, before (laptop) != after (the cram's before), so the
    undo is applied and puts the old state back over the laptop's review."""
    key = "tiny/one"
    root = tmp_path / "a"
    col = open_col(make_home(root), NOW - timedelta(hours=5))
    first = rate(col, key, NOW - timedelta(hours=5))
    t3 = NOW - timedelta(minutes=10)
    col.record(Event(col.new_event_id(t3), "cram", key, t3, first.after, first.after, 1, 900))
    col.close(NOW - timedelta(minutes=9))
    t2 = NOW - timedelta(hours=3)
    laptop = review_state(t2, days=9)
    writer = JournalWriter(root / "state" / "devices" / "laptop-1", fsync=False)
    writer.append(Event("laptop-1-1", "review", key, t2, laptop, first.after, 3, 800))
    writer.close()
    col = open_col(make_home(root), NOW)  # the laptop's journal has arrived (a sync)
    try:
        assert col.states[key] == laptop
        done = record_undo(col, col.states, NOW)  # "u": a slip of the key in the cram session
        assert done is not None and done[0].kind == "cram"
        assert col.states[key] == laptop  # a cram rating never changed the state; nor may its undo
    finally:
        col.close(NOW + timedelta(minutes=1))


def test_a_change_made_here_from_a_synced_review_dated_ahead_follows_it_in_a_replay(tmp_path: Path) -> None:
    """The laptop's clock runs two hours ahead: its review (dated NOW+2h) syncs here, then this
    device rates the card from that state at NOW, and suspends it. A replay of every journal
    sorted the laptop's review after both and lost them; they follow it now, as they did live."""

    def build(root: Path) -> CardState:
        ahead = NOW + timedelta(hours=2)
        writer = JournalWriter(root / "state" / "devices" / "laptop-1", fsync=False)
        make_home(root)
        writer.append(Event("laptop-1-1", "review", KEY, ahead, review_state(ahead, days=9), None, 3, 800))
        writer.close()
        col = open_col(make_home(root), NOW)
        rate(col, KEY, NOW)  # made from the laptop's state
        st = col.states[KEY]
        col.record(Event(col.new_event_id(NOW), "suspend", KEY, NOW, replace(st, suspended=True), st))
        live = col.states[KEY]
        col.close(NOW)
        return live

    live, merged, replayed = _with_and_without_snapshots(tmp_path, build, NOW + timedelta(minutes=5))
    assert live.suspended and merged[KEY] == live
    assert replayed[KEY] == live
