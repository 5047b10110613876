"""The library finds bundled, user and configured decks and survives hostile files."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from retain.store.config import Config
from retain.store.decks.library import load_library, load_paths
from retain.store.files import MAX_DECK_BYTES
from retain.store.home import library_folders
from retain.store.paths import get_paths

GOOD = 'format = 1\n[deck]\nid = "{id}"\nname = "{id}"\n[[cards]]\nid = "a"\nfront = "q"\nback = "b"\n'


def _lib(folder: Path) -> dict[str, str]:
    lib = load_library([(folder, "user")])
    out = {e.path.name: e.error for e in lib.entries}
    assert [d.id for d in lib.decks] == ["good"]
    return out


def test_hostile_files_are_broken_with_one_line_and_others_load(tmp_path: Path) -> None:
    (tmp_path / "good.toml").write_text(GOOD.format(id="good"), "utf-8")
    (tmp_path / "latin1.toml").write_bytes("format = 1\n# caf\xe9\n".encode("latin-1"))
    (tmp_path / "malformed.toml").write_text("format = = 1\n", "utf-8")
    (tmp_path / "nested.toml").write_text("x = " + "[" * 5000 + "]" * 5000 + "\n", "utf-8")
    (tmp_path / "bigint.toml").write_text("x = " + "9" * 5000 + "\n", "utf-8")
    (tmp_path / "dotted.toml").write_text("a" + ".a" * 100_000 + " = 1\n", "utf-8")
    with (tmp_path / "huge.toml").open("wb") as fh:
        fh.write(b"# " + b"x" * (11 * 1024 * 1024) + b"\n")
    errors = _lib(tmp_path)
    assert "not UTF-8" in errors["latin1.toml"] and "line 2" in errors["latin1.toml"]
    assert "malformed.toml:1:" in errors["malformed.toml"]
    assert "nesting is too deep" in errors["nested.toml"]
    assert "out of range" in errors["bigint.toml"]
    assert "more than 64 parts" in errors["dotted.toml"]
    assert "limit is 10 MiB" in errors["huge.toml"]
    for name, message in errors.items():
        assert "\n" not in message, name
        assert name in message or name == "good.toml"


def test_the_deck_size_message_states_the_limit_in_its_own_unit(tmp_path: Path) -> None:
    """The limit is 10 MiB, but the message said "the limit is 10 MB" (decimal): a 10.45 MB file
    loaded while the message said the limit was 10 MB, and 10 MiB and a byte showed as 10.5 MB."""
    pad = GOOD.format(id="good") + "# "
    (tmp_path / "good.toml").write_text(pad + "x" * (10_450_000 - len(pad) - 1) + "\n", "utf-8")
    (tmp_path / "over.toml").write_text(pad + "x" * (MAX_DECK_BYTES - len(pad)) + "\n", "utf-8")
    assert (tmp_path / "over.toml").stat().st_size == MAX_DECK_BYTES + 1
    assert _lib(tmp_path)["over.toml"].endswith("over.toml:1:1: error: file is 10.1 MiB; the limit is 10 MiB")


def test_duplicate_deck_ids_and_user_shadowing_bundled(tmp_path: Path) -> None:
    user, extra, bundled = tmp_path / "user", tmp_path / "extra", tmp_path / "bundled"
    for d in (user, extra, bundled):
        d.mkdir()
    (user / "k.toml").write_text(GOOD.format(id="kafka"), "utf-8")
    (bundled / "kafka.toml").write_text(GOOD.format(id="kafka"), "utf-8")
    (extra / "k2.toml").write_text(GOOD.format(id="kafka"), "utf-8")
    lib = load_library([(user, "user"), (extra, "folder"), (bundled, "bundled")])
    assert [e.path for e in lib.entries if e.deck] == [user / "k.toml"]
    [dup] = lib.broken
    assert dup.path == extra / "k2.toml" and "already used by" in dup.error


def test_folders_follow_retain_home_and_config(tmp_path: Path) -> None:
    paths = get_paths({"RETAIN_HOME": str(tmp_path)})
    assert paths.decks_dir == tmp_path / "decks"
    assert paths.config_file == tmp_path / "config.toml"
    folders = library_folders(paths, Config(deck_folders=(tmp_path / "more",)))
    assert folders[0] == (tmp_path / "decks", "user")
    assert folders[1] == (tmp_path / "more", "folder")
    assert folders[-1][1] == "bundled"


def test_check_with_no_path_validates_whole_library(tmp_path: Path) -> None:
    (tmp_path / "decks").mkdir()
    (tmp_path / "decks" / "mine.toml").write_text(GOOD.format(id="mine"), "utf-8")
    (tmp_path / "more").mkdir()
    (tmp_path / "more" / "bad.toml").write_bytes(b"\xff\xfe")
    (tmp_path / "config.toml").write_text(f'deck_folders = ["{tmp_path / "more"}"]\n', "utf-8")
    env = {**os.environ, "RETAIN_HOME": str(tmp_path)}
    proc = subprocess.run(
        [sys.executable, "-m", "retain", "check"], capture_output=True, text=True, env=env, timeout=60
    )
    assert proc.returncode == 1
    assert f"{tmp_path / 'more' / 'bad.toml'}:1:1: error: not UTF-8" in proc.stdout
    assert "Traceback" not in proc.stderr


@pytest.mark.parametrize(
    "copy",
    [
        "kafka.sync-conflict-20260328-120000-ABCDEFG.toml",  # Syncthing
        "kafka (Bob's conflicted copy 2026-03-28).toml",  # Dropbox
        "kafka (conflicted copy 2026-03-28 120000).toml",  # Nextcloud
        "kafka_REMOTE_12345.toml",  # git mergetool
    ],
)
def test_a_sync_conflict_copy_of_a_deck_never_takes_its_id(tmp_path: Path, copy: str) -> None:
    """A folder sync's conflict copy sorts before the file it copies (`kafka.s…` < `kafka.t…`,
    `kafka (` < `kafka.`): it took the deck id, the real `kafka.toml` was listed as broken ("deck id
    'kafka' is already used by kafka.sync-conflict-….toml") and the stale copy was studied and edited."""
    (tmp_path / "kafka.toml").write_text(GOOD.format(id="kafka"), "utf-8")
    (tmp_path / copy).write_text(GOOD.format(id="kafka").replace('"q"', '"old q"'), "utf-8")
    for entries in (load_library([(tmp_path, "user")]).entries, load_paths([tmp_path])):
        by_name = {e.path.name: e for e in entries}
        assert by_name["kafka.toml"].deck is not None and not by_name["kafka.toml"].problems
        error = by_name[copy].error
        assert by_name[copy].deck is None and "\n" not in error
        assert error.endswith(
            "error: a conflict copy of kafka.toml left by a sync tool; it is not loaded: "
            "move what you want to keep into kafka.toml, then delete this file"
        )


@pytest.mark.parametrize(
    "name",
    [
        "german_base_1.toml",  # looked like git mergetool's german_BASE_1234
        "history (conflict studies).toml",  # a word "conflict" in brackets
        "notes (conflicted copy ideas).toml",  # Dropbox's words, but no notes.toml beside it
        "kafka.sync-conflict-notes.toml",  # not Syncthing's date, time and device
    ],
)
def test_a_deck_whose_name_only_looks_like_a_conflict_copy_loads(tmp_path: Path, name: str) -> None:
    """A user's deck called `german_base_1.toml` was listed as broken, "a conflict copy of
    german.toml left by a sync tool", though no german.toml exists (found by the review)."""
    (tmp_path / name).write_text(GOOD.format(id="vocab"), "utf-8")
    for entries in (load_library([(tmp_path, "user")]).entries, load_paths([tmp_path])):
        (entry,) = entries
        assert entry.deck is not None and not entry.problems


def test_a_deck_with_merge_conflict_markers_says_so(tmp_path: Path) -> None:
    """An unresolved `git merge` in a deck file said only "TOML syntax: Invalid statement"."""
    text = GOOD.format(id="kafka").replace(
        'front = "q"\n', '<<<<<<< HEAD\nfront = "q"\n=======\nfront = "Q"\n>>>>>>> b\n'
    )
    (tmp_path / "kafka.toml").write_text(text, "utf-8")
    for cache in (None, tmp_path / "cache"):
        (entry,) = load_library([(tmp_path, "user")], cache).entries
        assert entry.error == (
            f"{tmp_path / 'kafka.toml'}:7:1: error: unresolved merge conflict (a `<<<<<<<`/`=======`/`>>>>>>>` "
            "marker at line 7): keep the lines you want, delete the markers and save"
        )
