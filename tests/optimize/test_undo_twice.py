"""`retain optimize --undo-reschedule`: what it puts back (the scheduling, never a suspend or bury
made since), and twice: the second run finds nothing to undo (it is no redo)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from optimize_home import NOW, copy_home, make_home, run, states
from optimize_synth import TRUE_WEIGHTS

from retain.core.state import CardState, Event, EventKind
from retain.store.collection import Collection
from retain.store.fsrs_presets import apply_reschedule, presets_for, reschedule_plan
from retain.store.home import open_home


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_home(tmp_path_factory.mktemp("undo2") / "home", cards=150)


@pytest.fixture
def home(built: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    yield copy_home(built, tmp_path, monkeypatch)


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


def _reschedule(root: Path) -> int:
    """The settings screen's ctrl+r: reschedule the preset of `alpha` with other weights."""
    now = datetime.now(UTC)
    col = Collection.open(open_home({"RETAIN_HOME": str(root)}), now, cards=False)
    try:
        (preset,) = [p for p in presets_for(col, None) if "alpha" in p.decks]
        return apply_reschedule(col, reschedule_plan(col, preset, TRUE_WEIGHTS, now), now)[0]
    finally:
        col.close(now)


def _mark(root: Path, kind: EventKind, key: str, **flags: object) -> None:
    """Suspend, unsuspend or bury `key` (the browser's and the session's events)."""
    now = datetime.now(UTC)
    col = Collection.open(open_home({"RETAIN_HOME": str(root)}), now, cards=False)
    try:
        before = col.states[key]
        col.record(Event(col.new_event_id(now), kind, key, now, before.with_flags(**flags), before))
    finally:
        col.close(now)


def _state(root: Path, key: str) -> CardState:
    state = states(root)[key]
    assert isinstance(state, CardState)
    return state


def _scheduling(state: CardState) -> tuple[object, ...]:
    return (round(state.stability or 0, 3), round(state.difficulty or 0, 3), state.due)


def test_an_undo_keeps_a_suspend_and_a_bury_made_since(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Only stability, difficulty and due come back: a card suspended or buried after the
    reschedule stays so; and the undo is still known as one (a second finds nothing)."""
    original = states(home)
    assert _reschedule(home) > 50
    assert _scheduling(_state(home, "alpha/c1")) != _scheduling(original["alpha/c1"])  # type: ignore[arg-type]
    buried = (NOW + timedelta(days=2)).date().isoformat()
    _mark(home, "suspend", "alpha/c1", suspended=True)
    _mark(home, "bury", "alpha/c2", buried_until=buried)
    code, out, err = run(capsys, "--undo-reschedule")
    assert code == 0 and "put back the previous state" in out, out + err
    undone = states(home)
    c1, c2 = _state(home, "alpha/c1"), _state(home, "alpha/c2")
    assert (c1.suspended, c2.buried_until) == (True, buried)
    for key, state in (("alpha/c1", c1), ("alpha/c2", c2)):
        old = original[key]
        assert isinstance(old, CardState)
        assert _scheduling(state) == _scheduling(old)
    code, out, err = run(capsys, "--undo-reschedule")
    assert code == 0 and out.strip() == "no reschedule to undo", out + err
    assert states(home) == undone


def test_an_undo_keeps_an_unsuspend_made_since(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _mark(home, "suspend", "alpha/c3", suspended=True)
    assert _reschedule(home) > 50
    _mark(home, "unsuspend", "alpha/c3", suspended=False)
    code, out, err = run(capsys, "--undo-reschedule")
    assert code == 0 and "put back the previous state" in out, out + err
    assert not _state(home, "alpha/c3").suspended
