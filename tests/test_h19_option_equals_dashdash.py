"""`--OPTION=--` gives the option the text `--` (h19), as the README says a value starting with
`-` is given. argparse took the `--` out of the value, leaving an empty list: `review --query=--`,
`--ahead=--`, `stats --deck=--`, `optimize --since=--` and `add --front=--` ended in a traceback,
and `stats --svg=--` did nothing. Every value option of every command is tried here.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from retain.cli import COMMANDS, build_parser, main

# What each command needs besides the option tried, so that the option's value is used.
BASE: dict[str, list[str]] = {
    "add": ["--deck", "x", "--new-deck", "--front", "f", "--back", "b"],
    "export": ["kafka", "-o", "out.toml"],
    "import": ["cards.csv"],
    "optimize": ["--all", "--dry-run"],
}


def _value_options() -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    for command in COMMANDS:
        parser = build_parser(command)
        sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
        for action in sub.choices[command]._actions:
            if action.option_strings and action.nargs is None and action.option_strings[-1] != "--help":
                found.append((command, action.option_strings[-1]))
    return found


OPTIONS = _value_options()


def test_the_commands_have_value_options() -> None:
    assert ("review", "--query") in OPTIONS and ("stats", "--svg") in OPTIONS and len(OPTIONS) > 15


@pytest.mark.parametrize(("command", "option"), OPTIONS)
def test_a_value_of_two_dashes_is_that_text(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    command: str,
    option: str,
) -> None:
    monkeypatch.setenv("RETAIN_HOME", str(tmp_path / "home"))
    monkeypatch.chdir(tmp_path)
    (tmp_path / "cards.csv").write_text("front,back\nq,a\n", encoding="utf-8")
    try:
        code: object = main([command, *BASE.get(command, []), f"{option}=--"])
    except SystemExit as exc:  # a usage error: argparse's exit
        code = exc.code
    _out, err = capsys.readouterr()
    assert code in (0, 1, 2), (code, err)
    assert "Traceback" not in err and len([line for line in err.splitlines() if "error" in line]) <= 1, err
    if code == 0 and option in ("--svg", "--output", "-o"):
        assert (tmp_path / "--").exists(), "the file named `--` was not written"
