"""`retain locate` prints where config.toml is even when it cannot be read."""

from __future__ import annotations

from pathlib import Path

import pytest

from retain.cli import main


def test_locate_names_the_folders_when_config_toml_is_broken(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """It exited 2 with only the TOML error, though finding that file is what `locate` is for."""
    monkeypatch.setenv("RETAIN_HOME", str(tmp_path))
    (tmp_path / "config.toml").write_text("bogus = [\n", encoding="utf-8")
    assert main(["locate"]) == 1
    said = capsys.readouterr()
    assert f"config:  {tmp_path / 'config.toml'}" in said.out
    assert f"decks:   {tmp_path / 'decks'}  (user)" in said.out
    assert "TOML syntax" in said.err and len(said.err.strip().splitlines()) == 1


def test_locate_with_a_good_config_exits_0(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("RETAIN_HOME", str(tmp_path))
    extra = tmp_path / "more"
    (tmp_path / "config.toml").write_text(f"deck_folders = [{str(extra)!r}]\n", encoding="utf-8")
    assert main(["locate"]) == 0
    said = capsys.readouterr()
    assert f"decks:   {extra}  (folder)" in said.out and said.err == ""
