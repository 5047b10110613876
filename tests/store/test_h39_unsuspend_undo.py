"""Unsuspend (h39): undone like a suspend, and it gives the card back to the day.

- The browser's unsuspend of one card, and of several marked cards (one action, `g`), is undone by
  ctrl+z (`u` on the deck list, in a session) in one step, also after a restart; the card gets back
  exactly the state it had. Before, an unsuspend was no undo target at all.
- A card suspended then unsuspended on one study day no longer holds its note for the day (the day
  log's `notes_seen`): it and its siblings are studyable again today, within the daily limits, as
  an unbury does (h38); the undo of the unsuspend holds them again.
- A card unburied or unsuspended on another screen (the browser over a running study session)
  comes back into the session's queue, within its limits, as in a session started afresh
  (`ReviewSession.sync_states`). Before, it came back only in the next session.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from store_helpers import KEYS, NOW, make_home, open_col, rate

from retain.core.session import ReviewSession, action_label, record_undo_action
from retain.core.state import CardState, Event
from retain.store.collection import Collection
from retain.store.state.progress_edits import set_buried, set_suspended

AT = NOW + timedelta(minutes=5)


def _new_count(col: Collection, at: datetime = AT) -> int:
    return col.due_counts(at)["tiny"].new


def _undo(col: Collection, at: datetime) -> list[Event]:
    done = record_undo_action(col, col.states, at)
    assert done is not None, col.undo_refusal(at)
    return done[0]


def _served(session: ReviewSession, at: datetime, limit: int = 12) -> list[str]:
    """The keys the session serves from now on, each rated Easy."""
    served: list[str] = []
    while session.current is not None and len(served) < limit:
        served.append(session.current.key)
        session.reveal()
        session.rate(4, at, 1000)
    return served


def _current(session: ReviewSession) -> str | None:
    """The key of the card on screen (read again: a call changes it, which mypy cannot see)."""
    return session.current.key if session.current is not None else None


def _undos(col: Collection, at: datetime) -> Callable[[datetime], list[Event]]:
    """`sync_states`'s `undos` at `at`, as the study screen gives it (the journal's undo events)."""
    return lambda since: [e for e in col.history_index.events(at, since=since) if e.kind == "undo"]


# -- 1. an unsuspend is undoable ---------------------------------------------------------------


@pytest.mark.parametrize("restart", ["none", "index", "cache-deleted"])
def test_an_unsuspend_of_one_card_is_undone_exactly(tmp_path: Path, restart: str) -> None:
    home = make_home(tmp_path)
    col = open_col(home, NOW - timedelta(days=5))
    rate(col, "tiny/one", NOW - timedelta(days=5))
    set_suspended(col, ["tiny/one"], True, NOW - timedelta(days=1))
    suspended = col.states["tiny/one"]
    col.close(NOW - timedelta(days=1))
    col = open_col(home, NOW)
    (event,) = set_suspended(col, ["tiny/one"], False, NOW)
    assert (event.kind, event.group) == ("unsuspend", "")
    assert col.can_undo()
    later = NOW + timedelta(minutes=1)
    if restart != "none":
        col.close(NOW)
        if restart == "cache-deleted":
            shutil.rmtree(tmp_path / "cache")
        col = open_col(home, later)
    try:
        assert col.last_undoable(later) is not None
        done = _undo(col, later)
        assert action_label(done) == "Undid unsuspend of tiny/one"
        assert col.states["tiny/one"] == suspended  # exactly the state it had
        # then the suspend before it, as any undo reaches back
        assert action_label(_undo(col, later + timedelta(seconds=1))) == "Undid suspend of tiny/one"
        assert not col.states["tiny/one"].suspended
    finally:
        col.close(later)


@pytest.mark.parametrize("cold", [False, True], ids=["index", "cache-deleted"])
def test_a_bulk_unsuspend_is_one_action_undone_in_one_step_after_a_restart(
    tmp_path: Path, cold: bool
) -> None:
    home = make_home(tmp_path)
    col = open_col(home, NOW - timedelta(days=1))
    rate(col, "tiny/one", NOW - timedelta(days=1))
    set_suspended(col, KEYS, True, NOW - timedelta(days=1))
    suspended = dict(col.states)
    col.close(NOW - timedelta(days=1))
    col = open_col(home, NOW)
    events = set_suspended(col, KEYS, False, NOW)
    assert len(events) == len(KEYS) and {e.group for e in events} == {events[0].id}
    col.close(NOW)
    if cold:
        shutil.rmtree(tmp_path / "cache")
    later = NOW + timedelta(minutes=1)
    col = open_col(home, later)
    try:
        done = _undo(col, later)
        assert action_label(done) == f"Undid unsuspend of {len(KEYS)} cards"
        assert dict(col.states) == suspended
    finally:
        col.close(later)
    col = open_col(home, later + timedelta(minutes=1))  # the undo stays after a restart
    try:
        assert dict(col.states) == suspended
    finally:
        col.close(later + timedelta(minutes=1))


def test_a_study_session_takes_back_an_unsuspend(tmp_path: Path) -> None:
    """`u` in a session reaches the browser's unsuspend made before it, as a suspend's."""
    col = open_col(make_home(tmp_path), NOW)
    try:
        set_suspended(col, ["tiny/one"], True, NOW - timedelta(days=2))
        set_suspended(col, ["tiny/one"], False, NOW)
        session = col.start_session(["tiny"], AT)
        assert session.undo(AT) is not None
        assert session.last_undone is not None and session.last_undone.kind == "unsuspend"
        assert col.states["tiny/one"].suspended
        assert "tiny/one" not in _served(session, AT)
    finally:
        col.close(AT)


def test_an_unsuspend_another_change_followed_is_refused_and_said(tmp_path: Path) -> None:
    """A card rated since its unsuspend: undoing it would erase the rating (the rating is the
    target first; once that is undone, the unsuspend is)."""
    col = open_col(make_home(tmp_path), NOW)
    try:
        set_suspended(col, ["tiny/one"], True, NOW - timedelta(days=2))
        set_suspended(col, ["tiny/one"], False, NOW)
        rate(col, "tiny/one", AT)
        assert action_label(_undo(col, AT)).startswith("Undid Good on tiny/one")
        assert action_label(_undo(col, AT + timedelta(seconds=1))) == "Undid unsuspend of tiny/one"
        assert col.states["tiny/one"].suspended
    finally:
        col.close(AT)


# -- 2. an unsuspend gives the card back to the day ----------------------------------------------


def test_a_card_suspended_then_unsuspended_today_is_counted_and_served(tmp_path: Path) -> None:
    col = open_col(make_home(tmp_path), NOW)
    try:
        start = _new_count(col, NOW)
        set_suspended(col, ["tiny/one"], True, NOW)
        assert _new_count(col) == start - 1
        set_suspended(col, ["tiny/one"], False, AT)
        assert "tiny/one" not in col.day_log(AT).notes_seen
        assert _new_count(col) == start
        assert "tiny/one" in _served(col.start_session(["tiny"], AT), AT)
    finally:
        col.close(AT)


def test_a_sibling_held_by_a_suspend_comes_back_with_the_unsuspend(tmp_path: Path) -> None:
    col = open_col(make_home(tmp_path), NOW)
    try:
        start = _new_count(col, NOW)
        set_suspended(col, ["tiny/two"], True, NOW)  # its reverse waits too (one note)
        assert _new_count(col) == start - 1
        set_suspended(col, ["tiny/two"], False, AT)
        assert _new_count(col) == start
        assert "tiny/two" not in col.day_log(AT).notes_seen
    finally:
        col.close(AT)


def test_the_undo_of_the_unsuspend_holds_the_note_again_also_after_a_restart(tmp_path: Path) -> None:
    home = make_home(tmp_path)
    col = open_col(home, NOW)
    start = _new_count(col, NOW)
    set_suspended(col, ["tiny/two"], True, NOW)
    set_suspended(col, ["tiny/two"], False, AT)
    _undo(col, AT)
    assert _new_count(col) == start - 1
    col.close(AT)
    shutil.rmtree(tmp_path / "cache")
    col = open_col(home, AT)
    try:
        assert "tiny/two" in col.day_log(AT).notes_seen
        assert _new_count(col) == start - 1
    finally:
        col.close(AT)


def test_a_card_suspended_again_after_its_unsuspend_holds_its_note(tmp_path: Path) -> None:
    col = open_col(make_home(tmp_path), NOW)
    try:
        start = _new_count(col, NOW)
        set_suspended(col, ["tiny/two"], True, NOW)
        set_suspended(col, ["tiny/two"], False, NOW + timedelta(minutes=1))
        set_suspended(col, ["tiny/two"], True, NOW + timedelta(minutes=2))
        assert "tiny/two" in col.day_log(AT).notes_seen
        assert _new_count(col) == start - 1
    finally:
        col.close(AT)


def test_an_unsuspended_card_stays_within_the_daily_new_limit(tmp_path: Path) -> None:
    (tmp_path / "config.toml").write_text("[study]\nnew_per_day = 1\n", encoding="utf-8")
    col = open_col(make_home(tmp_path), NOW)
    try:
        set_suspended(col, ["tiny/one"], True, NOW)
        rate(col, "tiny/three:c1", NOW)  # the one new card of the day
        set_suspended(col, ["tiny/one"], False, AT)
        assert _new_count(col) == 0
    finally:
        col.close(AT)


# -- 3. back in a running session ------------------------------------------------------------


def _session_with_buried_one(col: Collection, kind: str) -> ReviewSession:
    """A session over tiny whose first card (tiny/one) was set aside (`kind`) in it."""
    session = col.start_session(["tiny"], NOW)
    assert session.current is not None and session.current.key == "tiny/one"
    session.bury(NOW) if kind == "bury" else session.suspend(NOW)
    assert session.current is not None and session.current.key != "tiny/one"
    return session


@pytest.mark.parametrize("kind", ["bury", "suspend"])
def test_a_card_set_aside_in_a_session_and_brought_back_in_the_browser_is_served(
    tmp_path: Path, kind: str
) -> None:
    col = open_col(make_home(tmp_path), NOW)
    try:
        session = _session_with_buried_one(col, kind)
        shown = session.current
        if kind == "bury":
            set_buried(col, ["tiny/one"], False, AT)  # the browser over the session
        else:
            set_suspended(col, ["tiny/one"], False, AT)
        session.sync_states(AT, _undos(col, AT))
        assert session.current is shown  # the card on screen stays
        counts = session.counts(AT)
        assert counts.new == _new_count(col)  # as a session started now counts
        assert "tiny/one" in _served(session, AT)
    finally:
        col.close(AT)


def test_a_card_buried_before_the_session_and_unburied_over_it_joins_it(tmp_path: Path) -> None:
    col = open_col(make_home(tmp_path), NOW)
    try:
        set_buried(col, ["tiny/one"], True, NOW)
        session = col.start_session(["tiny"], NOW)
        assert session.current is not None and session.current.key != "tiny/one"
        set_buried(col, ["tiny/one"], False, AT)
        session.sync_states(AT, _undos(col, AT))
        assert "tiny/one" in _served(session, AT)
    finally:
        col.close(AT)


def test_a_session_that_ran_out_shows_the_card_brought_back(tmp_path: Path) -> None:
    col = open_col(make_home(tmp_path), NOW)
    try:
        session = _session_with_buried_one(col, "bury")
        _served(session, NOW)
        assert session.current is None
        set_buried(col, ["tiny/one"], False, AT)
        assert session.sync_states(AT, _undos(col, AT)) is True
        assert _current(session) == "tiny/one"
    finally:
        col.close(AT)


def test_a_card_brought_back_over_a_session_stays_within_its_limits(tmp_path: Path) -> None:
    """The day's one new card was studied: the unburied new card waits for tomorrow, as in a
    session started now."""
    (tmp_path / "config.toml").write_text("[study]\nnew_per_day = 2\n", encoding="utf-8")
    col = open_col(make_home(tmp_path), NOW)
    try:
        session = _session_with_buried_one(col, "bury")
        assert len(_served(session, NOW)) == 2  # the day's new cards
        set_buried(col, ["tiny/one"], False, AT)
        session.sync_states(AT, _undos(col, AT))
        assert session.current is None and session.counts(AT).new == 0
    finally:
        col.close(AT)


def test_a_sibling_rated_today_keeps_an_unburied_card_out(tmp_path: Path) -> None:
    """tiny/two rated in the session, tiny/two:reverse buried in the browser, then unburied: its
    note was studied today, so it waits for tomorrow, as in a session started now."""
    col = open_col(make_home(tmp_path), NOW)
    try:
        session = col.start_session(["tiny"], NOW)
        served = _served(session, NOW, limit=2)
        assert "tiny/two" in served or "tiny/two:reverse" in served
        other = "tiny/two:reverse" if "tiny/two" in served else "tiny/two"
        set_buried(col, [other], True, AT)
        set_buried(col, [other], False, AT + timedelta(seconds=1))
        session.sync_states(AT + timedelta(seconds=1), _undos(col, AT + timedelta(seconds=1)))
        assert other not in _served(session, AT + timedelta(seconds=2))
    finally:
        col.close(AT)


def test_a_suspend_undone_over_a_session_still_shows_the_card_next(tmp_path: Path) -> None:
    """The browser's undo of a suspend (no unsuspend) still brings the card back front first."""
    col = open_col(make_home(tmp_path), NOW)
    try:
        session = _session_with_buried_one(col, "suspend")
        assert record_undo_action(col, col.states, AT) is not None
        assert session.sync_states(AT, _undos(col, AT)) is True
        assert session.current is not None and session.current.key == "tiny/one"
    finally:
        col.close(AT)


def test_new_card_state_left_as_it_was(tmp_path: Path) -> None:
    """An unsuspend of a new card writes the new card's state back: nothing else changes."""
    col = open_col(make_home(tmp_path), NOW)
    try:
        set_suspended(col, ["tiny/one"], True, NOW)
        (event,) = set_suspended(col, ["tiny/one"], False, AT)
        assert event.after == CardState()
    finally:
        col.close(AT)
