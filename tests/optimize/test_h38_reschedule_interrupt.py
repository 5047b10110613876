"""`retain optimize --reschedule` (and `--undo-reschedule`) stopped while its batch is applied: all
or nothing. The batch was durable in the journal, then applied in memory card by card; a Ctrl-C
(SIGTERM, SIGHUP) in that loop left part of the cards with their old state in memory, and the
snapshots written on the way out said the whole journal was applied: those events were never
replayed, and a rebuild from the journals (another device) disagreed for ever."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from optimize_home import copy_home, make_home, run, states

from retain.cli import Stopped
from retain.core.state import CardState
from retain.store.collection import Collection
from retain.store.state.statecodec import canonical_state
from retain.store.state.writer import StateWriter


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_home(tmp_path_factory.mktemp("h38int") / "home", cards=120)


@pytest.fixture
def home(built: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    yield copy_home(built, tmp_path, monkeypatch)


def _canonical(root: Path) -> dict[str, CardState | None]:
    return {k: canonical_state(s) if isinstance(s, CardState) else None for k, s in states(root).items()}


def _rebuilt(root: Path, tmp_path: Path) -> dict[str, CardState | None]:
    """The states a replay of the home's journals gives (its snapshots and cache deleted)."""
    copy = tmp_path / "rebuilt"
    shutil.copytree(root, copy)
    shutil.rmtree(copy / "state" / "snapshots", ignore_errors=True)
    (copy / "state" / "snapshots.toml").unlink(missing_ok=True)
    shutil.rmtree(copy / "cache", ignore_errors=True)
    return _canonical(copy)


def _stop_at(monkeypatch: pytest.MonkeyPatch, n: int, stop: BaseException) -> list[int]:
    """Raise `stop` as the writer applies the `n`th event recorded from now on (the signal
    handler's KeyboardInterrupt, or `Stopped`, lands between two cards of the batch)."""
    real = StateWriter._apply
    calls: list[int] = []

    def apply(self: StateWriter, *args: object, **kwargs: object) -> None:
        calls.append(1)
        if len(calls) == n:
            raise stop
        real(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(StateWriter, "_apply", apply)
    return calls


def _backups(root: Path) -> list[str]:
    folder = root / "state" / "backups"
    return sorted(p.name for p in folder.iterdir() if "reschedule" in p.name) if folder.is_dir() else []


@pytest.mark.parametrize(("stop", "code"), [(KeyboardInterrupt(), 130), (Stopped(15), 143)])
def test_a_reschedule_stopped_mid_batch_changes_nothing(
    home: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    stop: BaseException,
    code: int,
) -> None:
    before = _canonical(home)
    with monkeypatch.context() as patch:
        calls = _stop_at(patch, 30, stop)
        got, _out, err = run(capsys, "--all", "--reschedule")
    assert len(calls) == 30  # (stopped in the batch, which is longer)
    assert got == code
    assert "interrupted" in err and "not rescheduled" in err, err
    assert len(err.strip().splitlines()) == 1, err
    assert _backups(home) == []  # no backup of a reschedule that never happened
    after = _canonical(home)
    assert after == before  # nothing rescheduled
    assert _rebuilt(home, tmp_path) == after  # and the journals say the same


def test_an_undo_stopped_mid_batch_changes_nothing(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _out, err = run(capsys, "--all", "--reschedule")
    assert code == 0, err
    rescheduled = _canonical(home)
    with monkeypatch.context() as patch:
        _stop_at(patch, 30, KeyboardInterrupt())
        code, _out, err = run(capsys, "--undo-reschedule")
    assert code == 130
    assert "interrupted" in err and "nothing was undone" in err, err
    assert _canonical(home) == rescheduled
    assert _rebuilt(home, tmp_path) == rescheduled
    code, out, err = run(capsys, "--undo-reschedule")  # and it can be undone whole afterwards
    assert code == 0 and "put back the previous state of" in out, out + err


def test_a_stop_after_the_batch_keeps_the_whole_reschedule(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Stopped while the snapshots are written after the batch: every card is rescheduled, the
    backup stays (it is the undo's safety net), and the line says so."""
    before = _canonical(home)
    real = Collection.compact
    calls: list[int] = []

    def compact(self: Collection, *args: object) -> list[str]:
        calls.append(1)
        if len(calls) == 1:
            raise KeyboardInterrupt
        return real(self, *args)  # type: ignore[arg-type]

    with monkeypatch.context() as patch:
        patch.setattr(Collection, "compact", compact)
        code, _out, err = run(capsys, "--all", "--reschedule")
    assert code == 130
    assert "interrupted" in err and "was rescheduled" in err, err
    after = _canonical(home)
    changed = [k for k in after if after[k] != before[k]]
    assert len(changed) > 50
    assert _rebuilt(home, tmp_path) == after
    assert len(_backups(home)) == 1
