"""h39: a batch of events stopped part way (Ctrl-C, SIGTERM's exception, any error) never
leaves snapshots that claim events the states they hold were not given.

`StateWriter.record_batch` appends the whole batch to the journal first, then gives the cards
their new states one by one. Stopped in between, part of the cards kept their old states, and
the compaction of the close wrote snapshots whose positions said every event up to the
journal's end was applied: the next start trusted them and never replayed the rest, so those
reviews were gone from the states (a replay of every journal, on another device or with the
cache and snapshots deleted, still had them: two answers for the same files). A single
`record` has the same gap, and a stop inside the journal write (after its bytes reached the
file) left the writer's idea of the file's end behind the file's, so the next record was
written with the wrong offset.

Each test stops a batch at one point, lets the session go on (one more rating) and closes;
the next start must give what a replay of every journal gives (snapshots and `cache/`
deleted), with the stopped batch's events either all there or none.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from store_helpers import KEYS, NOW, delete_snapshots, make_home, open_col, rate, review_state

from retain.core.state import CardState, Event
from retain.store.collection import Collection
from retain.store.state.journal import JournalWriter
from retain.store.state.writer import StateWriter

BATCH_AT = NOW + timedelta(hours=1)
LATER = NOW + timedelta(hours=2)


def _batch(col: Collection) -> list[Event]:
    """Two events per card of the tiny deck (each made from the one before it), one batch."""
    events: list[Event] = []
    held = dict(col.states)
    for n in range(2):
        for i, key in enumerate(KEYS):
            at = BATCH_AT + timedelta(minutes=10 * n + i)
            after = review_state(at, days=2 + n + i, stability=2.0 + i + n)
            events.append(Event(col.new_event_id(at), "review", key, at, after, held.get(key), 3, 900))
            held[key] = after
    return events


def _started(root: Path) -> Collection:
    """A home whose first ratings are compacted (its snapshots hold positions), opened again."""
    col = open_col(make_home(root), NOW)
    for i, key in enumerate(KEYS[:2]):
        rate(col, key, NOW + timedelta(minutes=i))
    col.close(NOW + timedelta(minutes=5))
    return open_col(make_home(root), NOW + timedelta(minutes=30))


def _states(root: Path, *, rebuilt: bool) -> dict[str, CardState]:
    """What a start gives: from the snapshots, or (`rebuilt`) replaying every journal."""
    if rebuilt:
        delete_snapshots(root, cache=True)
    col = open_col(make_home(root), LATER + timedelta(hours=1))
    try:
        assert not [m for m in col.messages if "not trusted" in m], col.messages
        return dict(col.states)
    finally:
        col.close(LATER + timedelta(hours=1))


def _stop_apply_at(monkeypatch: pytest.MonkeyPatch, k: int) -> None:
    """The writer's `_apply` raises KeyboardInterrupt (a Ctrl-C) at its `k`-th call."""
    real = StateWriter._apply
    calls = [0]

    def apply_then_stop(self: StateWriter, *args: Any, **kwargs: Any) -> None:
        calls[0] += 1
        if calls[0] == k:
            raise KeyboardInterrupt
        real(self, *args, **kwargs)

    monkeypatch.setattr(StateWriter, "_apply", apply_then_stop)


def _stop_after_append(monkeypatch: pytest.MonkeyPatch) -> None:
    """The journal append finishes (durable), then a Ctrl-C arrives before any card is given."""
    real = JournalWriter.append_many

    def append_then_stop(self: JournalWriter, events: Any) -> Any:
        real(self, events)
        raise KeyboardInterrupt

    monkeypatch.setattr(JournalWriter, "append_many", append_then_stop)


def _stop_in_the_write(monkeypatch: pytest.MonkeyPatch) -> None:
    """A Ctrl-C during the journal's fsync: the bytes are in the file, the writer had not noted them."""
    real = os.fsync
    fired: list[bool] = []

    def fsync_then_stop(fd: int) -> None:
        real(fd)
        if not fired and "/journal-" in os.readlink(f"/proc/self/fd/{fd}"):
            fired.append(True)
            raise KeyboardInterrupt

    monkeypatch.setattr(os, "fsync", fsync_then_stop)


STOPS: dict[str, Callable[[pytest.MonkeyPatch], None]] = {
    "after-append": _stop_after_append,
    "first-apply": lambda mp: _stop_apply_at(mp, 1),
    "mid-apply": lambda mp: _stop_apply_at(mp, 4),
    "last-apply": lambda mp: _stop_apply_at(mp, 10),
    "in-the-write": _stop_in_the_write,
}


