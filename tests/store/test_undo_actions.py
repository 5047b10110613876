"""Undo of one user action made of several events (a bulk suspend in the browser), also after a
restart: the journal marks such events as one action (`Event.group`, `g` in a record)."""

from __future__ import annotations

import shutil
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from store_helpers import KEYS, NOW, journal_paths, make_home, open_col, rate, review_state

from retain.core.session import action_label, record_undo, record_undo_action
from retain.core.state import CardState, Event
from retain.store.home import Home
from retain.store.state.journal import JournalWriter
from retain.store.state.progress_edits import reset_progress, set_suspended
from retain.store.state.statecodec import decode_record, encode_event, line_crc

T0 = NOW - timedelta(days=1)


def _rated_then_bulk_suspended(root: Path) -> tuple[Home, dict[str, CardState]]:
    home = make_home(root)
    col = open_col(home, T0)
    for key in KEYS:
        rate(col, key, T0)
    before = dict(col.states)
    col.close(T0)
    col = open_col(home, NOW)
    assert len(set_suspended(col, KEYS, True, NOW)) == len(KEYS)
    col.close(NOW)
    return home, before


@pytest.mark.parametrize("cold", [False, True], ids=["index", "cache-deleted"])
def test_a_bulk_suspend_is_undone_in_one_step_after_a_restart(tmp_path: Path, cold: bool) -> None:
    """It was undone one card at a time ("Undid suspend of tiny/one", a press per card)."""
    home, before = _rated_then_bulk_suspended(tmp_path)
    if cold:
        shutil.rmtree(tmp_path / "cache")
    at = NOW + timedelta(minutes=1)
    col = open_col(home, at)
    try:
        done = record_undo_action(col, col.states, at)
        assert done is not None
        assert action_label(done[0]) == f"Undid suspend of {len(KEYS)} cards"
        assert {k: col.states[k] for k in KEYS} == before  # every card back, in one step
    finally:
        col.close(at)


def test_the_undo_of_a_bulk_suspend_stays_after_a_restart(tmp_path: Path) -> None:
    home, before = _rated_then_bulk_suspended(tmp_path)
    at = NOW + timedelta(minutes=1)
    col = open_col(home, at)
    assert record_undo_action(col, col.states, at) is not None
    col.close(at)
    col = open_col(home, at + timedelta(minutes=1))
    try:
        assert {k: col.states[k] for k in KEYS} == before
        newest = col.last_undoable()
        assert newest is not None and newest.kind == "review"  # then the ratings before it, one by one
        assert len(col.last_undoable_action()) == 1
    finally:
        col.close(at + timedelta(minutes=1))


def test_a_bulk_suspend_is_undone_in_one_step_from_outside_the_browser(tmp_path: Path) -> None:
    """ctrl+z on the deck list (or `u` in a session) after a bulk suspend in the browser took
    back one card of it: only the browser knew the events were one action."""
    home = make_home(tmp_path)
    col = open_col(home, NOW)
    try:
        set_suspended(col, KEYS, True, NOW)
        assert record_undo(col, col.states, NOW + timedelta(seconds=5)) is not None
        assert not any(k in col.states for k in KEYS)  # new again, as before
    finally:
        col.close(NOW)


def test_a_study_session_takes_back_a_bulk_suspend_in_one_step(tmp_path: Path) -> None:
    home, before = _rated_then_bulk_suspended(tmp_path)
    at = NOW + timedelta(minutes=1)
    col = open_col(home, at)
    try:
        session = col.start_session(["tiny"], at)
        assert session.current is None  # all suspended
        assert session.undo(at) is not None
        assert len(session.last_undone_action) == len(KEYS)
        assert {k: col.states[k] for k in KEYS} == before
    finally:
        col.close(at)


def _laptop_reviews(root: Path, key: str, prior: CardState, at: datetime) -> CardState:
    laptop = review_state(at, days=9, stability=9.0)
    writer = JournalWriter(root / "state" / "devices" / "laptop-1", fsync=False)
    writer.append(Event("laptop-1-1", "review", key, at, laptop, prior, 3, 900))
    writer.close()
    return laptop


def _laptop_unsuspends(root: Path, suspended: dict[str, CardState], at: datetime) -> None:
    """Another device unsuspends each card of `suspended` (its state now) at `at`: a change this
    device's undo never takes back (an unsuspend made here is an undo target of its own)."""
    writer = JournalWriter(root / "state" / "devices" / "laptop-1", fsync=False)
    for n, (key, state) in enumerate(suspended.items(), 1):
        writer.append(Event(f"laptop-1-{n}", "unsuspend", key, at, state.with_flags(suspended=False), state))
    writer.close()


