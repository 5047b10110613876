"""A folder of decks linked into a deck folder (`decks/shared -> ~/git/decks`, a git checkout) is
read as any sub-folder; a deck file the library does not load because of its name says so.

The library walked its folders with `os.walk`, which never follows a linked folder: the decks of
`decks/shared` were left out without a word (`retain check` said "10 ok", `retain check decks/`
said "no deck files found"), while `retain check decks/shared/x.toml` called the file ok. So was a
deck file in capitals (`Kafka.TOML`) and a hidden `.draft.toml`: checked "ok", never loaded.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import stat
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from authoring_data import OpenApp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from retain.cli import main
from retain.store import home as store_home
from retain.store.collection import Collection
from retain.store.decks.deckwatch import DeckWatcher
from retain.store.decks.library import (
    deck_files,
    load_library,
    load_paths,
    read_by_library,
    real_path,
    walk_decks,
)
from retain.store.home import open_home
from retain.ui.live_reload import LiveReload


def deck(deck_id: str, name: str = "") -> str:
    return (
        f'format = 1\n[deck]\nid = "{deck_id}"\nname = "{name or deck_id.title()}"\n\n'
        '[[cards]]\nid = "a"\nfront = "q"\nback = "a"\n'
    )


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A home whose deck folder holds `own.toml` and `shared -> ../checkout` (`linked.toml`)."""
    root = tmp_path / "home"
    (root / "decks").mkdir(parents=True)
    (root / "decks" / "own.toml").write_text(deck("own"), "utf-8")
    checkout = tmp_path / "checkout"
    checkout.mkdir()
    (checkout / "linked.toml").write_text(deck("linked"), "utf-8")
    (root / "decks" / "shared").symlink_to(checkout, target_is_directory=True)
    monkeypatch.setenv("RETAIN_HOME", str(root))
    monkeypatch.setattr(store_home, "bundled_decks_dir", lambda: None)
    return root


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    capsys.readouterr()
    code = main(list(args))
    said = capsys.readouterr()
    return code, said.out + said.err


def _library(folder: Path) -> dict[str, str]:
    """Each entry's path (relative to `folder`) -> its deck id, or its first error."""
    out = {}
    for e in load_library([(folder, "user")]).entries:
        out[str(e.path.relative_to(folder))] = e.deck.id if e.deck is not None else e.error
    return out


# ---- a linked folder is read ------------------------------------------------------------------


