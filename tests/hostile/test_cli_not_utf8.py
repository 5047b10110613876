"""Command-line text that is not UTF-8: one usage line naming the option; a file name may be any bytes.

Python hands an argument with undecodable bytes (`--front $'caf\\xe9'` from a
Latin-1 terminal or script) over with lone surrogates, which no UTF-8 file can
hold: `retain add` died with a UnicodeEncodeError deep in a write. Every text
option of every command is checked at the entry, before the command runs. A
file or folder argument is a name for the file system, not text, and is let
through: `retain import` of a Latin-1 `café.tsv` names the deck with U+FFFD
for the bytes it cannot read.
"""

from __future__ import annotations

import argparse
import importlib
import os
import re
from pathlib import Path

import pytest

from retain.cli import COMMANDS, build_parser, main

from .conftest import retain

BAD = "caf\udce9"  # what Python makes of the bytes b"caf\xe9"
PATHLIKE = re.compile(r"\b(?:FILE|DIR|PATH)\b")


def _subparsers(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def _takes_text(action: argparse.Action) -> bool:
    return (
        action.nargs != 0
        and not action.choices
        and action.type is None
        and not PATHLIKE.search(str(action.metavar or ""))
        and not isinstance(action, argparse._HelpAction | argparse._VersionAction)
    )


def _name(action: argparse.Action) -> str:
    return max(action.option_strings, key=len, default="") or str(action.metavar or action.dest)


def _argv(command: str, sub: argparse.ArgumentParser, bad: argparse.Action, tmp: Path) -> list[str]:
    """`command` with every required argument filled in and `bad` given a non-UTF-8 value."""
    argv = [command]
    for action in sub._actions:
        value = (
            BAD if action is bad else str(tmp / "out.toml") if PATHLIKE.search(str(action.metavar)) else "x"
        )
        if action.option_strings:
            if action is bad or action.required:
                argv.append(f"{_name(action)}={value}")
        elif action is bad or action.nargs in (None, 1):
            argv.append(value)
    return argv


def _cases() -> list[tuple[str, str]]:
    parser = build_parser()
    return [
        (command, _name(action))
        for command, sub in _subparsers(parser).items()
        for action in sub._actions
        if _takes_text(action)
    ]


def test_the_cases_cover_the_text_options() -> None:
    names = {f"{c} {n}" for c, n in _cases()}
    assert {"add --front", "add --back", "add --tags", "add --id", "add --pattern", "add --alias"} <= names
    assert {"review DECK", "review --query", "export DECK|GROUP", "stats --deck"} <= names


@pytest.mark.parametrize(("command", "option"), _cases())
def test_a_text_argument_that_is_not_utf8_is_one_usage_line(
    command: str,
    option: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("RETAIN_HOME", str(tmp_path / "home"))
    module = importlib.import_module(f"retain.commands.{COMMANDS[command][0]}")

    def must_not_run(_args: argparse.Namespace) -> int:
        raise AssertionError(f"`retain {command}` ran with {option} not UTF-8")

    monkeypatch.setattr(module, "run", must_not_run)
    sub = _subparsers(build_parser())[command]
    bad = next(a for a in sub._actions if _name(a) == option)
    with pytest.raises(SystemExit) as exc:
        main(_argv(command, sub, bad, tmp_path))
    assert exc.value.code == 2
    assert (
        capsys.readouterr().err
        == f"retain: error: argument {option}: not valid UTF-8 text (see `retain {command} --help`)\n"
    )


def test_add_with_a_latin1_byte_writes_nothing(tmp_path: Path) -> None:
    """The tester's case, for real: the raw byte 0xE9 on the command line."""
    home = tmp_path / "home"
    got = retain(home, "add", "--deck", "d", "--new-deck", "--front", BAD, "--back", "coffee")
    assert got.code == 2
    assert got.err_lines == [
        "retain: error: argument --front: not valid UTF-8 text (see `retain add --help`)"
    ]
    assert not (home / "decks").exists()


def _latin1_file(folder: Path, name: str, data: str) -> Path:
    path = folder / name
    try:
        path.write_text(data, "utf-8")
    except (OSError, UnicodeEncodeError):
        pytest.skip("this file system refuses names that are not UTF-8")
    return path


def test_a_file_name_that_is_not_utf8_is_a_path_like_any(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _latin1_file(
        tmp_path,
        f"{BAD}.toml",
        'format = 1\n[deck]\nid = "d"\n\n[[cards]]\nid = "a"\nfront = "q"\nback = "b"\n',
    )
    assert main(["check", str(path)]) == 0
    assert capsys.readouterr().err == "1 deck file(s): 1 ok, 0 error(s), 0 warning(s)\n"


@pytest.mark.parametrize(
    ("name", "data", "deck_name"),
    [
        (f"{BAD}.tsv", "q1\ta1\nq2\ta2\n", "caf\ufffd"),
        (f"{BAD}.csv", "q1,a1\n", "caf\ufffd"),
        (f"{BAD}.txt", "q1\ta1\n", "caf\ufffd"),
        (f"{BAD}.md", "Q: what\nA: that\n", "caf\ufffd"),
        ("\udce9\udce8.md", "Q: what\nA: that\n", "\ufffd\ufffd"),  # no letter left for an id
    ],
)
def test_import_of_a_file_whose_name_is_not_utf8(
    name: str,
    data: str,
    deck_name: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    home = tmp_path / "home"
    monkeypatch.setenv("RETAIN_HOME", str(home))
    path = _latin1_file(tmp_path, name, data)
    assert main(["import", str(path)]) == 0
    assert capsys.readouterr().err == ""
    [deck_file] = (home / "decks").glob("*.toml")
    text = deck_file.read_text("utf-8")
    assert f'name = "{deck_name}"' in text
    assert main(["check", str(deck_file)]) == 0


def test_import_of_a_folder_of_such_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("RETAIN_HOME", str(tmp_path / "home"))
    folder = tmp_path / "in"
    folder.mkdir()
    _latin1_file(folder, f"{BAD}.tsv", "q1\ta1\n")
    _latin1_file(folder, "th\udce9.md", "Q: what\nA: that\n")
    assert main(["import", str(folder)]) == 0
    assert len(list((tmp_path / "home" / "decks").glob("*.toml"))) == 2


def test_name_text_keeps_text_and_marks_each_undecodable_byte() -> None:
    from retain.store.files import name_text

    assert name_text("café ␛ 日本") == "café ␛ 日本"
    assert name_text(os.fsdecode(b"caf\xe9 \xff\xfe")) == "caf\ufffd \ufffd\ufffd"
    assert name_text("\ud800x") == "\ufffdx"  # a lone surrogate a Windows name may hold