def test_a_bulk_suspend_whose_card_another_device_reviewed_since_takes_back_the_rest(
    tmp_path: Path,
) -> None:
    """Undo stays exact: the card another device reviewed since keeps that review."""
    home, before = _rated_then_bulk_suspended(tmp_path)
    laptop = _laptop_reviews(tmp_path, "tiny/one", before["tiny/one"], NOW + timedelta(minutes=2))
    at = NOW + timedelta(minutes=3)
    col = open_col(home, at)
    try:
        done = record_undo_action(col, col.states, at)
        assert done is not None and action_label(done[0]) == f"Undid suspend of {len(KEYS) - 1} cards"
        rest = [k for k in KEYS if k != "tiny/one"]
        assert {k: col.states[k] for k in rest} == {k: before[k] for k in rest}
        assert col.states["tiny/one"] == laptop  # the laptop's review stands
    finally:
        col.close(at)


def test_a_bulk_suspend_whose_every_card_changed_since_is_refused_and_said(tmp_path: Path) -> None:
    """Every card unsuspended since on another device (an unsuspend made here is undone first,
    as any undoable action: `test_h39_unsuspend_undo`)."""
    home, before = _rated_then_bulk_suspended(tmp_path)
    suspended = {k: st.with_flags(suspended=True) for k, st in before.items()}
    _laptop_unsuspends(tmp_path, suspended, NOW + timedelta(minutes=1))
    at = NOW + timedelta(minutes=3)
    col = open_col(home, at)
    try:
        assert col.last_undoable_action(at) == []
        assert record_undo_action(col, col.states, at) is None
        assert col.undo_refusal(at) == (
            f"Cannot undo suspend of {len(KEYS)} cards: another device changed the card since"
        )
    finally:
        col.close(at)


def test_events_recorded_without_the_mark_are_undone_one_at_a_time(tmp_path: Path) -> None:
    """An older retain's batch (no `g`): as before, one event a step."""
    home = make_home(tmp_path)
    col = open_col(home, NOW)
    try:
        events = [
            Event(col.new_event_id(NOW), "suspend", k, NOW, CardState(suspended=True), None) for k in KEYS
        ]
        col.record_many(events)
        done = record_undo_action(col, col.states, NOW + timedelta(seconds=1))
        assert done is not None and len(done[0]) == 1
        assert action_label(done[0]).startswith("Undid suspend of tiny/")
        assert sum(1 for k in KEYS if k in col.states) == len(KEYS) - 1
    finally:
        col.close(NOW)


def test_only_the_events_of_an_action_of_several_carry_the_mark(tmp_path: Path) -> None:
    """The mark is on a batch's records only (a rating costs nothing), reads back through the
    general reader, and names the action's first event by its number (a few bytes)."""
    home = make_home(tmp_path)
    col = open_col(home, NOW)
    try:
        rate(col, "tiny/one", NOW)
        set_suspended(col, ["tiny/two"], True, NOW)  # one card: no mark
        reset_progress(col, ["tiny/one", "tiny/two"], NOW + timedelta(seconds=1))
    finally:
        col.close(NOW)
    (journal,) = journal_paths(tmp_path)
    lines = [ln for ln in journal.read_bytes().splitlines(keepends=True) if ln[:1].isdigit()]
    assert [b",g=" in line for line in lines] == [False, False, True, True]
    assert all(line_crc(line) for line in lines)
    device = journal.parent.name
    first, second = (decode_record(line, NOW, device=device) for line in lines[2:])
    assert first.group == second.group == first.id
    marked = encode_event(second, device=device)
    assert len(marked) - len(encode_event(replace(second, group=""), device=device)) <= len(",g=1234567")


def _partly_undone_bulk_suspend(root: Path) -> Home:
    """A rating of KEYS[4], then a bulk suspend of KEYS[:3] of which KEYS[0] was unsuspended on
    another device, then its undo (the two other cards)."""
    home = make_home(root)
    col = open_col(home, NOW)
    rate(col, KEYS[4], NOW)
    set_suspended(col, KEYS[:3], True, NOW + timedelta(seconds=1))
    col.close(NOW + timedelta(seconds=1))
    _laptop_unsuspends(root, {KEYS[0]: CardState(suspended=True)}, NOW + timedelta(seconds=2))
    col = open_col(home, NOW + timedelta(seconds=2))
    try:
        first = record_undo_action(col, col.states, NOW + timedelta(seconds=3))
        assert first is not None and action_label(first[0]) == "Undid suspend of 2 cards"
        assert col.states[KEYS[0]].suspended is False  # the card unsuspended on the laptop is left
    finally:
        col.close(NOW)
    return home