def test_the_decks_of_a_linked_folder_load_everywhere(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    decks = home / "decks"
    assert deck_files(decks) == [decks / "own.toml", decks / "shared" / "linked.toml"]
    assert _library(decks) == {"own.toml": "own", "shared/linked.toml": "linked"}
    code, said = _run(capsys, "due")
    assert code == 0 and "Linked" in said, said
    code, said = _run(capsys, "check")
    assert code == 0 and "2 deck file(s): 2 ok" in said, said
    code, said = _run(capsys, "check", str(decks))
    assert code == 0 and "2 deck file(s): 2 ok" in said, said
    assert "no deck files found" not in said


def test_a_linked_deck_takes_part_in_the_duplicate_id_rule(home: Path) -> None:
    (home / "decks" / "copy.toml").write_text(deck("linked"), "utf-8")
    found = _library(home / "decks")
    assert found["shared/linked.toml"] == "linked"  # (named after the deck: it keeps the id)
    assert "deck id 'linked' is already used by" in found["copy.toml"]


def test_a_loop_and_a_folder_linked_twice_are_walked_once(tmp_path: Path) -> None:
    decks = tmp_path / "decks"
    (decks / "a" / "sub").mkdir(parents=True)
    (decks / "a" / "x.toml").write_text(deck("x"), "utf-8")
    (decks / "a" / "sub" / "y.toml").write_text(deck("y"), "utf-8")
    (decks / "a" / "loop").symlink_to("..", target_is_directory=True)  # a loop
    (decks / "a" / "sub" / "up").symlink_to("../..", target_is_directory=True)  # another
    (decks / "a" / "self").symlink_to(".", target_is_directory=True)
    (decks / "0-first").symlink_to("a", target_is_directory=True)  # sorts before the folder it names
    (decks / "z-again").symlink_to(decks / "a", target_is_directory=True)
    # each folder once, by its own path rather than a link's, however the links sort
    assert deck_files(decks) == [decks / "a" / "sub" / "y.toml", decks / "a" / "x.toml"]
    assert _library(decks) == {"a/sub/y.toml": "y", "a/x.toml": "x"}


def test_two_links_to_one_folder_outside_give_its_decks_once(tmp_path: Path) -> None:
    decks, outside = tmp_path / "decks", tmp_path / "outside"
    decks.mkdir()
    outside.mkdir()
    (outside / "o.toml").write_text(deck("o"), "utf-8")
    (decks / "one").symlink_to(outside, target_is_directory=True)
    (decks / "two").symlink_to(outside, target_is_directory=True)
    assert deck_files(decks) == [decks / "one" / "o.toml"]
    assert _library(decks) == {"one/o.toml": "o"}


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    links=st.lists(st.tuples(st.integers(0, 3), st.integers(0, 3)), max_size=6),
    decks_in=st.sets(st.integers(0, 3)),
)
def test_any_web_of_linked_folders_ends_with_each_deck_once(
    tmp_path: Path, links: list[tuple[int, int]], decks_in: set[int]
) -> None:
    """Folders 0..3 (0 the deck folder, 1 inside it, 2 and 3 outside), each link from one to
    another: the walk ends, and lists every deck file reachable exactly once."""
    root = Path(tempfile.mkdtemp(dir=tmp_path))
    folders = [root / "decks", root / "decks" / "inner", root / "out2", root / "out3"]
    for f in folders:
        f.mkdir(parents=True)
    for i in decks_in:
        (folders[i] / f"d{i}.toml").write_text(deck(f"d{i}"), "utf-8")
    for n, (src, dst) in enumerate(links):
        (folders[src] / f"l{n}").symlink_to(folders[dst], target_is_directory=True)
    reach = {0, 1}
    while True:
        more = {dst for src, dst in links if src in reach} - reach
        if not more:
            break
        reach |= more
    found = [real_path(p) for p in deck_files(folders[0])]
    assert len(found) == len(set(found))
    assert set(found) == {real_path(folders[i] / f"d{i}.toml") for i in decks_in & reach}


# ---- what cannot be walked is one line --------------------------------------------------------


def test_a_linked_folder_whose_target_is_gone_is_one_line(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "checkout").rename(tmp_path / "moved")
    link = home / "decks" / "shared"
    message = f"link target missing ({tmp_path / 'checkout'}): fix or remove the link"
    assert _library(home / "decks") == {"own.toml": "own", "shared": f"{link}:1:1: error: {message}"}
    code, said = _run(capsys, "check")
    assert code == 1
    assert said.count(message) == 1 and "Traceback" not in said, said
    code, said = _run(capsys, "due")
    assert said.count(f"broken deck: {link}:1:1: error: link target missing") == 1, said
    code, said = _run(capsys, "check", str(home / "decks"))
    assert code == 1 and said.count(message) == 1, said


def test_a_folder_link_loop_is_one_line(tmp_path: Path) -> None:
    decks = tmp_path / "decks"
    decks.mkdir()
    (decks / "ring").symlink_to("ring")
    assert _library(decks) == {
        "ring": f"{decks / 'ring'}:1:1: error: symbolic link loop (ring): fix or remove the link"
    }


def test_a_dangling_link_named_like_some_other_file_is_no_deck(tmp_path: Path) -> None:
    decks = tmp_path / "decks"
    decks.mkdir()
    (decks / "picture.png").symlink_to("gone.png")
    assert deck_files(decks) == []


