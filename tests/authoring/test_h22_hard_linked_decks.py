"""A deck file with other hard links (one name in the deck folder, one in a git checkout) keeps
them through every write of a file a person keeps: `retain add`, an app save, `check --fix`, an
import's upgrade and the config. A rename would cut the deck folder's name from the checkout's,
which would go on holding the old text."""

from __future__ import annotations

import errno
import os
from dataclasses import replace
from pathlib import Path

import pytest

from retain.cli import main
from retain.store import home as store_home
from retain.store import inplace
from retain.store.decks.deckedit import DeckFile
from retain.store.files import atomic_write

pytestmark = pytest.mark.skipif(os.name != "posix", reason="hard links")

DECK = 'format = 1\n[deck]\nid = "d"\nname = "x"\n\n[[cards]]\nid = "a"\nfront = "q"\nback = "a"\n'


@pytest.fixture
def linked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    """(the deck in the deck folder, its other name in a checkout): one file, two names."""
    home = tmp_path / "home"
    (home / "decks").mkdir(parents=True)
    monkeypatch.setenv("RETAIN_HOME", str(home))
    monkeypatch.setattr(store_home, "bundled_decks_dir", lambda: None)
    repo = tmp_path / "repo"
    repo.mkdir()
    real = repo / "d.toml"
    real.write_text(DECK, "utf-8")
    deck = home / "decks" / "d.toml"
    os.link(real, deck)
    return deck, real


def _pair(tmp_path: Path, text: str) -> tuple[Path, Path]:
    """`a.toml` holding `text`, and `b.toml`, another name of the same file."""
    a, b = tmp_path / "a.toml", tmp_path / "b.toml"
    a.write_text(text, "utf-8")
    os.link(a, b)
    return a, b


def _same_file(a: Path, b: Path) -> None:
    assert os.path.samefile(a, b), "the deck folder's name was cut from the checkout's"
    assert a.read_bytes() == b.read_bytes()


def test_add_and_an_app_save_keep_the_hard_link(linked: tuple[Path, Path]) -> None:
    deck, real = linked
    assert main(["add", "--deck", "d", "--front", "two", "--back", "2"]) == 0
    _same_file(deck, real)
    deck_file = DeckFile.load(deck)
    card = deck_file.deck().cards[0]
    deck_file.upsert(replace(card, back="edited"))
    deck_file.save()
    _same_file(deck, real)
    text = real.read_text("utf-8")
    assert 'front = "two"' in text and 'back = "edited"' in text
    assert sorted(p.name for p in deck.parent.iterdir() if p.name.startswith(".d.toml")) == []  # no temp left


def test_check_fix_keeps_the_hard_link(linked: tuple[Path, Path]) -> None:
    deck, real = linked
    real.write_text(DECK.replace('id = "a"\n', ""), "utf-8")  # (in place: still one file)
    assert main(["check", "--fix"]) == 0
    _same_file(deck, real)
    assert 'id = "' in real.read_text("utf-8").split("[[cards]]")[1]


def test_a_shorter_text_is_not_left_with_the_old_tail(tmp_path: Path) -> None:
    a, b = _pair(tmp_path, "x" * 1000)
    atomic_write(a, "short\n", keep_hard_links=True)
    assert b.read_text("utf-8") == "short\n"
    assert os.path.samefile(a, b)


def test_state_files_are_still_replaced_by_a_rename(tmp_path: Path) -> None:
    """Without `keep_hard_links` (state, caches, exports) the write stays atomic: a new inode."""
    a, b = tmp_path / "a", tmp_path / "b"
    a.write_text("old", "utf-8")
    os.link(a, b)
    atomic_write(a, "new")
    assert a.read_text("utf-8") == "new" and b.read_text("utf-8") == "old"


def test_a_failed_write_in_place_keeps_the_new_text_beside_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    a, _b = _pair(tmp_path, "old")
    real_open = open

    def full_disk(path: object, mode: str = "r", *args: object, **kwargs: object) -> object:
        if mode == "r+b":
            raise OSError(errno.ENOSPC, "No space left on device", str(path))
        return real_open(path, mode, *args, **kwargs)  # type: ignore[call-overload]

    monkeypatch.setattr(inplace, "open", full_disk, raising=False)
    with pytest.raises(OSError) as caught:
        atomic_write(a, "new text", keep_hard_links=True)
    assert "a.toml.unsaved" in str(caught.value)
    assert (tmp_path / "a.toml.unsaved").read_text("utf-8") == "new text"
    assert a.read_text("utf-8") == "old"


def test_a_longer_text_that_finds_no_room_leaves_the_file_as_it_was(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A nearly full disk (attacker 8): the room for the longer text is taken before a byte
    changes; the write in place had cut the deck at its old length, a broken deck."""
    a, b = _pair(tmp_path, "old text\n")

    def no_room(fd: int, offset: int, length: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "posix_fallocate", no_room, raising=False)
    with pytest.raises(OSError) as caught:
        atomic_write(a, "a much longer new text\n" * 50, keep_hard_links=True)
    assert caught.value.errno == errno.ENOSPC and "unsaved" not in str(caught.value)
    assert a.read_text("utf-8") == b.read_text("utf-8") == "old text\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.toml", "b.toml"]


def test_a_write_that_fails_half_way_puts_the_old_text_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    a, b = _pair(tmp_path, "old text\n")
    real = inplace._overwrite
    calls: list[bool] = []

    def cut_once(target: Path, data: bytes, durable: bool, *, grow_first: bool) -> None:
        calls.append(grow_first)
        if len(calls) == 1:  # half the new text on disk, then the error
            with open(target, "r+b") as dst:
                dst.write(data[: len(data) // 2])
            raise OSError(errno.EIO, "Input/output error")
        real(target, data, durable, grow_first=grow_first)

    monkeypatch.setattr(inplace, "_overwrite", cut_once)
    with pytest.raises(OSError) as caught:
        atomic_write(a, "new text, longer than the old one\n", keep_hard_links=True)
    assert caught.value.errno == errno.EIO
    assert a.read_text("utf-8") == "old text\n" and os.path.samefile(a, b)
    assert calls == [True, False]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.toml", "b.toml"]
