"""h36 attack: an import never writes media through a symbolic link out of the deck's folder.

Before: with a planted `decks/m.media -> /somewhere`, importing deck `m` with images (.toml,
.md, .apkg) wrote `<sha256>.png` into `/somewhere` and said `stored 1 media file(s)`, which the
study screen then refused; a `DECK.media/HASH.png -> /somewhere/x` link counted as the file
already stored. Now both are refused with one line and nothing is written; media go beside the
deck file the import writes (a deck in a sub-folder of the deck folder too)."""

from __future__ import annotations

import hashlib
import os
from datetime import UTC, datetime
from pathlib import Path

import pytest

from retain.core.model import Card, Deck
from retain.interop import media
from retain.interop.exporter import export_decks
from retain.interop.media import store_media

from .conftest import run_cli, tree

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
PNG = b"\x89PNG\r\n\x1a\nnot really a picture"
HASHED = hashlib.sha256(PNG).hexdigest() + ".png"
SUFFIXES = [".toml", ".md", ".apkg"]


def _share(tmp_path: Path, suffix: str, deck_id: str = "m") -> Path:
    """A deck `deck_id` with one image, exported as `suffix` into a folder of its own."""
    decks = tmp_path / "author"
    (decks / f"{deck_id}.media").mkdir(parents=True)
    (decks / f"{deck_id}.media" / "pic.png").write_bytes(PNG)
    path = decks / f"{deck_id}.toml"
    path.write_text(f'format = 1\n[deck]\nid = "{deck_id}"\n', encoding="utf-8")
    cards = (Card("a", front=f"Which?\n\n![image]({deck_id}.media/pic.png)", back="b"),)
    deck = Deck(deck_id, deck_id, cards, path=str(path))
    out = tmp_path / "share" / f"{deck_id}{suffix}"
    out.parent.mkdir()
    export_decks([deck], out, now=NOW, decks_dir=decks)
    return out


def _outside(tmp_path: Path) -> Path:
    outside = tmp_path / "outside"
    outside.mkdir()
    return outside


@pytest.mark.parametrize("suffix", SUFFIXES)
def test_an_import_refuses_a_media_folder_linked_out_of_the_deck_folder(
    tmp_path: Path, home: Path, capsys: pytest.CaptureFixture[str], suffix: str
) -> None:
    share = _share(tmp_path, suffix)
    outside = _outside(tmp_path)
    (home / "decks").mkdir(parents=True)
    (home / "decks" / "m.media").symlink_to(outside)
    for dry in ([], ["--dry-run"]):
        code, out, err = run_cli(capsys, "import", *dry, str(share))
        assert code == 1, (out, err)
        assert err.count("\n") == 1 and "symbolic link out of" in err and "m.media" in err, err
        assert "stored" not in out and "would store" not in out, out
        assert tree(outside) == []
        assert not (home / "decks" / "m.toml").exists()


@pytest.mark.parametrize("suffix", SUFFIXES)
def test_a_media_file_linked_out_of_the_folder_is_neither_stored_nor_written_through(
    tmp_path: Path, home: Path, capsys: pytest.CaptureFixture[str], suffix: str
) -> None:
    share = _share(tmp_path, suffix)
    outside = _outside(tmp_path)
    victim = outside / "victim.png"
    victim.write_bytes(b"the user's own file")
    folder = home / "decks" / "m.media"
    folder.mkdir(parents=True)
    (folder / HASHED).symlink_to(victim)
    code, out, err = run_cli(capsys, "import", str(share))
    assert code == 1, (out, err)
    assert err.count("\n") == 1 and HASHED in err and "symbolic link" in err, err
    assert victim.read_bytes() == b"the user's own file"
    assert tree(outside) == ["victim.png"]
    assert (folder / HASHED).is_symlink()
    assert not (home / "decks" / "m.toml").exists()


