"""Rescheduling with a preset's weights on real files: a second plan right after applying changes nothing."""

from __future__ import annotations

import shutil
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from optimize_home import NOW, deck_text, make_home
from optimize_synth import TRUE_WEIGHTS

from retain.core.scheduler import Scheduler
from retain.core.settings import StudySettings
from retain.core.state import CardState, Event
from retain.store.collection import Collection
from retain.store.fsrs_presets import _sig6, apply_reschedule, history_rows, presets_for, reschedule_plan
from retain.store.home import open_home
from retain.store.state.statecodec import canonical_state


def _open(root: Path) -> Collection:
    return Collection.open(open_home({"RETAIN_HOME": str(root)}), NOW, cards=False)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_home(tmp_path_factory.mktemp("resched") / "home", cards=120)


@pytest.mark.parametrize("weights", [TRUE_WEIGHTS, (*TRUE_WEIGHTS[:20], 0.5)])
def test_a_second_plan_after_applying_changes_nothing(
    built: Path, tmp_path: Path, weights: tuple[float, ...]
) -> None:
    root = tmp_path / "home"
    shutil.copytree(built, root)
    col = _open(root)
    try:
        (preset,) = [p for p in presets_for(col, None) if "alpha" in p.decks]
        plan = reschedule_plan(col, preset, weights, NOW)
        assert plan.count > 50  # the weights are far from the defaults the history was made with
        count, _backup = apply_reschedule(col, plan, NOW)
        assert count == plan.count
        again = reschedule_plan(col, preset, weights, NOW)
        assert [c.key for c in again.changes] == []
        assert again.due_next_week_before == again.due_next_week_after == plan.due_next_week_after
    finally:
        col.close(NOW)
    col = _open(root)  # and after a restart (states read back from the snapshots and journal)
    try:
        (preset,) = [p for p in presets_for(col, None) if "alpha" in p.decks]
        assert [c.key for c in reschedule_plan(col, preset, weights, NOW).changes] == []
    finally:
        col.close(NOW)


@given(st.floats(min_value=1e-6, max_value=1e6, allow_nan=False))
def test_the_plans_rounding_is_the_state_files(value: float) -> None:
    state = canonical_state(CardState(state=2, stability=value, difficulty=min(value, 10.0)))
    assert state.stability == _sig6(value) and state.difficulty == _sig6(min(value, 10.0))


def test_history_rows_come_by_card_then_time_even_when_recorded_out_of_order(tmp_path: Path) -> None:
    (tmp_path / "decks").mkdir()
    (tmp_path / "decks" / "alpha.toml").write_text(deck_text("alpha", 3), encoding="utf-8")
    col = _open(tmp_path)
    try:
        sched = Scheduler(StudySettings())
        events = []
        for i, key in enumerate(("alpha/c2", "alpha/c0", "alpha/c1")):
            at, state = NOW - timedelta(days=40 - i), None
            for _ in range(4):
                after = sched.preview(key, state, at)[3]
                events.append(Event(col.new_event_id(at), "review", key, at, after, state, 3, 1000))
                state, at = after, at + timedelta(days=5)
        col.record_many(events[::-1])  # newest first: the index holds them out of time order
        rows = list(history_rows(col, ["alpha"], NOW))
        assert [(r[0], r[1]) for r in rows] == sorted((r[0], r[1]) for r in rows)
        assert len(rows) == 12
    finally:
        col.close(NOW)


def test_a_card_reviewed_after_the_plan_keeps_its_review(built: Path, tmp_path: Path) -> None:
    root = tmp_path / "home"
    shutil.copytree(built, root)
    col = _open(root)
    try:
        (preset,) = [p for p in presets_for(col, None) if "alpha" in p.decks]
        plan = reschedule_plan(col, preset, TRUE_WEIGHTS, NOW)
        key = plan.changes[0].key
        reviewed = Scheduler(StudySettings()).preview(key, col.states[key], NOW)[3]
        col.record(Event(col.new_event_id(NOW), "review", key, NOW, reviewed, col.states[key], 3, 900))
        count, _backup = apply_reschedule(col, plan, NOW)
        assert count == plan.count - 1
        assert col.states[key].reps == reviewed.reps and col.states[key].due == reviewed.due
    finally:
        col.close(NOW)
