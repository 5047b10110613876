"""A card's media resolves inside its deck's media folder only: no traversal, no symlink escape."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from retain.core.mediaref import MediaRef
from retain.store.media import resolve_media


@pytest.fixture
def deck(tmp_path: Path) -> Path:
    decks = tmp_path / "decks"
    (decks / "pics.media").mkdir(parents=True)
    (decks / "pics.media" / "a.png").write_bytes(b"png")
    (decks / "other.media").mkdir()
    (decks / "other.media" / "b.png").write_bytes(b"png")
    (tmp_path / "secret.png").write_bytes(b"secret")
    deck_file = decks / "pics.toml"
    deck_file.write_text("", encoding="utf-8")
    return deck_file


def test_a_file_in_the_media_folder_resolves(deck: Path) -> None:
    media = resolve_media(deck, "pics", MediaRef("image", "pics", "a.png"))
    assert media.status == "ok" and media.path == (deck.parent / "pics.media" / "a.png").resolve()
    assert media.size == 3


def test_a_missing_file_is_missing(deck: Path) -> None:
    assert resolve_media(deck, "pics", MediaRef("image", "pics", "gone.png")).status == "missing"
    assert resolve_media(None, "pics", MediaRef("image", "pics", "a.png")).status == "missing"


@pytest.mark.parametrize("name", ["../../secret.png", "../other.media/b.png", "..", "/etc/passwd"])
def test_traversal_is_refused(deck: Path, name: str) -> None:
    assert resolve_media(deck, "pics", MediaRef("image", "pics", name)).status == "refused"


def test_another_decks_folder_is_refused(deck: Path) -> None:
    media = resolve_media(deck, "pics", MediaRef("image", "other", "b.png"))
    assert media.status == "refused" and media.path is None


def test_a_symlink_out_of_the_folder_is_refused(deck: Path) -> None:
    os.symlink(deck.parent.parent / "secret.png", deck.parent / "pics.media" / "link.png")
    media = resolve_media(deck, "pics", MediaRef("image", "pics", "link.png"))
    assert media.status == "refused" and media.path is None


def test_a_symlink_within_the_folder_is_followed(deck: Path) -> None:
    os.symlink("a.png", deck.parent / "pics.media" / "alias.png")
    assert resolve_media(deck, "pics", MediaRef("image", "pics", "alias.png")).status == "ok"


def test_a_dangling_symlink_or_a_folder_is_not_a_file(deck: Path) -> None:
    os.symlink("nowhere.png", deck.parent / "pics.media" / "dangling.png")
    assert resolve_media(deck, "pics", MediaRef("image", "pics", "dangling.png")).status == "missing"
    (deck.parent / "pics.media" / "dir.png").mkdir()
    assert resolve_media(deck, "pics", MediaRef("image", "pics", "dir.png")).status == "refused"
