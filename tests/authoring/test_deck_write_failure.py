"""A deck save that cannot be written (a full disk) is one line, and the file stays as it was."""

from __future__ import annotations

import errno
from pathlib import Path

import pytest

from retain.core.model import Deck
from retain.store.decks import deckedit
from retain.store.decks.deckedit import DeckEditError, DeckFile, create_deck_file

DECK = 'format = 1\n\n[deck]\nid = "d"\nname = "D"\n\n[[cards]]\nid = "a"\nfront = "q"\nback = "a"\n'


def _full_disk(path: Path, data: bytes, *, durable: bool = True, keep_hard_links: bool = False) -> None:
    raise OSError(errno.ENOSPC, "No space left on device")


def test_a_save_on_a_full_disk_is_a_deck_edit_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """It raised OSError, which the editor screen does not catch: the app crashed on ctrl+s."""
    path = tmp_path / "d.toml"
    path.write_text(DECK, encoding="utf-8")
    deck_file = DeckFile.load(path)
    deck_file.text = deck_file.text.replace('back = "a"', 'back = "b"')
    monkeypatch.setattr(deckedit, "atomic_write", _full_disk)
    with pytest.raises(
        DeckEditError, match=r"cannot write .*d\.toml: no space left on device; the file is unchanged"
    ):
        deck_file.save()
    assert path.read_text(encoding="utf-8") == DECK
    with pytest.raises(DeckEditError, match="no space left"):
        create_deck_file(tmp_path / "new.toml", Deck("new", "New"))
