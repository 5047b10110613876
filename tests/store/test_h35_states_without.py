"""h35: `states_without` (what an undo puts back, when other folders hold a card's history) gives
each card the state a replay of every journal gives just before the event taken back: the other
device's review dated before it, never a later undo's state, for one card or for a bulk action's
many (found in one pass over the journals: the same answer as one search per card)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from store_helpers import NOW, review_state

from retain.core.state import Event
from retain.store.state.device import device_folders
from retain.store.state.journal import JournalWriter
from retain.store.state.stateload import states_without

KEYS = [f"tiny/c{i}" for i in range(40)]


def _write(root: Path, device: str, events: list[Event]) -> None:
    writer = JournalWriter(root / "state" / "devices" / device, fsync=False)
    writer.append_many(events)
    writer.close()


def test_many_cards_and_one_card_give_the_state_before_the_event(tmp_path: Path) -> None:
    theirs = [Event(f"a-{i}", "review", k, NOW - timedelta(hours=2), review_state(NOW - timedelta(hours=2)),
                    None, 3) for i, k in enumerate(KEYS)]  # fmt: skip
    mine, later = [], []
    for i, (k, t) in enumerate(zip(KEYS, theirs, strict=True)):
        at = NOW - timedelta(minutes=i)
        event = Event(f"m-{i}", "review", k, at, review_state(at, days=1), None, 1)  # made from new
        mine.append(event)
        # a rating after it and its undo: dated after, never part of the state before it
        redo = Event(
            f"m2-{i}", "review", k, at + timedelta(seconds=1), review_state(at, days=9), event.after, 4
        )
        undo = Event(f"u-{i}", "undo", k, at + timedelta(seconds=2), event.after, redo.after, undoes=redo.id)
        later += [redo, undo]
        assert t.key == k
    _write(tmp_path, "desk-b", mine + later)  # this device
    _write(tmp_path, "desk-a", theirs)  # synced late
    folders = device_folders(tmp_path / "state")
    targets = {e.key: e.id for e in mine}
    many = states_without(folders, targets, NOW)
    assert many == {t.key: t.after for t in theirs}
    one_by_one = {k: states_without(folders, {k: i}, NOW)[k] for k, i in list(targets.items())[:5]}
    assert one_by_one == {k: many[k] for k in one_by_one}


def test_a_card_with_nothing_before_the_event_is_new_and_an_unknown_event_is_left_out(tmp_path: Path) -> None:
    at = NOW
    first = Event("m-1", "review", "tiny/one", at, review_state(at), None, 3)
    _write(tmp_path, "desk-b", [first])
    _write(
        tmp_path,
        "desk-a",
        [Event("a-1", "review", "tiny/one", at + timedelta(hours=1), review_state(at), first.after, 3)],
    )
    folders = device_folders(tmp_path / "state")
    assert states_without(folders, {"tiny/one": "m-1"}, NOW) == {"tiny/one": None}
    assert states_without(folders, {"tiny/one": "nosuch"}, NOW) == {}