@contextlib.contextmanager
def _as_nobody() -> Iterator[None]:
    """Run as a user the folder's mode applies to (root reads a folder of mode 000)."""
    if os.geteuid() != 0:
        yield
        return
    os.seteuid(65534)
    try:
        yield
    finally:
        os.seteuid(0)


@pytest.mark.skipif(not hasattr(os, "geteuid"), reason="POSIX permissions")
def test_a_folder_that_cannot_be_read_is_one_line() -> None:
    root = Path(tempfile.mkdtemp())  # (not tmp_path: its parents are closed to another user)
    try:
        root.chmod(0o755)
        decks, locked = root / "decks", root / "locked"
        (decks / "private").mkdir(parents=True)
        locked.mkdir()
        (decks / "ok.toml").write_text(deck("ok"), "utf-8")
        (decks / "ok.toml").chmod(0o644)
        decks.chmod(0o755)
        (decks / "locked").symlink_to(locked, target_is_directory=True)
        for folder in (decks / "private", locked):
            (folder / "p.toml").write_text(deck(folder.name), "utf-8")
            folder.chmod(0)
        with _as_nobody():
            found = _library(decks)
            named = load_paths([decks / "private"])
        assert found["ok.toml"] == "ok"
        for name in ("locked", "private"):
            assert (
                found[name]
                == f"{decks / name}:1:1: error: cannot read this folder (permission denied): no deck in it is loaded"
            )
        assert len(found) == 3
        assert [e.error for e in named] == [found["private"]]
    finally:
        for p in (root / "decks" / "private", root / "locked"):
            with contextlib.suppress(OSError):
                p.chmod(stat.S_IRWXU)
        shutil.rmtree(root, ignore_errors=True)


# ---- the names the library does (not) load ------------------------------------------------------


