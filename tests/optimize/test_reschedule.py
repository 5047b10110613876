"""Rescheduling with a preset's weights on real files: a second plan right after applying changes nothing."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from optimize_home import NOW, make_home
from optimize_synth import TRUE_WEIGHTS

from retain.store.collection import Collection
from retain.store.fsrs_presets import apply_reschedule, presets_for, reschedule_plan
from retain.store.home import open_home


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
        assert len(plan.events) > 50  # the weights are far from the defaults the history was made with
        count, _backup = apply_reschedule(col, plan, NOW)
        assert count == len(plan.events)
        again = reschedule_plan(col, preset, weights, NOW)
        assert [e.key for e in again.events] == []
        assert again.due_next_week_before == again.due_next_week_after == plan.due_next_week_after
    finally:
        col.close(NOW)
    col = _open(root)  # and after a restart (states read back from the snapshots and journal)
    try:
        (preset,) = [p for p in presets_for(col, None) if "alpha" in p.decks]
        assert [e.key for e in reschedule_plan(col, preset, weights, NOW).events] == []
    finally:
        col.close(NOW)
