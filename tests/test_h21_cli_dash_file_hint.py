"""A file name that starts with `-` gets a hint to write `./-name` or put `--` before it (h21).

argparse reads such a word as an option: `retain import -notes.csv` said only "the following
arguments are required: FILE|DIR" (it was given) and `retain check -kafka.toml` only
"unrecognized arguments: -kafka.toml", though the README's way out (`./-notes.csv`) works.
"""

from __future__ import annotations

import shlex
import string
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from retain.cli import main

SUFFIXES = (".toml", ".apkg", ".csv", ".tsv", ".txt", ".md")


@pytest.fixture(autouse=True)
def _home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RETAIN_HOME", str(tmp_path / "home"))
    monkeypatch.chdir(tmp_path)


def _error(argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1, lines
    return lines[0]


@pytest.mark.parametrize(
    "argv",
    [
        ["import", "-notes.csv"],
        ["import", "--dry-run", "-notes.csv"],
        ["check", "-kafka.toml"],
        ["check", "a.toml", "-kafka.toml"],
        ["import", "-deck.APKG"],
        ["check", "-h.toml"],  # read as -h with the value `.toml`: "ignored explicit argument"
    ],
)
def test_a_file_name_starting_with_a_dash_gets_the_way_to_write_it(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    said = _error(argv, capsys)
    word = argv[-1]
    assert f"; for a file name that starts with '-', write ./{word} or put `--` before it" in said, said
    assert said.endswith(f"(see `retain {argv[0]} --help`)"), said


def test_an_existing_file_without_a_known_suffix_gets_it_too(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "-cards").mkdir()
    said = _error(["check", "-cards"], capsys)
    assert "write ./-cards or put `--` before it" in said, said


@pytest.mark.parametrize(
    ("argv", "hint"),
    [
        (["due", "--jsn"], "did you mean --json?"),
        (["--json", "due"], "--json belongs to the command, after it: `retain due --json`"),
        (["import", "--", "x.toml", "--dry-run"], "put --dry-run before `--`"),
        (["export", "kafka", "-o", "-out.toml"], "join it with '=': --output=-out.toml"),
    ],
)
def test_the_other_hints_stand(argv: list[str], hint: str, capsys: pytest.CaptureFixture[str]) -> None:
    said = _error(argv, capsys)
    assert hint in said and "file name that starts with" not in said, said


def test_an_option_that_is_no_file_gets_no_file_hint(capsys: pytest.CaptureFixture[str]) -> None:
    for argv in (["due", "--frobnicate"], ["check", "-x"], ["import", "-n"]):
        assert "file name" not in _error(argv, capsys)


def test_the_suffixes_are_those_import_and_export_take() -> None:
    from retain.cli import _FILE_SUFFIXES
    from retain.interop.exporter import EXPORT_SUFFIXES
    from retain.interop.importer import IMPORT_SUFFIXES

    assert set(_FILE_SUFFIXES) == set(IMPORT_SUFFIXES) | set(EXPORT_SUFFIXES) == set(SUFFIXES)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    command=st.sampled_from(["import", "check"]),
    stem=st.text(alphabet=string.ascii_letters + string.digits + "-_.()'", min_size=1, max_size=12),
    suffix=st.sampled_from(SUFFIXES),
)
def test_any_such_name_is_hinted_as_the_shell_needs_it(
    command: str, stem: str, suffix: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """Quoted for the shell when it must be. (No spaces: argparse reads a word with a space as a
    name already, `retain check '-a b.toml'` works.)"""
    word = f"-{stem}{suffix}"
    said = _error([command, word], capsys)
    assert f"write {shlex.quote('./' + word)} or put `--` before it" in said, said
