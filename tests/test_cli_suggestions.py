"""A misspelt sub-command, option or choice: the one-line error says what was probably meant."""

from __future__ import annotations

from pathlib import Path

import pytest

from retain.cli import main


@pytest.fixture(autouse=True)
def _home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Should a suggestion test ever run its command, it runs in a home of its own."""
    monkeypatch.setenv("RETAIN_HOME", str(tmp_path))
    monkeypatch.chdir(tmp_path)


@pytest.mark.parametrize(
    ("argv", "hint"),
    [
        (["reveiw"], "did you mean 'review'?"),
        (["stat"], "did you mean 'stats'?"),
        (["due", "--jsn"], "did you mean --json?"),
        (["stats", "--dek", "kafka"], "did you mean --deck?"),
        (["add", "--deck", "d", "--front", "Q", "--kind", "clozed"], "did you mean 'cloze'?"),
    ],
)
def test_a_misspelt_command_or_option_gets_a_suggestion(
    argv: list[str], hint: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """`retain reveiw` listed nine commands to choose from; `--jsn` was only "unrecognized"."""
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and hint in err, err


def test_nothing_close_gets_no_suggestion(capsys: pytest.CaptureFixture[str]) -> None:
    for argv in (["xyz"], ["due", "--frobnicate"]):
        with pytest.raises(SystemExit):
            main(argv)
        assert "did you mean" not in capsys.readouterr().err
