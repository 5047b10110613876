"""A path inside a message is shown as typed, in single quotes: a Windows path in config.toml's
`deck_folders` was said as `'C:\\\\Users\\\\me'` (a repr's doubled backslashes)."""

from __future__ import annotations

from pathlib import Path

import pytest

from retain.cli import main


def test_a_deck_folder_with_backslashes_is_said_as_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("RETAIN_HOME", str(tmp_path))
    (tmp_path / "config.toml").write_text('deck_folders = ["C:\\\\Users\\\\me\\\\decks"]\n', encoding="utf-8")
    assert main(["due"]) == 0
    err = capsys.readouterr().err
    # (on Linux and macOS a relative path: read from config.toml's folder, h36)
    shown = tmp_path / "C:\\Users\\me\\decks"
    assert f"`deck_folders` entry '{shown}' does not exist" in err, err


def test_a_retain_home_that_is_a_file_is_said_as_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    odd = tmp_path / "a\\b"
    odd.write_text("", encoding="utf-8")
    monkeypatch.setenv("RETAIN_HOME", str(odd))
    assert main(["due"]) != 0
    assert f"RETAIN_HOME '{odd}' is not a folder" in capsys.readouterr().err


def test_a_file_argument_naming_a_folder_is_said_as_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("RETAIN_HOME", str(tmp_path))
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit):
        main(["stats", "--svg", "out\\dir/"])
    assert "'out\\dir/' names a folder" in capsys.readouterr().err
