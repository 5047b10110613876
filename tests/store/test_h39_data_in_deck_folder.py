"""A deck folder that holds retain's own data folder: one synced or git folder with the decks and
`RETAIN_HOME` in it (`RETAIN_HOME=sync/retain-data` with `deck_folders = [".."]`), the data folder
itself listed (`deck_folders = ["."]`), or a home folder (`deck_folders = ["~"]` with
`RETAIN_HOME=~/retain`). retain read its own config.toml and state files (snapshots, device
files, journals) as broken decks: `retain due` warned "broken deck: …/config.toml: missing [deck]
table", `retain check` listed 5 errors, and in the app every rating (a journal append) was taken
for a deck edited on disk. Its own files are now passed over wherever deck folders are walked,
by identity (a link to them, a path through `..`), and a relative `deck_folders` entry is
shown in full, without `.` or `..`."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from store_helpers import NOW, open_col, rate

from retain.store.config import load_config
from retain.store.decks.deckwatch import DeckWatcher
from retain.store.decks.library import (
    deck_files,
    load_paths,
    not_loaded_reason,
    read_by_library,
    walk_decks,
)
from retain.store.home import Home, library_folders, open_home

SPANISH = 'format = 1\n[deck]\nid = "spanish"\nname = "Spanish"\n[[cards]]\nid = "hola"\nfront = "hola"\nback = "hello"\n'
FRENCH = (
    'format = 1\n[deck]\nid = "french"\nname = "French"\n[[cards]]\nid = "oui"\nfront = "oui"\nback = "yes"\n'
)


def _home(root: Path, monkeypatch: pytest.MonkeyPatch, folders: str) -> Home:
    """A home at `root` (RETAIN_HOME) with `deck_folders = [folders]`, a French deck in its own deck
    folder, and one rating recorded, so state/ holds a journal, a device file and snapshots."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "decks").mkdir(exist_ok=True)
    (root / "decks" / "french.toml").write_text(FRENCH, encoding="utf-8")
    (root / "config.toml").write_text(f"deck_folders = [{folders}]   # my synced folder\n", encoding="utf-8")
    monkeypatch.setenv("RETAIN_HOME", str(root))
    home = open_home()
    col = open_col(home)
    rate(col, "french/oui", NOW)
    col.close()  # (snapshots written)
    return home


def _sync(tmp_path: Path) -> Path:
    sync = tmp_path / "sync"
    sync.mkdir()
    (sync / "spanish.toml").write_text(SPANISH, encoding="utf-8")
    return sync


def _user_folders(home: Home) -> list[Path]:
    return [f for f, origin in library_folders(home.paths, home.config) if origin != "bundled"]


def _assert_only_decks(home: Home) -> None:
    library = home.library()
    assert library.broken == [], [e.error for e in library.broken]
    assert {"spanish", "french"} <= {d.id for d in library.decks}
    own = [os.path.realpath(d) + os.sep for d in (home.paths.state_dir, home.paths.cache_dir)]
    for entry in library.entries:  # (nothing of retain's own read)
        real = os.path.realpath(entry.path)
        assert not real.startswith(tuple(own)) and real != os.path.realpath(home.paths.config_file)
    for folder in _user_folders(home):
        walk = walk_decks(folder)
        assert walk.unreadable == {}
        assert all(p.name != "config.toml" and "state" not in p.parts for p in walk.files)


def test_the_data_folder_inside_a_deck_folder_is_not_read_as_decks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sync = _sync(tmp_path)
    home = _home(sync / "retain-data", monkeypatch, '".."')
    assert list((sync / "retain-data" / "state").rglob("*.toml"))  # (there is state to pass over)
    _assert_only_decks(home)


