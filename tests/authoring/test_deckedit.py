"""Editing deck files keeps the author's text; conflicting external edits are never overwritten."""

from __future__ import annotations

import difflib
import shutil
from pathlib import Path

import pytest

from retain.core.model import Card
from retain.store.deckedit import DeckChangedOnDisk, DeckEditError, DeckFile
from retain.store.paths import bundled_decks_dir

BUNDLED = bundled_decks_dir()
assert BUNDLED is not None


def _copy(tmp_path: Path, name: str = "consul.toml") -> Path:
    assert BUNDLED is not None
    target = tmp_path / name
    shutil.copyfile(BUNDLED / name, target)
    return target


def _changed_lines(before: str, after: str) -> list[str]:
    return [
        line
        for line in difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0)
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]


def test_editing_one_card_changes_only_that_card(tmp_path: Path) -> None:
    path = _copy(tmp_path)
    original = path.read_text("utf-8")
    deck_file = DeckFile.load(path)
    card = next(c for c in deck_file.deck().cards if c.id == "health-checks")
    edited = Card(card.id, card.kind, card.front, "Continuous health checks.", tags=("edited",), source="Q8")
    deck_file.upsert(edited)
    deck_file.save()
    assert _changed_lines(original, path.read_text("utf-8")) == [
        '-back = "It runs continuous health checks."',
        '+back = "Continuous health checks."',
        '+tags = ["edited"]',
    ]
    assert original.splitlines()[:3] == path.read_text("utf-8").splitlines()[:3]  # comments kept


def test_append_and_remove(tmp_path: Path) -> None:
    path = _copy(tmp_path)
    original = path.read_text("utf-8")
    deck_file = DeckFile.load(path)
    deck_file.upsert(Card("new-one", front="Q?", back="A"))
    deck_file.save()
    text = path.read_text("utf-8")
    assert text.startswith(original.rstrip("\n") + '\n\n[[cards]]\nid = "new-one"')
    deck_file.remove("phonebook")
    deck_file.save()
    ids = [c.id for c in DeckFile.load(path).deck().cards]
    assert "phonebook" not in ids and ids[-1] == "new-one"
    with pytest.raises(DeckEditError):
        deck_file.remove("phonebook")


def test_external_edit_is_never_overwritten(tmp_path: Path) -> None:
    path = _copy(tmp_path)
    deck_file = DeckFile.load(path)
    deck_file.upsert(Card("mine", front="Q?", back="A"))
    theirs = path.read_text("utf-8").replace("dynamic {{c1::phonebook}}", "dynamic {{c1::phone book}}")
    path.write_text(theirs, "utf-8")
    with pytest.raises(DeckChangedOnDisk, match="changed on disk"):
        deck_file.save()
    assert path.read_text("utf-8") == theirs  # their edit stays
    reloaded = DeckFile.load(path)
    reloaded.upsert(Card("mine", front="Q?", back="A"))
    reloaded.save()
    final = path.read_text("utf-8")
    assert "phone book" in final and 'id = "mine"' in final  # both edits kept


def test_invalid_edit_is_refused_and_file_untouched(tmp_path: Path) -> None:
    path = _copy(tmp_path)
    before = path.read_bytes()
    deck_file = DeckFile.load(path)
    deck_file.text += '\n[[cards]]\nid = "BAD ID"\nfront = "x"\n'
    with pytest.raises(DeckEditError, match="invalid"):
        deck_file.save()
    assert path.read_bytes() == before


def test_multiline_strings_stay_multiline(tmp_path: Path) -> None:
    path = tmp_path / "m.toml"
    path.write_text(
        'format = 1\n[deck]\nid = "m"\nname = "M"\n\n[[cards]]\nid = "a"\nfront = """\nLine one\nLine two"""\n'
        'back = "b"\n',
        "utf-8",
    )
    deck_file = DeckFile.load(path)
    deck_file.upsert(Card("a", front="Line one\nLine three", back="b"))
    deck_file.save()
    assert 'front = """Line one\nLine three"""' in path.read_text("utf-8")
