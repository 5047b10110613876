"""`retain check` names every error of a file in one run, and a missing path in one plain line."""

from __future__ import annotations

from pathlib import Path

import pytest

from retain.cli import main

BAD = """format = 1

[deck]
id = "kafka"
name = "Kafka"

[[cards]]
id = "a"
front = "A?"
back = "a"

[[cards]]
front = "no id"
back = "x"

[[cards]]
id = "a"
front = "duplicate"
back = "y"

[[cards]]
id = "c"
kind = "clozee"
text = "x {{c1::y}}"
"""


def test_every_error_in_one_run(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "kafka.toml"
    path.write_text(BAD, "utf-8")
    assert main(["check", str(path)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert [line.split(": ", 1)[0] for line in out] == [f"{path}:12:1", f"{path}:17:1", f"{path}:23:1"]
    assert "no `id`" in out[0] and "duplicate card id 'a'" in out[1] and "unknown kind 'clozee'" in out[2]


def test_a_missing_path_is_one_plain_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "decks"
    assert main(["check", str(missing)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == f"retain check: no such file or folder: {missing}\n"
