"""A deck kept elsewhere (a git checkout) and linked into the deck folder is written through the link.

Every atomic write (`retain check --fix`, `retain add`, saves from the app, config and state files)
replaces the link's final target, never the link; a broken link or a link loop is refused in one
line and nothing changes.
"""

from __future__ import annotations

import errno
import os
import tempfile
from dataclasses import replace
from pathlib import Path

import pytest

from retain.cli import main
from retain.store import home as store_home
from retain.store.decks.deckedit import DeckFile
from retain.store.files import atomic_output, atomic_write

pytestmark = pytest.mark.skipif(os.name != "posix", reason="symbolic links")

DECK = 'format = 1\n[deck]\nid = "d"\nname = "x"\n\n[[cards]]\nid = "a"\nfront = "q"\nback = "a"\n'


@pytest.fixture
def cli_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A RETAIN_HOME with an empty deck folder and no bundled decks, for `main([...])` in-process."""
    home = tmp_path / "home"
    (home / "decks").mkdir(parents=True)
    monkeypatch.setenv("RETAIN_HOME", str(home))
    monkeypatch.setattr(store_home, "bundled_decks_dir", lambda: None)
    return home


@pytest.fixture
def linked(cli_home: Path, tmp_path: Path) -> tuple[Path, Path]:
    """(the link in the deck folder, the real deck file in a checkout), linked by a relative path."""
    repo = tmp_path / "repo"
    repo.mkdir()
    real = repo / "d.toml"
    real.write_text(DECK, "utf-8")
    link = cli_home / "decks" / "d.toml"
    link.symlink_to(os.path.relpath(real, link.parent))
    return link, real


def _only(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_check_fix_writes_the_ids_into_the_linked_file_and_keeps_the_link(linked: tuple[Path, Path]) -> None:
    link, real = linked
    real.write_text(DECK.replace('id = "a"\n', ""), "utf-8")
    assert main(["check", "--fix"]) == 0
    assert link.is_symlink(), "the deck folder's link was replaced by a regular file"
    assert 'id = "' in real.read_text("utf-8").split("[[cards]]")[1], "the real deck file did not get its id"
    assert _only(real.parent) == ["d.toml"]  # no temp file left beside the target


def test_add_and_an_app_save_write_through_the_link(linked: tuple[Path, Path]) -> None:
    link, real = linked
    assert main(["add", "--deck", "d", "--front", "two", "--back", "2"]) == 0
    deck_file = DeckFile.load(link)
    card = deck_file.deck().cards[0]
    deck_file.upsert(replace(card, back="edited"))
    deck_file.save()
    assert link.is_symlink()
    text = real.read_text("utf-8")
    assert 'front = "two"' in text and 'back = "edited"' in text


def test_a_chain_of_links_is_followed_to_the_file_and_its_mode_kept(tmp_path: Path) -> None:
    real = tmp_path / "real.toml"
    real.write_text("old", "utf-8")
    real.chmod(0o640)
    (tmp_path / "middle.toml").symlink_to("real.toml")
    first = tmp_path / "sub" / "first.toml"
    first.parent.mkdir()
    first.symlink_to("../middle.toml")
    atomic_write(first, "new")
    assert first.is_symlink() and (tmp_path / "middle.toml").is_symlink()
    assert real.read_text("utf-8") == "new"
    assert real.stat().st_mode & 0o777 == 0o640
    with atomic_output(first) as part:  # the export helper too
        part.write_text("newer", "utf-8")
    assert first.is_symlink() and real.read_text("utf-8") == "newer"


@pytest.mark.parametrize("kind", ["broken", "loop"])
def test_a_broken_link_or_a_loop_is_refused_in_one_line_and_kept(tmp_path: Path, kind: str) -> None:
    link = tmp_path / "d.toml"
    if kind == "broken":
        link.symlink_to("gone/d.toml")
    else:
        (tmp_path / "other.toml").symlink_to("d.toml")
        link.symlink_to("other.toml")
    before = os.readlink(link)
    with pytest.raises(OSError) as caught:
        atomic_write(link, "data")
    said = str(caught.value.strerror)
    assert ("broken symbolic link" if kind == "broken" else "symbolic link loop") in said
    assert "\n" not in said and caught.value.filename == str(link)
    assert os.readlink(link) == before
    assert not (tmp_path / "gone").exists()
    assert all(not p.name.endswith(".tmp") for p in tmp_path.iterdir())


@pytest.mark.parametrize("kind", ["broken", "loop"])
def test_add_new_deck_over_a_broken_link_or_a_loop_says_which(
    cli_home: Path, capsys: pytest.CaptureFixture[str], kind: str
) -> None:
    link = cli_home / "decks" / "x.toml"
    if kind == "broken":
        link.symlink_to("../../repo/x.toml")
    else:
        link.symlink_to("x.toml")
    assert main(["add", "--deck", "x", "--new-deck", "--front", "q", "--back", "a"]) == 2
    (said,) = capsys.readouterr().err.strip().splitlines()
    assert said.startswith(f"retain add: deck 'x' does not load: {link}:1:1: error: "), said
    assert ("link target missing" if kind == "broken" else "symbolic link loop") in said, said
    assert "fix or remove the link" in said, said
    assert link.is_symlink()


def test_a_folder_that_cannot_be_written_is_named_by_the_file_not_a_temp_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*args: object, **kwargs: object) -> tuple[int, str]:
        raise PermissionError(errno.EACCES, "Permission denied", str(tmp_path / ".d.toml.x.tmp"))

    target = tmp_path / "d.toml"
    target.write_text("old", "utf-8")
    monkeypatch.setattr(tempfile, "mkstemp", refuse)
    with pytest.raises(OSError) as caught:
        atomic_write(target, "new")
    assert caught.value.filename == str(target) and caught.value.strerror == "Permission denied"
    assert target.read_text("utf-8") == "old"
