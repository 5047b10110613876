"""The deck-edit lock and new deck files against odd files and folders: a symlinked or unusable
lock file, a read-only deck folder, and the one line naming every holder."""

from __future__ import annotations

import errno
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from authoring_data import TINY

from retain.core.model import Deck
from retain.store import home as store_home
from retain.store.collection import Collection
from retain.store.decks import editlock
from retain.store.decks.card_edits import create_deck
from retain.store.decks.deckedit import DeckEditError
from retain.store.home import open_home

NOW = datetime(2026, 3, 28, 12, 0, tzinfo=UTC)

HOLD = """import sys, time
from pathlib import Path
from retain.store.decks.editlock import deck_edit_lock
with deck_edit_lock(Path(sys.argv[1]), timeout=5):
    print("held", flush=True)
    sys.stdin.readline()
"""


@pytest.fixture
def col(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Collection]:
    monkeypatch.setenv("RETAIN_HOME", str(tmp_path))
    monkeypatch.setattr(store_home, "bundled_decks_dir", lambda: None)
    (tmp_path / "decks").mkdir()
    (tmp_path / "decks" / "tiny.toml").write_text(TINY, "utf-8")
    monkeypatch.setattr(editlock, "APP_WAIT_SECONDS", 0.3)
    collection = Collection.open(open_home(), NOW, tz=UTC)
    yield collection
    collection.close()


def test_new_deck_in_a_read_only_deck_folder_names_the_deck_file_not_a_temp_file(
    col: Collection, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Before c7e309f: "cannot write .../decks/fresh.toml: ...". Now write_new_file's temp name
    leaks into the one line: "cannot write .../decks/.fresh.toml.<pid>.new: ...; the file is
    unchanged" (a hidden file the user never heard of, and "unchanged" for a file that never existed)."""

    def read_only(*_a: object, **_k: object) -> None:
        raise PermissionError(errno.EROFS, os.strerror(errno.EROFS))

    monkeypatch.setattr(tempfile, "mkstemp", read_only)  # a read-only deck folder (we run as root)
    with pytest.raises(DeckEditError) as info:
        create_deck(col, Deck(id="fresh", name="Fresh"))
    said = str(info.value)
    assert ".new" not in said and f"{os.getpid()}" not in said, said
    assert "fresh.toml" in said


def test_a_symlinked_lock_file_still_makes_two_retains_take_turns(tmp_path: Path) -> None:
    """cache/deck-edit.lock as a symbolic link (a dotfiles manager, a cache folder assembled
    from links): filelock opens it with O_NOFOLLOW, the OSError is taken as "no cache folder"
    and every retain edits UNLOCKED at once -- the lost-card race this lock exists to stop,
    silently back. Same for a lock file that is a directory or not writable (after `sudo retain`)."""
    cache = tmp_path / "cache"
    cache.mkdir()
    (cache / "lock-target").write_text("")
    os.symlink(cache / "lock-target", cache / "deck-edit.lock")
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(cache)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        with pytest.raises(editlock.DeckLockTimeout), editlock.deck_edit_lock(cache, timeout=0.3):
            pass  # another retain holds the lock: this one must wait, not edit alongside it
    finally:
        assert holder.stdin is not None
        holder.stdin.write("\n")
        holder.stdin.close()
        holder.wait(timeout=10)


def test_lock_timeout_line_names_retain_import_which_now_holds_the_lock(tmp_path: Path) -> None:
    """0a9623c made `retain import` (and the app's import dialog) hold the lock -- through its
    media writes too, the longest holder by far -- but the one line an app save or `retain add`
    shows still lists only "`retain add`, `retain check --fix` or the app" (and docs/authoring.md
    lists only check --fix and the app's edits): a user whose save fails while an import runs is
    told to look for the wrong thing."""
    cache = tmp_path / "cache"
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(cache)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        with pytest.raises(editlock.DeckLockTimeout) as info, editlock.deck_edit_lock(cache, timeout=0.1):
            pass
    finally:
        assert holder.stdin is not None
        holder.stdin.write("\n")
        holder.stdin.close()
        holder.wait(timeout=10)
    assert "import" in str(info.value), str(info.value)
    doc = (Path(__file__).resolve().parents[2] / "docs" / "authoring.md").read_text("utf-8")
    para = doc[doc.index("deck-edit.lock") - 400 : doc.index("deck-edit.lock") + 400]
    assert "import" in para, para


def test_a_lock_file_that_is_a_directory_is_named_in_one_line(tmp_path: Path) -> None:
    """Unusable, it is said (to be removed), never taken as "no cache folder" (edits unlocked)."""
    cache = tmp_path / "cache"
    (cache / "deck-edit.lock").mkdir(parents=True)
    with pytest.raises(editlock.DeckLockTimeout) as info, editlock.deck_edit_lock(cache, timeout=0.1):
        pass
    said = str(info.value)
    assert "\n" not in said and "deck-edit.lock" in said and "remove it" in said
