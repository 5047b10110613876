"""A `deck_folders` entry that is no folder is said in one warning line (h19): at every start,
by `retain check` and by `retain due`. A typo made that folder's decks vanish without a word."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from retain.cli import main
from retain.store.collection import Collection
from retain.store.home import open_home


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "home"
    root.mkdir()
    (tmp_path / "decks-here").mkdir()
    (tmp_path / "a-file").write_text("x")
    folders = [str(tmp_path / "no-such"), str(tmp_path / "a-file"), str(tmp_path / "decks-here")]
    (root / "config.toml").write_text(f"deck_folders = {folders!r}\n".replace("'", '"'))
    monkeypatch.setenv("RETAIN_HOME", str(root))
    return root


def _said(lines: str) -> list[str]:
    return [line for line in lines.splitlines() if "deck_folders" in line]


@pytest.mark.parametrize("command", [["check"], ["due"], ["due", "--json"]])
def test_the_commands_say_each_missing_folder_once(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], command: list[str]
) -> None:
    assert main(command) == 0
    out, err = capsys.readouterr()
    said = _said(err if command[0] == "due" else out + err)
    assert len(said) == 2, out + err
    assert f"{tmp_path / 'no-such'}' does not exist" in said[0]
    assert f"{tmp_path / 'a-file'}' is not a folder" in said[1]
    assert "decks-here" not in out + err


def test_every_start_says_them(home: Path) -> None:
    col = Collection.open(open_home(), datetime.now(UTC), tz=UTC)
    try:
        assert len(_said("\n".join(col.messages))) == 2, col.messages
    finally:
        col.close()