def test_undo_after_a_partly_undone_bulk_suspend_reaches_the_earlier_rating(tmp_path: Path) -> None:
    """The card left out of the action's undo kept its suspend the newest undoable event: every
    further undo said "Cannot undo suspend of tiny/one: it was unsuspended since", and the rating
    before the action could never be undone."""
    home = _partly_undone_bulk_suspend(tmp_path)
    at = NOW + timedelta(seconds=4)
    col = open_col(home, at)
    try:
        assert col.can_undo()
        second = record_undo_action(col, col.states, at)
        assert second is not None, col.undo_refusal(at)
        assert [(e.kind, e.key) for e in second[0]] == [("review", KEYS[4])]
        assert KEYS[4] not in col.states  # new again, as before its rating
    finally:
        col.close(at)


@pytest.mark.parametrize("cold", [False, True], ids=["index", "cache-deleted"])
def test_a_partly_undone_action_is_no_undo_target_after_a_restart(tmp_path: Path, cold: bool) -> None:
    home = _partly_undone_bulk_suspend(tmp_path)
    if cold:
        shutil.rmtree(tmp_path / "cache")
    at = NOW + timedelta(minutes=1)
    col = open_col(home, at)
    try:
        assert col.undo_refusal(at) is None
        target = col.last_undoable(at)
        assert target is not None and (target.kind, target.key) == ("review", KEYS[4])
        assert [e.key for e in col.last_undoable_action(at)] == [KEYS[4]]
    finally:
        col.close(at)


def test_a_bulk_suspend_undone_but_the_card_another_device_reviewed_is_settled(tmp_path: Path) -> None:
    """The same for a card left out because another device reviewed it: the next undo takes back
    this device's rating made before the action (of a card the laptop did not touch)."""
    home, before = _rated_then_bulk_suspended(tmp_path)
    _laptop_reviews(tmp_path, "tiny/one", before["tiny/one"], NOW + timedelta(minutes=2))
    at = NOW + timedelta(minutes=3)
    col = open_col(home, at)
    try:
        assert record_undo_action(col, col.states, at) is not None
        second = record_undo_action(col, col.states, at + timedelta(seconds=1))
        assert second is not None, col.undo_refusal(at + timedelta(seconds=1))
        assert [(e.kind, e.key) for e in second[0]] == [("review", KEYS[-1])]
    finally:
        col.close(at)


def test_a_rating_whose_card_a_partly_undone_action_changed_is_still_refused(tmp_path: Path) -> None:
    """Settling an action does not make the rating before it of a card it changed (suspended,
    then unsuspended on another device) safe to undo: that one-event refusal is as before."""
    home = make_home(tmp_path)
    col = open_col(home, NOW)
    rate(col, KEYS[0], NOW)
    set_suspended(col, KEYS[:3], True, NOW + timedelta(seconds=1))
    suspended = col.states[KEYS[0]]
    col.close(NOW + timedelta(seconds=1))
    _laptop_unsuspends(tmp_path, {KEYS[0]: suspended}, NOW + timedelta(seconds=2))
    col = open_col(home, NOW + timedelta(seconds=2))
    try:
        assert record_undo_action(col, col.states, NOW + timedelta(seconds=3)) is not None
        at = NOW + timedelta(seconds=4)
        assert col.last_undoable_action(at) == []
        assert record_undo_action(col, col.states, at) is None
        assert col.undo_refusal(at) == "Cannot undo Good on tiny/one: another device changed the card since"
    finally:
        col.close(NOW)


def test_the_index_reads_an_actions_lines_as_fast_as_any_other() -> None:
    """A line with `g` went to `tomllib` one by one (~10x slower per record) in a cold build,
    after a reset of many cards say. The index keeps no `g`, so its reader takes those lines as
    it takes any other, with the same columns."""
    from retain.store.state.recordindex import index_block

    at = NOW + timedelta(minutes=5)
    first = "aaaaaaaaaaaa-1"
    events = [
        Event(f"aaaaaaaaaaaa-{n}", "reset", f"tiny/c{n}", at, None, review_state(NOW), 0, 0, "", first)
        for n in range(1, 40)
    ]
    grouped = [
        (n, encode_event(e, offset=n, device="aaaaaaaaaaaa").rstrip(b"\n")) for n, e in enumerate(events)
    ]
    plain = [
        (n, encode_event(replace(e, group=""), offset=n, device="aaaaaaaaaaaa").rstrip(b"\n"))
        for n, e in enumerate(events)
    ]
    assert all(b",g=" in line for _n, line in grouped)
    assert index_block(plain, at, "aaaaaaaaaaaa") is not None
    got = index_block(grouped, at, "aaaaaaaaaaaa")
    assert got is not None, "lines with g were left to the slow reader"
    assert got == index_block(plain, at, "aaaaaaaaaaaa")
