"""`retain check` names every error in one run; `check` and `export` say plainly what they refuse."""

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


def test_export_refuses_to_replace_a_file_without_force(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RETAIN_HOME", str(tmp_path / "home"))
    out = tmp_path / "kafka.csv"
    out.write_text("precious", "utf-8")
    assert main(["export", "kafka", "-o", str(out)]) == 1
    assert capsys.readouterr().err == f"retain: {out} already exists; add --force to replace it\n"
    assert out.read_text("utf-8") == "precious"
    assert main(["export", "kafka", "-o", str(out), "--force"]) == 0
    assert out.read_text("utf-8").startswith("#separator")


ONE_DECK = 'format = 1\n[deck]\nid = "d"\nname = "D"\n'


def test_check_of_two_files_holding_one_deck_id_is_an_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    deck = ONE_DECK + '[[cards]]\nid = "a"\nfront = "Q?"\nback = "A"\n'
    (tmp_path / "one.toml").write_text(deck, "utf-8")
    (tmp_path / "two.toml").write_text(deck, "utf-8")
    assert main(["check", str(tmp_path / "one.toml"), str(tmp_path / "two.toml")]) == 1
    assert "deck id 'd' is already used by" in capsys.readouterr().out


def test_check_reads_a_file_named_twice_once(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "one.toml"
    path.write_text(ONE_DECK, "utf-8")
    assert main(["check", str(path), str(tmp_path)]) == 0
    assert "1 deck file(s): 1 ok" in capsys.readouterr().err
