"""A deck file's warnings are said once as warnings: `warning: F:7:1: card 'a' has an empty back`,
not `warning: F:7:1: warning: card 'a' ...` (the problem's own severity was printed after the
command's prefix)."""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import run_cli

DECK = """format = 1
[deck]
id = "w"
name = "W"

[[cards]]
id = "a"
front = "q"
back = ""

[[cards]]
id = "b"
front = "q2"
bakc = "x"
back = "y"
"""


def test_each_warning_says_warning_once(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    deck = tmp_path / "w.toml"
    deck.write_text(DECK, encoding="utf-8")
    code, _out, err = run_cli(capsys, "import", str(deck))
    assert code == 0, err
    said = [line for line in err.splitlines() if line.startswith("warning:")]
    assert said == [
        f"warning: {deck}:9:1: card 'a' has an empty back",
        f"warning: {deck}:14:1: unknown card key `bakc`",
    ]
