"""A card's media resolves inside its deck's media folder only: no traversal, no symlink escape."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from retain.cli import main
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


def test_a_media_folder_linked_out_of_the_deck_folder_is_refused(tmp_path: Path) -> None:
    decks, secret = tmp_path / "decks", tmp_path / "ssh"
    decks.mkdir()
    secret.mkdir()
    (secret / "id_rsa").write_bytes(b"key")
    (decks / "m.media").symlink_to(secret, target_is_directory=True)
    media = resolve_media(decks / "m.toml", "m", MediaRef("image", "m", "id_rsa"))
    assert media.status == "refused" and media.path is None and "link" in media.reason


def test_a_media_folder_linked_inside_the_deck_folder_resolves(tmp_path: Path) -> None:
    decks = tmp_path / "decks"
    (decks / "pictures").mkdir(parents=True)
    (decks / "pictures" / "a.png").write_bytes(b"png")
    (decks / "m.media").symlink_to(decks / "pictures", target_is_directory=True)
    assert resolve_media(decks / "m.toml", "m", MediaRef("image", "m", "a.png")).status == "ok"
    (decks / "n.media").symlink_to(decks / "gone", target_is_directory=True)
    assert resolve_media(decks / "n.toml", "n", MediaRef("image", "n", "a.png")).status == "missing"


def test_media_problems_name_each_missing_or_refused_file_at_its_card(deck: Path) -> None:
    from retain.core.model import Card, Deck
    from retain.store.media import media_problems

    cards = (
        Card("fine", front="![image](pics.media/a.png)", line=5),
        Card("gone", front="![image](pics.media/gone.png) ![image](pics.media/gone.png)", line=9),
        Card("other", back="![image](other.media/b.png)", line=14),
    )
    found = media_problems(Deck("pics", "Pics", cards, path=str(deck)))
    assert [(p.line, p.severity) for p in found] == [(9, "warning"), (14, "warning")]
    assert "card 'gone': media 'gone.png' not found in" in found[0].message
    assert found[1].message == "card 'other': media 'b.png' refused (not in this deck's media folder)"


def test_check_warns_about_a_missing_media_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    deck = tmp_path / "pics.toml"
    deck.write_text(
        'format = 1\n[deck]\nid = "pics"\nname = "Pics"\n\n[[cards]]\nid = "a"\n'
        'front = "![image](pics.media/etdc.png)"\nback = "etcd"\n',
        encoding="utf-8",
    )
    monkeypatch.setenv("RETAIN_HOME", str(tmp_path / "home"))
    main(["check", str(deck)])
    assert f"{deck}:8:10: warning: card 'a': media 'etdc.png' not found in" in capsys.readouterr().out
