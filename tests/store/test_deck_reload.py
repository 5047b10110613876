"""`deck_changes`: what a library reload did to the decks a study session holds, on real files."""

from __future__ import annotations

from pathlib import Path

from retain.store.decks.library import DeckEntry, load_library
from retain.store.decks.reload import deck_changes, files_by_deck


def _deck(path: Path, deck_id: str, *, broken: bool = False) -> None:
    tail = 'front = "oops\n' if broken else 'front = "q"\nback = "a"\n'
    path.write_text(f'[deck]\nid = "{deck_id}"\n\n[[cards]]\nid = "c1"\n{tail}', encoding="utf-8")


def _entries(folder: Path) -> list[DeckEntry]:
    return load_library([(folder, "user")]).entries


def test_a_deck_mid_edit_is_held_a_renamed_id_followed_and_a_deleted_file_leaves(tmp_path: Path) -> None:
    for name in ("a", "b", "c", "d"):
        _deck(tmp_path / f"{name}.toml", name)
    before = files_by_deck(_entries(tmp_path))
    assert set(before) == {"a", "b", "c", "d"}

    _deck(tmp_path / "a.toml", "a", broken=True)  # a syntax error mid-edit
    _deck(tmp_path / "b.toml", "b2")  # the deck's id changed in its file
    (tmp_path / "c.toml").unlink()  # moved away
    held, renamed = deck_changes(before, _entries(tmp_path), {"a", "b", "c", "d"})

    assert held == {"a"}
    assert renamed == {"b": "b2"}


def test_a_new_id_already_studied_or_a_deck_not_studied_is_not_followed(tmp_path: Path) -> None:
    _deck(tmp_path / "a.toml", "a")
    _deck(tmp_path / "b.toml", "b")
    before = files_by_deck(_entries(tmp_path))
    (tmp_path / "b.toml").unlink()
    _deck(tmp_path / "a.toml", "b")  # a's file now holds b, a deck the session already has

    held, renamed = deck_changes(before, _entries(tmp_path), {"a", "b"})
    assert (held, renamed) == (set(), {})
    held, renamed = deck_changes(before, _entries(tmp_path), set())  # a session of other decks
    assert (held, renamed) == (set(), {})