@pytest.mark.parametrize("point", list(STOPS))
def test_a_batch_stopped_part_way_is_in_the_states_after_the_close(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, point: str
) -> None:
    if point == "in-the-write" and not Path("/proc/self/fd").is_dir():
        pytest.skip("needs /proc to tell the journal's fsync apart")
    col = _started(tmp_path)
    events = _batch(col)
    STOPS[point](monkeypatch)
    with pytest.raises(KeyboardInterrupt):
        col.record_many(events)
    monkeypatch.undo()
    rate(col, KEYS[0], LATER)  # the session goes on
    col.close(LATER)
    live = _states(tmp_path, rebuilt=False)
    assert live == _states(tmp_path, rebuilt=True)
    assert live[KEYS[0]].last_review == LATER
    # the batch's other cards: all of its events, or none (never a card left halfway)
    last = {e.key: e.after for e in events}
    there = [live.get(key) == last[key] for key in KEYS[1:]]
    assert all(there) or not any(there), there


def test_a_single_rating_stopped_after_its_append_is_in_the_states_after_the_close(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    col = _started(tmp_path)
    rate(col, KEYS[2], BATCH_AT - timedelta(minutes=1))  # (its deck has a snapshot to write)
    _stop_apply_at(monkeypatch, 1)
    with pytest.raises(KeyboardInterrupt):
        rate(col, KEYS[3], BATCH_AT)
    monkeypatch.undo()
    col.close(LATER)
    live = _states(tmp_path, rebuilt=False)
    assert live == _states(tmp_path, rebuilt=True)
    assert KEYS[3] in live  # its record is in the journal: the next start has it


def test_an_import_stopped_part_way_into_its_folder_is_in_the_states_after_the_close(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A history batch into an import folder (events applied by time), stopped after its first
    card took its state: the close and the next start agree with a replay of every journal."""
    col = _started(tmp_path)
    device = col.begin_import(BATCH_AT)
    events = [
        Event(
            col.new_event_id(BATCH_AT - timedelta(days=9 - i), device),
            "review",
            key,
            BATCH_AT - timedelta(days=9 - i),
            review_state(BATCH_AT - timedelta(days=9 - i), days=1 + i),
            None,
            3,
            500,
        )
        for i, key in enumerate(KEYS[2:])
    ]
    _stop_apply_at(monkeypatch, 2)
    with pytest.raises(KeyboardInterrupt):
        col.record_many(events, into=device)
    monkeypatch.undo()
    col.close(LATER)
    live = _states(tmp_path, rebuilt=False)
    assert live == _states(tmp_path, rebuilt=True)
    assert all(key in live for key in KEYS[2:])


def test_a_batch_taken_back_whole_needs_no_reread(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Stopped inside `recording_all_or_nothing`, the batch is taken back from the journal and
    the states: nothing is torn, the close compacts as usual and the batch is nowhere."""
    col = _started(tmp_path)
    before = dict(col.states)
    events = _batch(col)
    _stop_apply_at(monkeypatch, 3)
    with pytest.raises(KeyboardInterrupt), col.recording_all_or_nothing():
        col.record_many(events)
    monkeypatch.undo()
    assert not col.writer.torn
    assert dict(col.states) == before
    col.close(LATER)
    assert _states(tmp_path, rebuilt=False) == before == _states(tmp_path, rebuilt=True)


def test_a_reread_that_fails_leaves_the_snapshots_as_they_were(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """When the states cannot be read again (here: an error from the read), the close writes no
    snapshot and says so in one line; the next start reads the journal from where they stop."""
    import retain.store.state.writer as writer_mod

    col = _started(tmp_path)
    events = _batch(col)
    _stop_apply_at(monkeypatch, 4)
    with pytest.raises(KeyboardInterrupt):
        col.record_many(events)
    monkeypatch.undo()

    def unreadable(*_args: object, **_kwargs: object) -> None:
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(writer_mod, "load_state", unreadable)
    col.close(LATER)
    monkeypatch.undo()
    assert len(col.close_messages) == 1 and "not written" in col.close_messages[0], col.close_messages
    live = _states(tmp_path, rebuilt=False)
    assert live == _states(tmp_path, rebuilt=True)
    assert all(live.get(e.key) == e.after for e in events[-len(KEYS) :])


@pytest.mark.skipif(
    not Path("/proc/self/fd").is_dir(), reason="needs /proc to tell the journal's write apart"
)
def test_a_write_that_fails_whole_is_not_torn(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A full disk refuses the batch before any byte of it stays: nothing to read again."""
    from retain.store.state.writer import CollectionError

    col = _started(tmp_path)
    before = dict(col.states)
    real = os.write

    def full(fd: int, data: Any) -> int:
        if "/journal-" in os.readlink(f"/proc/self/fd/{fd}"):
            raise OSError(28, "No space left on device")
        return real(fd, data)

    monkeypatch.setattr(os, "write", full)
    with pytest.raises(CollectionError):
        col.record_many(_batch(col))
    monkeypatch.undo()
    assert not col.writer.torn and dict(col.states) == before
    col.close(LATER)
    assert _states(tmp_path, rebuilt=False) == before == _states(tmp_path, rebuilt=True)