@pytest.mark.parametrize("suffix", SUFFIXES)
def test_a_link_inside_the_deck_folder_still_takes_the_media(
    tmp_path: Path, home: Path, capsys: pytest.CaptureFixture[str], suffix: str
) -> None:
    share = _share(tmp_path, suffix)
    decks = home / "decks"
    (decks / "pictures").mkdir(parents=True)
    (decks / "m.media").symlink_to("pictures")
    code, out, err = run_cli(capsys, "import", str(share))
    assert code == 0, err
    assert "stored 1 media file(s)" in out
    assert (decks / "pictures" / HASHED).read_bytes() == PNG


@pytest.mark.parametrize("suffix", SUFFIXES)
def test_media_go_beside_a_deck_kept_in_a_sub_folder(
    tmp_path: Path, home: Path, capsys: pytest.CaptureFixture[str], suffix: str
) -> None:
    share = _share(tmp_path, suffix)
    sub = home / "decks" / "sub"
    sub.mkdir(parents=True)
    (sub / "m.toml").write_text(
        'format = 1\n[deck]\nid = "m"\n[[cards]]\nid = "a"\nfront = "q"\nback = "b"\n'
    )
    code, out, err = run_cli(capsys, "import", str(share))
    assert code == 0, err
    assert (sub / "m.media" / HASHED).read_bytes() == PNG
    assert not (home / "decks" / "m.media").exists()
    code, out, err = run_cli(capsys, "check")
    assert "not found" not in out + err


def test_an_import_without_media_is_not_refused_for_a_linked_out_folder(
    tmp_path: Path, home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = tmp_path / "m.toml"
    src.write_text('format = 1\n[deck]\nid = "m"\n[[cards]]\nid = "a"\nfront = "q"\nback = "b"\n')
    outside = _outside(tmp_path)
    (home / "decks").mkdir(parents=True)
    (home / "decks" / "m.media").symlink_to(outside)
    code, _, err = run_cli(capsys, "import", str(src))
    assert code == 0, err
    assert tree(outside) == []


@pytest.mark.parametrize("planted", ["folder link out", "dangling folder link", "file link out", "fifo"])
def test_store_media_itself_writes_nothing_through_a_planted_entry(tmp_path: Path, planted: str) -> None:
    """The last check, at the write (a link planted after the import was planned)."""
    stage = tmp_path / "stage"
    stage.mkdir()
    (stage / HASHED).write_bytes(PNG)
    decks = tmp_path / "decks"
    decks.mkdir()
    outside = _outside(tmp_path)
    folder = decks / "m.media"
    if planted == "folder link out":
        folder.symlink_to(outside)
    elif planted == "dangling folder link":
        folder.symlink_to(outside / "gone")
    else:
        folder.mkdir()
        if planted == "file link out":
            (folder / HASHED).symlink_to(outside / "victim.png")
            (outside / "victim.png").write_bytes(b"mine")
        elif hasattr(os, "mkfifo"):
            os.mkfifo(folder / HASHED)
        else:
            pytest.skip("no FIFOs here")
    assert not media.media_stored(folder, HASHED)
    with pytest.raises(OSError) as exc:
        store_media(decks, "m", [HASHED], {HASHED: stage / HASHED})
    assert "\n" not in str(exc.value) and "m.media" in str(exc.value)
    assert sorted(p.name for p in outside.iterdir()) == (["victim.png"] if planted == "file link out" else [])
    if planted == "file link out":
        assert (outside / "victim.png").read_bytes() == b"mine"


def test_media_stored_counts_a_regular_file_and_a_link_that_stays_in_the_folder(tmp_path: Path) -> None:
    folder = tmp_path / "m.media"
    folder.mkdir()
    (folder / HASHED).write_bytes(PNG)
    (folder / "alias.png").symlink_to(HASHED)
    assert media.media_stored(folder, HASHED) and media.media_stored(folder, "alias.png")
    assert not media.media_stored(folder, "absent.png")
    assert not media.media_stored(tmp_path / "none.media", HASHED)
