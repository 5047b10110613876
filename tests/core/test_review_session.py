"""Review session: flow, stored == previewed, record-before-next, undo (deep, after restart), leech."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from queue_helpers import NOW, TODAY, at, basic, reversed_pair, review, settings_map

from retain.core.clock import to_utc
from retain.core.model import Unit
from retain.core.queue import DayLog, build_queue
from retain.core.scheduler import Scheduler
from retain.core.session import Phase, ReviewSession, SessionError
from retain.core.settings import StudySettings
from retain.core.state import REVIEW, CardState, Event, validate_state


class MemoryRecorder:
    """The Recorder protocol kept in a list (the real one is the store's Collection)."""

    def __init__(self) -> None:
        self.states: dict[str, CardState] = {}  # the session's states: only the recorder changes them
        self.events: list[Event] = []
        self.fail_next = False
        self.on_record: list[Event] = []
        self._seq = 0

    def record(self, event: Event) -> Event:
        if self.fail_next:
            self.fail_next = False
            raise OSError("disk full")
        self.events.append(event)
        if event.after is None:
            self.states.pop(event.key, None)
        else:
            self.states[event.key] = event.after
        return event

    def new_event_id(self, now: datetime) -> str:
        self._seq += 1
        return f"test-{self._seq:08d}"

    def last_undoable(self) -> Event | None:
        undone = {e.undoes for e in self.events if e.kind == "undo"}
        for e in reversed(self.events):
            if e.kind in ("review", "suspend", "bury") and e.id not in undone:
                return e
        return None


def phase_of(session: ReviewSession) -> Phase:
    """The phase read afresh (mypy would keep an earlier assert's narrowing across a call)."""
    return session.phase


def current_of(session: ReviewSession) -> Unit | None:
    return session.current


def open_session(
    units: list[Unit],
    states: dict[str, CardState],
    recorder: MemoryRecorder,
    now: datetime = NOW,
    study: StudySettings | None = None,
) -> ReviewSession:
    recorder.states = states  # the recorder applies what it records to the caller's dict
    settings_for = settings_map(study or StudySettings())
    log = DayLog.from_events(recorder.events, now - timedelta(hours=8))
    queue = build_queue(units, states, log, settings_for, now, TODAY)
    return ReviewSession(
        queue, states, lambda deck: Scheduler(settings_for(deck)), recorder, {u.key: u for u in units}, now
    )


def test_front_reveal_rate_next() -> None:
    units = [basic("d", "a"), basic("d", "b")]
    session = open_session(units, {}, MemoryRecorder())
    assert session.current == units[0] and session.phase == "front"
    with pytest.raises(SessionError):
        session.rate(3, NOW)
    session.reveal()
    assert phase_of(session) == "back"
    labels = session.labels(NOW)
    assert [labels[1], labels[2], labels[3]] == ["<1m", "<6m", "<10m"]
    assert labels[4].endswith("d")  # Easy graduates: about 8 days, fuzzed
    event = session.rate(3, NOW, duration_ms=4200)
    assert event.kind == "review" and event.rating == 3 and event.duration_ms == 4200
    assert event.before is None and event.after == session.states["d/a"]
    assert session.current == units[1] and session.phase == "front"
    session.reveal()
    session.rate(4, at(1))
    assert session.current == units[0]  # the learning step comes back early: nothing else left
    session.reveal()
    session.rate(4, at(2))
    assert current_of(session) is None and phase_of(session) == "done"
    with pytest.raises(SessionError):
        session.reveal()
    with pytest.raises(ValueError):
        session.rate(5, NOW)


def test_stored_state_is_exactly_the_preview_even_with_fuzz() -> None:
    units = [basic("d", "a")]
    states = {"d/a": review(-timedelta(days=30), stability=60)}
    session = open_session(units, states, MemoryRecorder())
    shown = dict(session.previews(NOW))
    for _ in range(50):
        random.random()  # someone else uses the global RNG in between
    assert session.previews(NOW) == shown  # cached, not recomputed
    session.reveal()
    event = session.rate(3, NOW)
    assert event.after == shown[3] == session.states["d/a"]


def test_later_rating_keeps_the_previewed_interval() -> None:
    units = [basic("d", "a")]
    session = open_session(units, {}, MemoryRecorder())
    shown = session.previews(NOW)[1]
    session.reveal()
    event = session.rate(1, at(2))
    assert event.after is not None and shown.due is not None and event.after.due is not None
    assert event.after.due - at(2) == shown.due - NOW == timedelta(minutes=1)
    assert replace(event.after, due=shown.due, last_review=shown.last_review) == shown


def test_rating_is_recorded_before_the_next_card_is_chosen() -> None:
    units = [basic("d", "a"), basic("d", "b")]
    states: dict[str, CardState] = {}
    recorder = MemoryRecorder()
    session = open_session(units, states, recorder)
    seen: list[tuple[str | None, bool]] = []
    original = recorder.record

    def spying(event: Event) -> Event:
        seen.append((session.current.key if session.current else None, event.key in states))
        return original(event)

    recorder.record = spying  # type: ignore[method-assign]
    session.reveal()
    session.rate(3, NOW)
    assert seen == [("d/a", False)]  # still on the rated card, state not yet changed


def test_failed_record_changes_nothing() -> None:
    units = [basic("d", "a"), basic("d", "b")]
    states: dict[str, CardState] = {}
    recorder = MemoryRecorder()
    session = open_session(units, states, recorder)
    session.reveal()
    recorder.fail_next = True
    with pytest.raises(OSError):
        session.rate(3, NOW)
    assert session.states == {} and session.current == units[0] and session.phase == "back"
    session.rate(3, NOW)
    assert "d/a" in session.states


def test_undo_several_steps_deep() -> None:
    units = [basic("d", c) for c in "abc"]
    states = {f"d/{c}": review(-timedelta(days=1)) for c in "abc"}
    original = dict(states)
    recorder = MemoryRecorder()
    session = open_session(units, states, recorder)
    order = []
    for i in range(3):
        assert session.current is not None
        order.append(session.current.key)
        session.reveal()
        session.rate(1 + i, at(i))
    assert session.phase in ("front", "done")
    for expected in reversed(order):
        event = session.undo(at(5))
        assert event is not None and event.kind == "undo" and event.key == expected
        assert states[expected] == original[expected]
        assert session.current is not None and session.current.key == expected and session.phase == "front"
    assert states == original
    assert session.undo(at(6)) is None
    assert session.summary().studied == 0


def test_undo_new_card_restores_new_and_daily_limit() -> None:
    units = [basic("d", "a"), basic("d", "b")]
    states: dict[str, CardState] = {}
    session = open_session(units, states, MemoryRecorder(), study=StudySettings(new_per_day=1))
    session.reveal()
    session.rate(4, NOW)
    assert session.phase == "done"
    session.undo(at(1))
    assert states == {} and session.current == units[0]
    session.reveal()
    session.rate(4, at(2))
    assert session.phase == "done"  # still only one new card today


def test_undo_after_restart() -> None:
    units = [basic("d", "a"), basic("d", "b")]
    states: dict[str, CardState] = {}
    recorder = MemoryRecorder()
    first = open_session(units, states, recorder)
    for minute in (0, 1):
        first.reveal()
        first.rate(3, at(minute))
    after_b = states["d/b"]
    # "restart": a new queue and session over the same recorder and state
    second = open_session(units, states, recorder, now=at(3))
    event = second.undo(at(3))
    assert event is not None and event.key == "d/b" and event.before == after_b
    assert "d/b" not in states and second.current == units[1]
    event = second.undo(at(4))
    assert event is not None and event.key == "d/a" and states == {}
    assert second.current == units[0]


def test_undo_after_restart_gives_the_daily_new_slot_back() -> None:
    units = [basic("d", "a"), basic("d", "b")]
    states: dict[str, CardState] = {}
    recorder = MemoryRecorder()
    one_a_day = StudySettings(new_per_day=1)
    first = open_session(units, states, recorder, study=one_a_day)
    first.reveal()
    first.rate(4, NOW)
    second = open_session(units, states, recorder, now=at(1), study=one_a_day)
    assert second.phase == "done"  # today's new card is used up
    second.undo(at(1))
    assert second.current == units[0] and second.counts(at(1)).new == 1
    second.reveal()
    second.rate(4, at(2))
    assert second.phase == "done"  # and still only one


def test_leech_tag_and_suspend() -> None:
    units = [basic("d", "a")]
    for action, suspended in (("tag", False), ("suspend", True)):
        states = {"d/a": review(-timedelta(days=2), lapses=2)}
        study = StudySettings(leech_threshold=3, leech_action=action)
        session = open_session(units, states, MemoryRecorder(), study=study)
        session.reveal()
        event = session.rate(1, NOW)
        assert event.after is not None and event.after.lapses == 3
        assert event.after.leech is True and event.after.suspended is suspended
        assert (session.current is None) is suspended  # a suspended leech is not shown again


def test_a_leech_is_suspended_again_only_every_half_threshold() -> None:
    """As in Anki: the lapse that reaches the threshold suspends, then every half threshold after
    it. A leech edited and unsuspended used to be suspended again by its very next lapse."""
    study = StudySettings(leech_threshold=8, leech_action="suspend")
    suspended: list[int] = []
    for lapses in range(7, 17):
        states = {"d/a": review(-timedelta(days=2), lapses=lapses, leech=lapses >= 8)}
        session = open_session([basic("d", "a")], states, MemoryRecorder(), study=study)
        session.reveal()
        after = session.rate(1, NOW).after
        assert after is not None and after.leech is True
        if after.suspended:
            suspended.append(after.lapses)
    assert suspended == [8, 12, 16]
    odd = StudySettings(leech_threshold=3, leech_action="suspend")  # half of 3 rounds up: 3, 5, 7
    hits = []
    for lapses in range(2, 8):
        states = {"d/a": review(-timedelta(days=2), lapses=lapses)}
        session = open_session([basic("d", "a")], states, MemoryRecorder(), study=odd)
        session.reveal()
        after = session.rate(1, NOW).after
        if after is not None and after.suspended:
            hits.append(after.lapses)
    assert hits == [3, 5, 7]


def test_no_leech_below_threshold_or_without_lapse() -> None:
    units = [basic("d", "a")]
    states = {"d/a": review(-timedelta(days=2), lapses=9)}
    session = open_session(units, states, MemoryRecorder())
    session.reveal()
    assert session.rate(3, NOW).after.leech is False  # type: ignore[union-attr]


def test_suspend_and_bury_and_undo_them() -> None:
    units = [basic("d", "a"), *reversed_pair("d", "p")]
    states: dict[str, CardState] = {}
    recorder = MemoryRecorder()
    session = open_session(units, states, recorder)
    event = session.suspend(NOW)
    assert event.kind == "suspend" and states["d/a"].suspended and states["d/a"].is_new
    assert session.current == units[1]
    event = session.bury(NOW)
    assert event.kind == "bury" and states["d/p"].buried_until == (TODAY + timedelta(days=1)).isoformat()
    assert current_of(session) is None  # its sibling (whose answer it showed) waits for another day
    session.undo(NOW)
    assert "d/p" not in states and current_of(session) == units[1]
    session.undo(NOW)
    assert states == {} and session.current == units[0]


def test_summary() -> None:
    units = [basic("d", c) for c in "abc"]
    states = {f"d/{c}": review(-timedelta(days=1)) for c in "abc"}
    session = open_session(units, states, MemoryRecorder())
    for rating in (1, 3, 3):
        session.reveal()
        session.rate(rating, NOW, duration_ms=1500)
    summary = session.summary()
    assert (summary.studied, summary.again, summary.seconds) == (3, 1, 4.5)
    assert summary.again_rate == pytest.approx(1 / 3)
    # the relearning step (10 min) is within learn-ahead (20 min): it is served now, and it is
    assert summary.next_due == NOW and session.current is not None
    assert session.current.key == next(k for k in states if states[k].state != REVIEW)


def test_clock_moved_backwards_mid_session() -> None:
    units = [basic("d", "a")]
    states: dict[str, CardState] = {}
    session = open_session(units, states, MemoryRecorder())
    session.reveal()
    session.rate(1, NOW)
    back = NOW - timedelta(hours=2)
    assert session.refresh(back) is not None or session.current is not None
    session.reveal()
    event = session.rate(3, back)
    assert event.after is not None and event.after.due is not None
    assert event.after.due > back
    validate_state(event.after)


def test_refresh_picks_up_a_step_that_came_due() -> None:
    units = [basic("d", "a")]
    study = StudySettings(learning_steps=(timedelta(hours=1),))
    session = open_session(units, {}, MemoryRecorder(), study=study)
    session.reveal()
    session.rate(1, NOW)
    assert session.phase == "done" and session.summary().next_due == at(40)  # learn-ahead: 20 min early
    assert session.refresh(at(30)) is None
    assert session.refresh(at(45)) == units[0] and phase_of(session) == "front"


# -- property: any sequence of actions keeps states valid; undo restores exactly ----------

actions = st.lists(
    st.one_of(st.integers(1, 4), st.sampled_from(["undo", "suspend", "bury", "wait"])),
    min_size=5,
    max_size=40,
)


@settings(max_examples=150, deadline=None)
@given(script=actions, seed=st.integers(0, 2**32 - 1))
def test_any_sequence_keeps_states_valid_and_undo_restores(script: list[int | str], seed: int) -> None:
    random.seed(seed)
    units = [basic("d", "a"), *reversed_pair("d", "p"), basic("d", "r")]
    states: dict[str, CardState] = {"d/r": review(-timedelta(days=3), lapses=6)}
    initial = dict(states)
    recorder = MemoryRecorder()
    session = open_session(units, states, recorder, study=StudySettings(leech_threshold=7))
    now = NOW
    for step in script:
        now += timedelta(seconds=30)
        before_states = dict(states)
        if step == "undo":
            target = recorder.last_undoable()
            event = session.undo(now)
            if target is None:
                assert event is None
            else:
                assert states.get(target.key) == target.before
                if target.before is None or not target.before.suspended:
                    assert session.current is not None and session.current.key == target.key
                    assert session.phase == "front"
        elif step == "wait":
            now += timedelta(minutes=15)
            session.refresh(now)
        elif session.current is None:
            continue
        elif step in ("suspend", "bury"):
            getattr(session, step)(now)
        else:
            assert isinstance(step, int)
            if session.phase == "front":
                session.reveal()
            shown = session.previews(now)[step]
            key = session.current.key
            event = session.rate(step, now)
            assert event.after is not None and event.after.stability == shown.stability
            assert states[key] == event.after and event.before == before_states.get(key)
        for state in states.values():
            validate_state(state, to_utc(now))
    while session.undo(now) is not None:
        pass
    assert states == initial


def test_the_summary_counts_a_card_rated_into_the_review_pile() -> None:
    """One new card rated Easy: the summary said "Next due: nothing scheduled" while the card
    was due in days (the queue knew only its learning steps and the reviews it was built over)."""
    units = [basic("d", "a")]
    states: dict[str, CardState] = {}
    session = open_session(units, states, MemoryRecorder())
    session.reveal()
    rated = session.rate(4, NOW)
    assert session.current is None and rated.after is not None
    assert session.summary().next_due == rated.after.due
