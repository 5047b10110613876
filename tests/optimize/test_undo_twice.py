"""`retain optimize --undo-reschedule` twice: the second run finds nothing to undo (it is no redo)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from optimize_home import NOW, make_home, run, states

from retain.store.collection import Collection
from retain.store.fsrs_presets import apply_reschedule, presets_for, reschedule_plan
from retain.store.home import open_home


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_home(tmp_path_factory.mktemp("undo2") / "home", cards=150)


@pytest.fixture
def home(built: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    root = tmp_path / "home"
    shutil.copytree(built, root)
    monkeypatch.setenv("RETAIN_HOME", str(root))
    yield root


def test_a_second_undo_changes_nothing(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _out, err = run(capsys, "--all", "--reschedule")
    assert code == 0, err
    rescheduled = states(home)
    code, out, _ = run(capsys, "--undo-reschedule")
    assert code == 0 and "put back the previous state of" in out
    undone = states(home)
    assert undone != rescheduled
    code, out, err = run(capsys, "--undo-reschedule")
    assert code == 0 and out.strip() == "no reschedule to undo", out + err
    assert states(home) == undone


def test_a_new_reschedule_after_an_undo_can_be_undone(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "--all", "--reschedule")[0] == 0
    assert run(capsys, "--undo-reschedule")[0] == 0
    undone = states(home)
    col = Collection.open(open_home({"RETAIN_HOME": str(home)}), NOW, cards=False)
    try:  # the settings screen's ctrl+r: the same weights again
        now = datetime.now(UTC)
        (preset,) = [p for p in presets_for(col, None) if "alpha" in p.decks]
        assert preset.settings.parameters is not None
        plan = reschedule_plan(col, preset, preset.settings.parameters, now)
        assert apply_reschedule(col, plan, now)[0] > 50
    finally:
        col.close(NOW)
    code, out, _ = run(capsys, "--undo-reschedule")
    assert code == 0 and "put back the previous state of" in out
    assert states(home) == undone
    code, out, _ = run(capsys, "--undo-reschedule")  # undo, redo, undo: nothing left
    assert code == 0 and out.strip() == "no reschedule to undo"
    assert states(home) == undone
