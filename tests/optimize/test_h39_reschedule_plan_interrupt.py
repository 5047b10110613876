"""`retain optimize --reschedule` stopped while it plans the reschedule (after the fit line, before
the batch) said nothing: exit 130/143 with an empty stderr, so a script or the user could not tell
that the weights were saved but no card was rescheduled (attacker 74). Now it says the same line
as a stop inside the batch (docs/scheduling.md)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from optimize_home import copy_home, make_home, run, states

import retain.commands.optimize_fit as optimize_fit
from retain.cli import Stopped


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_home(tmp_path_factory.mktemp("h39plan") / "home", cards=120)


@pytest.fixture
def home(built: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    yield copy_home(built, tmp_path, monkeypatch)


@pytest.mark.parametrize(("stop", "code"), [(KeyboardInterrupt(), 130), (Stopped(15), 143)])
def test_a_stop_while_planning_says_no_card_was_changed(
    home: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    stop: BaseException,
    code: int,
) -> None:
    before = states(home)

    def planning(*_args: object, **_kwargs: object) -> None:
        raise stop

    monkeypatch.setattr(optimize_fit, "reschedule_plan", planning)
    got, _out, err = run(capsys, "--all", "--reschedule")
    assert got == code
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "interrupted" in lines[0], err
    assert "was not rescheduled (no card was changed)" in lines[0], err
    assert states(home) == before
