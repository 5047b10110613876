"""A kill during a deck or config.toml save left its temp file (`.kafka.toml.k3j9x0ab.tmp`) in
the deck folder for ever: a hidden file `git status` and sync tools show. A start that may write
removes the old ones of exactly that form; nothing else, nothing young, never through a link,
and a reader removes nothing."""

from __future__ import annotations

import os
import time
from pathlib import Path

from store_helpers import NOW, make_home, open_col

OLD = time.time() - 3600


def _plant(folder: Path, name: str, *, age: float | None = OLD, link: bool = False) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    if link:
        target = folder.parent / f"target-of-{name}"
        target.write_text("kept", encoding="utf-8")
        os.utime(target, (OLD, OLD))
        path.symlink_to(target)
    else:
        path.write_text("half a deck", encoding="utf-8")
        if age is not None:
            os.utime(path, (age, age))
    return path


def _left(folder: Path) -> set[str]:
    return {p.name for p in folder.iterdir() if p.name.startswith(".")}


def test_a_start_that_may_write_removes_old_temp_files_of_cut_short_saves(tmp_path: Path) -> None:
    home = make_home(tmp_path / "home")
    decks, config = home.paths.decks_dir, home.paths.config_file.parent
    gone = [
        _plant(decks, ".tiny.toml.k3j9x0ab.tmp"),
        _plant(decks, ".tiny.anki.json.a1b2c3d4.tmp"),
        _plant(config, ".config.toml.zz99yy88.tmp"),
    ]
    kept = [
        _plant(decks, ".tiny.toml.young123.tmp", age=None),  # another retain's save in progress
        _plant(decks, ".syncthing.tiny.toml.tmp"),  # a sync tool's download
        _plant(decks, ".notes.txt.abcdefgh.tmp"),  # not a file retain writes there
        _plant(decks, ".tiny.toml.tmp"),  # not the temp form
        _plant(decks, ".linked.toml.abcdefgh.tmp", link=True),  # a link: never followed nor removed
    ]
    reader = open_col(home, NOW, read_only=True)
    reader.close(NOW)
    assert all(p.exists() for p in gone)  # a reader writes nothing
    col = open_col(home, NOW)
    col.close(NOW)
    assert not any(p.exists() for p in gone)
    assert all(os.path.lexists(p) for p in kept)
    assert (decks.parent / "target-of-.linked.toml.abcdefgh.tmp").read_text(encoding="utf-8") == "kept"
    assert _left(decks) == {p.name for p in kept if p.parent == decks}


def test_an_extra_deck_folder_is_swept_too(tmp_path: Path) -> None:
    root = tmp_path / "home"
    extra = tmp_path / "shared-decks"
    _plant(extra, ".spanish.toml.q1w2e3r4.tmp")
    (extra / "spanish.toml").write_text(
        'format = 1\n\n[deck]\nid = "spanish"\nname = "Spanish"\n\n[[cards]]\nid = "a"\nfront = "q"\nback = "a"\n',
        encoding="utf-8",
    )
    (root / "config").mkdir(parents=True)
    home = make_home(root)
    home.paths.config_file.parent.mkdir(parents=True, exist_ok=True)
    home.paths.config_file.write_text(f'deck_folders = ["{extra}"]\n', encoding="utf-8")
    home = make_home(root)
    assert any(d.id == "spanish" for d in home.library().decks)
    col = open_col(home, NOW)
    col.close(NOW)
    assert _left(extra) == set()