def test_the_data_folder_listed_as_a_deck_folder_itself(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """RETAIN_HOME is the synced folder, and its decks sit beside config.toml."""
    sync = _sync(tmp_path)
    home = _home(sync, monkeypatch, '"."')
    _assert_only_decks(home)
    assert home.config.deck_folders == (sync,)


def test_a_home_folder_listed_as_a_deck_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    user = tmp_path / "user"
    user.mkdir()
    (user / "spanish.toml").write_text(SPANISH, encoding="utf-8")
    monkeypatch.setenv("HOME", str(user))
    home = _home(user / "retain", monkeypatch, '"~"')
    _assert_only_decks(home)


def test_a_link_to_the_data_folder_and_a_conflict_copy_of_config_are_passed_over(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Identity, not the name: the data folder reached by a link from the deck folder is still
    retain's; a sync tool's conflict copy of config.toml is settings, not a deck."""
    sync = _sync(tmp_path)
    data = tmp_path / "elsewhere" / "retain-data"
    (sync / "data-link").symlink_to(data, target_is_directory=True)
    home = _home(data, monkeypatch, f'"{sync}"')
    (data / "config.sync-conflict-20260101-120000-ABCDEFG.toml").write_text("theme = 'nord'\n", "utf-8")
    _assert_only_decks(home)


def test_config_toml_linked_from_a_dotfiles_folder_listed_as_a_deck_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sync = _sync(tmp_path)
    (sync / "retain-config.toml").write_text(f'deck_folders = ["{sync}"]\n', encoding="utf-8")
    root = tmp_path / "home"
    root.mkdir()
    (root / "config.toml").symlink_to(sync / "retain-config.toml")
    monkeypatch.setenv("RETAIN_HOME", str(root))
    home = open_home()
    assert home.config.deck_folders == (sync,)
    library = home.library()
    assert library.broken == [], [e.error for e in library.broken]
    assert "spanish" in {d.id for d in library.decks}


def test_decks_in_the_data_folders_own_deck_folder_still_load_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sync = _sync(tmp_path)
    home = _home(sync / "retain-data", monkeypatch, '".."')
    library = home.library()
    assert [e.deck.id for e in library.entries if e.deck is not None].count("french") == 1


def test_retains_own_writes_are_no_deck_change(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """What made a toast pop up over the card at every rating: the journal append, the snapshot
    and config.toml saved, each taken for a deck edited on disk."""
    sync = _sync(tmp_path)
    home = _home(sync / "retain-data", monkeypatch, '".."')
    watcher = DeckWatcher([f for f, _ in library_folders(home.paths, home.config)])
    col = open_col(home)
    rate(col, "french/oui", NOW.replace(hour=13))
    col.close()
    config = home.paths.config_file
    config.write_text(config.read_text("utf-8") + "theme = 'nord'\n", encoding="utf-8")
    assert watcher.changed(settled=False) == []
    (sync / "spanish.toml").write_text(SPANISH + "\n", encoding="utf-8")  # (a deck edit still is one)
    assert watcher.changed(settled=False) == [sync / "spanish.toml"]


def test_the_library_tells_its_own_files_apart_when_asked_of_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`retain check sync/retain-data/config.toml`, or an export into state/: not a deck file the
    library loads, and said why; `retain check sync` passes them over as the library does."""
    sync = _sync(tmp_path)
    home = _home(sync / "retain-data", monkeypatch, '".."')
    folders = {key for f in _user_folders(home) for key in walk_decks(f).folders}
    journal = next((sync / "retain-data" / "state").rglob("journal-*.toml"))
    for own in (home.paths.config_file, journal, home.paths.state_dir / "new.toml"):
        assert not read_by_library(own, folders)
        reason = not_loaded_reason(own, folders)
        assert reason is not None and "retain's own" in reason
    assert read_by_library(sync / "new.toml", folders)
    assert not_loaded_reason(sync / "spanish.toml", folders) is None
    checked = load_paths([sync])
    assert [e.path.name for e in checked] == ["french.toml", "spanish.toml"]
    assert all(not e.broken for e in checked)
    assert deck_files(sync) == [sync / "retain-data" / "decks" / "french.toml", sync / "spanish.toml"]


def test_relative_deck_folders_are_shown_in_full(tmp_path: Path) -> None:
    data = tmp_path / "sync" / "retain-data"
    data.mkdir(parents=True)
    (data / "config.toml").write_text('deck_folders = ["..", ".", "../x/./y/..", "../../sync/"]\n', "utf-8")
    sync = tmp_path / "sync"
    assert load_config(data / "config.toml").deck_folders == (sync, data, sync / "x", sync)


def test_dot_dot_after_a_linked_folder_is_the_parent_of_where_it_leads(tmp_path: Path) -> None:
    """As the system reads it (the decks seen before are the decks seen now): `..` from a home
    that is a link (`~/retain` -> `sync/retain-data`) is the folder that holds config.toml,
    `sync`, not the folder the link is in."""
    sync = tmp_path / "sync"
    (sync / "retain-data").mkdir(parents=True)
    (sync / "retain-data" / "config.toml").write_text('deck_folders = ["..", "decks2"]\n', "utf-8")
    (tmp_path / "retain").symlink_to(sync / "retain-data", target_is_directory=True)
    config = load_config(tmp_path / "retain" / "config.toml")
    assert config.deck_folders == (sync, tmp_path / "retain" / "decks2")


def test_retain_due_says_no_broken_deck(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from retain.cli import main

    sync = _sync(tmp_path)
    _home(sync / "retain-data", monkeypatch, '".."')
    assert main(["due"]) == 0
    err = capsys.readouterr().err
    assert "broken deck" not in err, err
