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


@pytest.mark.parametrize(
    ("argv", "hint"),
    [
        (["--json", "due"], "--json belongs to the command, after it: `retain due --json`"),
        (["import", "--", "x.toml", "--dry-run"], "put --dry-run before `--`"),
        (
            ["add", "--deck", "d", "--front", "Namespace flag?", "--back", "-n", "--kind", "typed"],
            "join it with '=': --back=-n",
        ),
        (["export", "kafka", "-o", "-out.toml"], "join it with '=': --output=-out.toml"),
    ],
)
def test_a_word_in_the_wrong_place_says_where_it_goes(
    argv: list[str], hint: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """`retain --json due` said "unrecognized arguments: --json; did you mean --json?", and
    `--back -n` only "expected one argument"."""
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and hint in err and "did you mean" not in err, err
    assert f"(see `retain {argv[0] if argv[0] != '--json' else 'due'} --help`)" in err


def test_a_suggestion_is_an_option_of_the_command_given(capsys: pytest.CaptureFixture[str]) -> None:
    """`retain check --json` suggested --version, which `retain check` does not take either."""
    with pytest.raises(SystemExit):
        main(["check", "--json"])
    err = capsys.readouterr().err
    assert "did you mean" not in err and "(see `retain check --help`)" in err, err
