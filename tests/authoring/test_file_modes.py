"""Files the app rewrites keep their mode (deck files are shared and kept in git): one atomic-write helper."""

from __future__ import annotations

import os
import shutil
import stat
from dataclasses import replace
from pathlib import Path

import pytest

from retain.interop.outfile import atomic_output as export_output
from retain.store.decks.deckedit import DeckFile
from retain.store.files import atomic_output, atomic_write
from retain.store.paths import bundled_decks_dir

pytestmark = pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


@pytest.mark.parametrize("kept", [0o644, 0o640, 0o664, 0o600])
def test_editing_a_card_keeps_the_deck_file_mode(tmp_path: Path, kept: int) -> None:
    bundled = bundled_decks_dir()
    assert bundled is not None
    path = tmp_path / "consul.toml"
    shutil.copyfile(bundled / "consul.toml", path)
    path.chmod(kept)
    deck_file = DeckFile.load(path)
    card = deck_file.deck().cards[0]
    deck_file.upsert(replace(card, back=card.back + " (edited)"))
    deck_file.save()
    assert "(edited)" in path.read_text("utf-8")
    assert mode(path) == kept


@pytest.mark.parametrize("kept", [0o644, 0o640, 0o600])
def test_atomic_write_keeps_an_existing_mode(tmp_path: Path, kept: int) -> None:
    path = tmp_path / "deck.toml"
    path.write_text("old", "utf-8")
    path.chmod(kept)
    atomic_write(path, "new")
    assert path.read_text("utf-8") == "new" and mode(path) == kept


def test_a_new_file_gets_the_usual_mode(tmp_path: Path) -> None:
    path = tmp_path / "new.toml"
    atomic_write(path, "x")
    assert mode(path) == 0o666 & ~umask()
    with atomic_output(tmp_path / "export.apkg") as part:
        part.write_bytes(b"zip")
    assert mode(tmp_path / "export.apkg") == 0o666 & ~umask()


def test_exports_use_the_same_helper(tmp_path: Path) -> None:
    assert export_output.func is atomic_output  # the one helper (a link replaced, never written through)
    path = tmp_path / "out.csv"
    path.write_text("old", "utf-8")
    path.chmod(0o640)
    with export_output(path) as part:
        part.write_text("new", "utf-8")
    assert path.read_text("utf-8") == "new" and mode(path) == 0o640


def test_a_failed_write_leaves_the_file_and_no_temp(tmp_path: Path) -> None:
    path = tmp_path / "deck.toml"
    path.write_text("old", "utf-8")
    with pytest.raises(RuntimeError), atomic_output(path) as part:
        part.write_text("half", "utf-8")
        raise RuntimeError("disk full")
    assert path.read_text("utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["deck.toml"]
