"""A progress sidecar exported into a deck folder is not read as a (broken) deck.

`retain export DECK -o ~/decks/notes.toml --with-progress` (a deck folder synced
to another machine) wrote `notes.progress.toml` beside the deck, and from then on
every command warned "broken deck: …notes.progress.toml: missing [deck] table"
and `retain check` failed. `retain import DIR` already skipped sidecars.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from retain.cli import main
from retain.store.decks.library import deck_files

DECK = (
    'format = 1\n[deck]\nid = "notes"\nname = "My Notes"\n[[cards]]\nid = "one"\nfront = "q1"\nback = "a1"\n'
)


def test_an_exported_sidecar_in_a_deck_folder_is_no_deck(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    home, folder = tmp_path / "home", tmp_path / "mydecks"
    home.mkdir()
    folder.mkdir()
    (home / "config.toml").write_text(f'deck_folders = ["{folder}"]\n', encoding="utf-8")
    (folder / "notes.toml").write_text(DECK, encoding="utf-8")
    monkeypatch.setenv("RETAIN_HOME", str(home))
    assert main(["export", "notes", "-o", str(folder / "notes.toml"), "--with-progress", "--force"]) == 0
    assert (folder / "notes.progress.toml").is_file()
    capsys.readouterr()
    assert main(["check"]) == 0
    assert main(["due"]) == 0
    captured = capsys.readouterr()
    assert "broken deck" not in captured.out + captured.err
    assert folder / "notes.progress.toml" not in deck_files(folder)


def test_a_deck_whose_name_ends_in_progress_is_still_a_deck(tmp_path: Path) -> None:
    """Only a sidecar's shape (a top-level `deck = "id"`) is skipped, not the name alone."""
    (tmp_path / "my.progress.toml").write_text(DECK, encoding="utf-8")
    (tmp_path / "other.progress.toml").write_text('# notes\n[deck]\nid = "o"\n', encoding="utf-8")
    assert deck_files(tmp_path) == [tmp_path / "my.progress.toml", tmp_path / "other.progress.toml"]