def test_a_deck_file_named_in_capitals_loads(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    decks = home / "decks"
    (decks / "Kafka.TOML").write_text(deck("kafka"), "utf-8")
    (decks / "shared" / "Redis.Toml").write_text(deck("redis"), "utf-8")
    found = _library(decks)
    assert found["Kafka.TOML"] == "kafka" and found["shared/Redis.Toml"] == "redis"
    code, said = _run(capsys, "check")
    assert code == 0 and "4 deck file(s): 4 ok" in said, said
    watcher = DeckWatcher([decks])
    (decks / "Kafka.TOML").write_text(deck("kafka", "Edited"), "utf-8")
    os.utime(decks / "Kafka.TOML", ns=(1, 1))
    assert watcher.changed(settled=False) == [real_path(decks / "Kafka.TOML")]


def test_two_files_differing_in_case_are_two_files(tmp_path: Path) -> None:
    decks = tmp_path / "decks"
    decks.mkdir()
    (decks / "a.toml").write_text(deck("a"), "utf-8")
    (decks / "a.TOML").write_text(deck("a", "Copy"), "utf-8")
    if len(list(decks.iterdir())) != 2:
        pytest.skip("a file system that does not tell names by case")
    found = _library(decks)
    assert len(found) == 2
    kept = [name for name, said in found.items() if said == "a"]
    assert len(kept) == 1
    (other,) = set(found) - set(kept)
    assert f"deck id 'a' is already used by {decks / kept[0]}" in found[other]


HIDDEN_LINE = "hidden file (its name starts with '.'): not loaded as a deck"


def test_a_hidden_deck_file_is_said_not_to_load(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    decks = home / "decks"
    draft = decks / ".draft.toml"
    draft.write_text(deck("draft"), "utf-8")
    (decks / "shared" / ".wip.toml").write_text(deck("wip"), "utf-8")
    (decks / ".ruff.toml").write_text("line-length = 100\n", "utf-8")  # a tool's: no deck, no word
    assert ".draft.toml" not in _library(decks)
    code, said = _run(capsys, "check", str(draft))
    assert f"{draft}:1:1: warning: {HIDDEN_LINE}" in said, said
    assert "1 ok" not in said and "not loaded" in said.splitlines()[-1], said
    for args in ([], [str(decks)]):
        code, said = _run(capsys, "check", *args)
        assert code == 0
        assert f"{draft}:1:1: warning: {HIDDEN_LINE}" in said, said
        assert f"{decks / 'shared' / '.wip.toml'}:1:1: warning: {HIDDEN_LINE}" in said, said
        assert ".ruff.toml" not in said
        assert "2 deck file(s): 2 ok" in said, said  # (the hidden ones are not counted)


def test_a_deck_in_a_hidden_folder_or_of_another_name_is_said_not_to_load(
    home: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    decks = home / "decks"
    (decks / ".archive").mkdir()
    old = decks / ".archive" / "old.toml"
    old.write_text(deck("old"), "utf-8")
    backup = decks / "shared" / "linked.toml.bak"
    backup.write_text(deck("bak"), "utf-8")
    said = _run(capsys, "check", str(old))[1]
    assert f"{old}:1:1: warning: in a hidden folder (.archive): not loaded as a deck" in said, said
    said = _run(capsys, "check", str(backup))[1]
    assert f"{backup}:1:1: warning: not named *.toml: not loaded as a deck" in said, said
    # named by its real path, through no link: the same
    said = _run(capsys, "check", str(tmp_path / "checkout" / "linked.toml.bak"))[1]
    assert "not named *.toml: not loaded as a deck" in said, said
    # a file outside every deck folder is only checked
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / ".x.toml").write_text(deck("x"), "utf-8")
    code, said = _run(capsys, "check", str(tmp_path / "elsewhere" / ".x.toml"))
    assert code == 0 and "warning:" not in said and "1 ok" in said, said


# ---- a linked folder is watched ---------------------------------------------------------------


def test_the_watcher_sees_an_edit_under_a_linked_folder(home: Path, tmp_path: Path) -> None:
    watcher = DeckWatcher([home / "decks"])
    target = tmp_path / "checkout" / "linked.toml"
    target.write_text(deck("linked", "Linked, edited"), "utf-8")
    os.utime(target, ns=(1, 1))
    assert watcher.changed(settled=False) == [target]
    (tmp_path / "checkout" / "sub").mkdir()
    (tmp_path / "checkout" / "sub" / "new.toml").write_text(deck("new"), "utf-8")
    assert watcher.changed(settled=False) == [tmp_path / "checkout" / "sub" / "new.toml"]


class _Screen:
    def post_message(self, message: object) -> None:
        pass


class _App:
    def __init__(self) -> None:
        self.toasts: list[str] = []
        self.screen = _Screen()

    def notify(self, message: str, **_kw: object) -> None:
        self.toasts.append(message)


def test_the_app_reloads_a_deck_edited_under_a_linked_folder(home: Path, tmp_path: Path) -> None:
    now = datetime.now(UTC)
    with Collection.open(open_home(), now, tz=UTC) as col:
        reload = LiveReload(col)
        reload._app = app = _App()  # type: ignore[assignment]
        target = tmp_path / "checkout" / "linked.toml"
        target.write_text(deck("linked", "Linked, edited"), "utf-8")
        os.utime(target, ns=(1, 1))
        assert reload.check(settled=False) == [target]
        assert app.toasts == ["linked.toml changed on disk"]
        got = col.library.get("linked")
        assert got is not None and got.name == "Linked, edited"


async def test_the_running_app_shows_an_edit_made_under_a_linked_folder(
    retain_home: Path, open_app: OpenApp, tmp_path_factory: pytest.TempPathFactory
) -> None:
    checkout = tmp_path_factory.mktemp("checkout")
    (checkout / "linked.toml").write_text(deck("linked"), "utf-8")
    (retain_home / "decks" / "shared").symlink_to(checkout, target_is_directory=True)
    app = open_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert app.collection.library.get("linked") is not None
        (checkout / "linked.toml").write_text(deck("linked", "Linked, edited"), "utf-8")
        os.utime(checkout / "linked.toml", ns=(1, 1))
        assert app.live_reload is not None
        assert app.live_reload.check(settled=False) == [checkout / "linked.toml"]
        await pilot.pause()
        assert any(n.message == "linked.toml changed on disk" for n in app._notifications)
        got = app.collection.library.get("linked")
        assert got is not None and got.name == "Linked, edited"


def test_a_file_written_into_a_linked_folder_is_one_the_library_reads(home: Path, tmp_path: Path) -> None:
    """What an export asks before it writes a second file of a deck into a deck folder."""
    folders = walk_decks(home / "decks").folders
    assert read_by_library(home / "decks" / "shared" / "new" / "copy.toml", folders)
    assert read_by_library(tmp_path / "checkout" / "Copy.TOML", folders)
    assert not read_by_library(home / "decks" / ".old" / "copy.toml", folders)
    assert not read_by_library(home / "decks" / "shared" / ".copy.toml", folders)
    assert not read_by_library(tmp_path / "elsewhere" / "copy.toml", folders)


def test_an_export_into_a_linked_deck_folder_is_refused_as_a_second_deck(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Now that linked folders are read, a second file of a deck written there would be a
    second deck of that id (`second_deck_refused` compared resolved paths only)."""
    from retain.cli import main

    home, checkout = tmp_path / "home", tmp_path / "git"
    (home / "decks").mkdir(parents=True)
    checkout.mkdir()
    (home / "decks" / "shared").symlink_to(checkout, target_is_directory=True)
    (home / "decks" / "own.toml").write_text(
        '[deck]\nid = "own"\n\n[[cards]]\nid = "c1"\nfront = "q"\nback = "a"\n', encoding="utf-8"
    )
    monkeypatch.setenv("RETAIN_HOME", str(home))
    assert main(["export", "own", "-o", str(home / "decks" / "shared" / "copy.toml")]) == 1
    assert "second deck 'own'" in capsys.readouterr().err
    assert not (checkout / "copy.toml").exists()


def test_a_link_to_a_huge_tree_stops_the_walk_with_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`decks/root -> /` (or to a home folder) walked the whole tree at every start and every
    watcher poll: the walk stops after `MAX_FOLDERS` folders and says so, once."""
    from retain.cli import main
    from retain.store.decks import library

    monkeypatch.setattr(library, "MAX_FOLDERS", 30)
    big = tmp_path / "big"
    for i in range(60):
        (big / f"f{i:02d}").mkdir(parents=True)
    home = tmp_path / "home"
    (home / "decks").mkdir(parents=True)
    (home / "decks" / "root").symlink_to(big, target_is_directory=True)
    walk = library.walk_decks(home / "decks")
    assert len(walk.folders) <= 31
    assert walk.unreadable == {home / "decks": walk.unreadable[home / "decks"]}
    assert "over 30 folders under it" in walk.unreadable[home / "decks"]
    monkeypatch.setenv("RETAIN_HOME", str(home))
    main(["check"])
    said = capsys.readouterr()
    assert (said.out + said.err).count("over 30 folders under it") == 1


def test_a_path_whose_links_may_not_be_read_is_kept_as_it_is(monkeypatch: pytest.MonkeyPatch) -> None:
    """Through `decks/root -> /`, `os.path.realpath` of `/proc/1/cwd` raised PermissionError and
    `retain check` stopped in one line, checking nothing. (Only a process without the rights
    meets it: root reads it, so the refusal is given here as the kernel gives it.)"""
    from retain.store.decks import library

    def refused(path: object) -> str:
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(os.path, "realpath", refused)
    assert library.real_path(Path("decks/root/proc/1/cwd")) == Path.cwd() / "decks/root/proc/1/cwd"
