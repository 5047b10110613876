"""`deck_folders` entries that are no usable path, and relative ones (h36, attackers 46 and 47).

- A NUL (`"/x\\u0000y"`) is no path on any system: config.toml is refused in one line naming
  the key, as an empty entry is (it was a 30-line `ValueError: embedded null byte` traceback
  from every command and the app).
- A name too long for the file system (a 300-character component) is a folder that cannot be
  looked at: one warning, as a missing folder, and the command runs (it stopped every command
  with "cannot open the progress: ...: file name too long").
- A relative entry is relative to the folder config.toml is in, not to where retain was
  started (the deck came and went with the current directory).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
import tomli_w
from hypothesis import given
from hypothesis import strategies as st

from retain.cli import main
from retain.store.collection import Collection
from retain.store.config import ConfigError, load_config, missing_folders, parse_config
from retain.store.decks.library import load_library, load_paths, real_path, walk_decks
from retain.store.home import library_folders, open_home

LONG = "a" * 300  # one component longer than any file system allows (255 bytes)

DECK = 'format = 1\n[deck]\nid = "extra"\nname = "Extra"\n[[cards]]\nid = "a"\nfront = "x"\nback = "y"\n'


def _config(home: Path, folders: list[str]) -> None:
    home.mkdir(parents=True, exist_ok=True)
    (home / "config.toml").write_text(f"deck_folders = {json.dumps(folders)}\n", encoding="utf-8")


# -- a NUL ---------------------------------------------------------------------------------------


def test_a_nul_in_an_entry_is_one_config_error_naming_the_key(tmp_path: Path) -> None:
    _config(tmp_path, ["/tmp/a\u0000b"])
    with pytest.raises(ConfigError) as said:
        load_config(tmp_path / "config.toml")
    line = str(said.value)
    assert "\n" not in line and "`deck_folders`" in line and "NUL" in line, line
    assert "\x00" not in line and "a\\x00b" in line, line  # (shown as its escape: one printable line)


@pytest.mark.parametrize("command", [["due"], ["due", "--json"], ["check"], ["stats"]])
def test_every_command_says_the_nul_in_one_line_and_exits_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], command: list[str]
) -> None:
    _config(tmp_path, ["/tmp/a\u0000b"])
    monkeypatch.setenv("RETAIN_HOME", str(tmp_path))
    assert main(command) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "`deck_folders`" in err, err


def test_locate_still_names_the_folders_with_a_nul_entry(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _config(tmp_path, ["/tmp/a\u0000b"])
    monkeypatch.setenv("RETAIN_HOME", str(tmp_path))
    assert main(["locate"]) == 1
    said = capsys.readouterr()
    assert f"config:  {tmp_path / 'config.toml'}" in said.out
    assert len(said.err.strip().splitlines()) == 1 and "NUL" in said.err, said.err


@given(st.lists(st.text(max_size=12), min_size=1, max_size=4), st.data())
def test_any_entry_holding_a_nul_is_refused_in_one_line(entries: list[str], data: st.DataObject) -> None:
    at = data.draw(st.integers(0, len(entries) - 1))
    cut = data.draw(st.integers(0, len(entries[at])))
    entries[at] = f"{entries[at][:cut]}\x00{entries[at][cut:]}"
    with pytest.raises(ConfigError) as said:
        parse_config(tomli_w.dumps({"deck_folders": entries}), base=Path("/cfg"))
    assert "\n" not in str(said.value) and "deck_folders" in str(said.value)


def test_the_library_never_raises_on_a_nul_path(tmp_path: Path) -> None:
    """A path from anywhere else (a test, a caller) holding a NUL: nothing there, no traceback."""
    bad = Path("/tmp/a\x00b")
    assert walk_decks(bad).files == []
    assert real_path(bad) == bad
    library = load_library([(tmp_path / "decks", "user"), (bad, "folder")])
    assert library.entries == []


# -- a name too long -----------------------------------------------------------------------------


def test_a_folder_name_too_long_is_a_warning_and_the_library_loads(tmp_path: Path) -> None:
    long = tmp_path / LONG
    (tmp_path / "decks").mkdir()
    (tmp_path / "decks" / "extra.toml").write_text(DECK, encoding="utf-8")
    library = load_library([(tmp_path / "decks", "user"), (long, "folder")])
    assert [d.id for d in library.decks] == ["extra"] and not library.broken
    assert walk_decks(long).files == [] and walk_decks(long / "x").files == []
    (entry,) = load_paths([long])
    assert entry.broken  # (named on the command line: a file that cannot be read, one line)


def test_a_folder_name_too_long_does_not_stop_the_open(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _config(tmp_path, [str(tmp_path / LONG)])
    monkeypatch.setenv("RETAIN_HOME", str(tmp_path))
    col = Collection.open(open_home(), datetime.now(UTC), tz=UTC)
    try:
        said = [m for m in col.messages if "deck_folders" in m]
        assert len(said) == 1 and "cannot be looked at (file name too long)" in said[0], col.messages
    finally:
        col.close()


@pytest.mark.parametrize("command", [["due"], ["check"]])
def test_a_folder_name_too_long_is_one_warning_from_the_commands(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], command: list[str]
) -> None:
    _config(tmp_path, [str(tmp_path / LONG)])
    monkeypatch.setenv("RETAIN_HOME", str(tmp_path))
    assert main(command) == 0
    said = capsys.readouterr()
    text = said.out + said.err
    assert "progress" not in text, text
    assert len([line for line in text.splitlines() if "deck_folders" in line]) == 1, text


# -- a relative entry ----------------------------------------------------------------------------


def _relative_home(tmp_path: Path) -> Path:
    home = tmp_path / "home"
    (home / "extra").mkdir(parents=True)
    (home / "extra" / "extra.toml").write_text(DECK, encoding="utf-8")
    _config(home, ["extra", "./more/../extra2", "~/x"])
    return home


def test_a_relative_entry_is_relative_to_the_config_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = _relative_home(tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path / "me"))
    monkeypatch.chdir("/")
    config = load_config(home / "config.toml")
    assert config.deck_folders == (home / "extra", home / "extra2", tmp_path / "me" / "x")
    assert parse_config('deck_folders = ["a/b"]\n', base=home).deck_folders == (home / "a" / "b",)


def test_a_relative_entry_loads_the_same_decks_from_any_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    home = _relative_home(tmp_path)
    _config(home, ["extra"])
    monkeypatch.setenv("RETAIN_HOME", str(home))
    listed = []
    for where in (home, tmp_path, Path("/")):
        monkeypatch.chdir(where)
        assert main(["due", "--json"]) == 0
        said = capsys.readouterr()
        listed.append([d["id"] for d in json.loads(said.out)["decks"]])
        assert "deck_folders" not in said.err, said.err
    assert listed[0] == listed[1] == listed[2] and "extra" in listed[0], listed


def test_locate_and_the_missing_folder_line_show_the_anchored_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    home = tmp_path / "home"
    _config(home, ["gone"])
    monkeypatch.setenv("RETAIN_HOME", str(home))
    monkeypatch.chdir(tmp_path)
    assert main(["locate"]) == 0
    assert f"decks:   {home / 'gone'}  (folder)" in capsys.readouterr().out
    config = open_home().config
    assert missing_folders(config) == [
        f"config: `deck_folders` entry '{home / 'gone'}' does not exist; no decks are read from it"
    ]
    assert (home / "gone", "folder") in library_folders(open_home().paths, config)


def test_parse_config_without_a_base_anchors_at_the_home_config_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What the settings screen validates (`ConfigDocument.validate`: the text alone) names the same
    folders as the load at the start, so saving a setting does not move a relative deck folder."""
    monkeypatch.setenv("RETAIN_HOME", str(tmp_path))
    monkeypatch.chdir("/")
    assert parse_config('deck_folders = ["extra"]\n').deck_folders == (tmp_path / "extra",)
