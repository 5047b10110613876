"""Folders that come and go under a deck folder (git's `.git/objects` during `gc` or a fetch, a
sync tool's temporary folders) never stop a command: `retain due` and the TUI failed to start
with "cannot open the progress: …/.git/objects/o108: no such file or folder" about half the time
while `git gc` ran in a configured deck folder. Hidden folders are not walked at all."""

from __future__ import annotations

import shutil
import threading
from pathlib import Path

from retain.store.decks.library import deck_files

DECK = 'format = 1\n[deck]\nid = "{id}"\nname = "{id}"\n[[cards]]\nid = "c"\nfront = "Q"\nback = "A"\n'


def _churn(root: Path, stop: threading.Event) -> None:
    """Make and remove nested folders under `root` until `stop` (what `git gc` does to objects)."""
    n = 0
    while not stop.is_set():
        folder = root / f"o{n % 50}" / "x" / "y"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "pack.toml").write_text("x", "utf-8")
        shutil.rmtree(root / f"o{(n + 25) % 50}", ignore_errors=True)
        n += 1


def test_folders_vanishing_while_the_decks_are_listed_are_passed_over(tmp_path: Path) -> None:
    decks = tmp_path / "notes"
    (decks / "sub").mkdir(parents=True)
    (decks / "a.toml").write_text(DECK.format(id="a"), "utf-8")
    (decks / "sub" / "b.toml").write_text(DECK.format(id="b"), "utf-8")
    stop = threading.Event()
    churners = [
        threading.Thread(target=_churn, args=(decks / ".git" / "objects", stop)),
        threading.Thread(target=_churn, args=(decks / "sync-tmp", stop)),  # a folder not hidden
    ]
    for t in churners:
        t.start()
    try:
        for _ in range(300):
            found = [p for p in deck_files(decks) if "sync-tmp" not in p.parts]
            assert found == [decks / "a.toml", decks / "sub" / "b.toml"]
    finally:
        stop.set()
        for t in churners:
            t.join()


def test_hidden_folders_and_files_are_left_out_and_links_kept(tmp_path: Path) -> None:
    decks = tmp_path / "decks"
    (decks / ".git").mkdir(parents=True)
    (decks / ".git" / "x.toml").write_text(DECK.format(id="x"), "utf-8")
    (decks / ".hidden.toml").write_text(DECK.format(id="h"), "utf-8")
    (decks / "real").mkdir()
    (decks / "real" / "r.toml").write_text(DECK.format(id="r"), "utf-8")
    (decks / "link.toml").symlink_to(decks / "real" / "r.toml")
    (decks / "gone.toml").symlink_to(decks / "missing.toml")
    # a link to a folder already walked: read once, by its own path
    (decks / "dirlink").symlink_to(decks / "real")
    (decks / "notes.TOML.txt").write_text("x", "utf-8")
    assert deck_files(decks) == [decks / "gone.toml", decks / "link.toml", decks / "real" / "r.toml"]
