"""Exit codes as README's "Command line" gives them: 0 done, 1 failed, 2 usage, 130 Ctrl-C."""

from __future__ import annotations

from pathlib import Path

import pytest

import retain.cli
from retain.cli import main


@pytest.fixture(autouse=True)
def _home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RETAIN_HOME", str(tmp_path))
    monkeypatch.chdir(tmp_path)


@pytest.mark.parametrize("argv", [["due"], ["export", "kafka", "-o", "k.toml"], []])
def test_ctrl_c_while_the_command_loads_exits_130(argv: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """Ctrl-C while argparse imported the command's module (most of `export`'s first 0.3 s)
    printed a KeyboardInterrupt traceback, and the exit was a signal, not 130."""

    def interrupted(*_args: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(retain.cli, "build_parser", interrupted)
    monkeypatch.setattr(retain.cli, "_replace_unencodable", interrupted)
    try:
        code = main(argv)
    except KeyboardInterrupt:
        pytest.fail("the KeyboardInterrupt left main(): a traceback")
    assert code == 130


def test_importing_the_entry_point_loads_next_to_nothing() -> None:
    """A Ctrl-C before `main` runs is a traceback: `retain.cli` keeps that moment short."""
    import subprocess
    import sys

    code = (
        "import sys; before = set(sys.modules); import retain.cli; print(sorted(set(sys.modules) - before))"
    )
    got = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    loaded = set(got.stdout.strip().strip("[]").replace("'", "").split(", "))
    assert "retain.cli" in loaded and not loaded & {"re", "typing", "argparse", "retain.store"}, loaded


@pytest.mark.parametrize(
    "argv",
    [
        ["export", "nope", "-o", "x.toml"],
        ["add", "--deck", "nope", "--front", "Q", "--back", "A"],
        ["stats", "--deck", "nope"],
    ],
)
def test_an_unknown_deck_is_a_usage_error(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    """`export` and `add` exited 1 for a deck that does not exist, `stats`, `review` and
    `optimize` 2: a script could not tell a typo from a failed write."""
    assert main(argv) == 2
    assert "no deck" in capsys.readouterr().err
