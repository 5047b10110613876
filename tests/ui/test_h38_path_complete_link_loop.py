"""The import and export dialogs list the folder being typed; one entry that cannot be looked at (a
symbolic link loop, a link into a dead mount, a folder it may not read) crashed the app with a
traceback, as the library asked each entry `is_dir()` unguarded. Such an entry is listed as a file
(offered only with a wanted extension), and a folder that cannot be listed offers nothing."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from textual.widgets import Input
from textual_autocomplete import TargetState

from retain.ui.screens.share_export import ExportScreen
from retain.ui.screens.share_import import ImportScreen
from retain.ui.widgets.path_complete import PathComplete

from .conftest import OpenApp


def _loop(folder: Path, a: str, b: str) -> None:
    (folder / a).symlink_to(b)
    (folder / b).symlink_to(a)


def _offered(complete: PathComplete, text: str) -> list[str]:
    return [item.main.plain for item in complete.get_candidates(TargetState(text, len(text)))]


@pytest.mark.parametrize("key, screen_type", [("i", ImportScreen), ("x", ExportScreen)])
async def test_a_link_loop_in_the_starting_folder_lists_the_rest(
    open_app: OpenApp, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, key: str, screen_type: type
) -> None:
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    _loop(cwd, "loopA", "loopB")
    _loop(cwd, "loop.toml", "loop2.toml")  # a wanted name: offered as a file, refused when opened
    (cwd / "notes.csv").write_text("x", encoding="utf-8")
    (cwd / "sub").mkdir()
    monkeypatch.chdir(cwd)
    app = open_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press(key)
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, screen_type)
        complete = screen.query_one(PathComplete)
        path_input = screen.query_one("#share-path", Input)
        path_input.focus()
        await pilot.pause()
        path_input.value = ""
        await pilot.pause()
        await pilot.press("n")  # typed into the folder: the list is built from it
        await pilot.pause()
        assert app.screen is screen
        got = _offered(complete, "")
        assert got[0] == "sub/"  # (folders first)
        assert sorted(got) == ["loop.toml", "loop2.toml", "notes.csv", "sub/"]
        assert sorted(_offered(complete, f"{cwd}/")) == sorted(got)  # a folder typed whole, the same


async def test_a_folder_that_cannot_be_listed_offers_nothing(open_app: OpenApp, tmp_path: Path) -> None:
    _loop(tmp_path, "a.d", "b.d")
    app = open_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("i")
        complete = app.screen.query_one(PathComplete)
        assert _offered(complete, f"{tmp_path}/a.d/") == []  # the folder itself loops
        assert _offered(complete, f"{tmp_path}/nowhere/x") == []
        (tmp_path / "f.toml").write_text("x", encoding="utf-8")
        assert _offered(complete, f"{tmp_path}/f.toml/") == []  # not a folder


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any folder")
async def test_an_entry_it_may_not_look_into_is_listed(open_app: OpenApp, tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    (locked / "inner").mkdir(parents=True)
    (tmp_path / "free.apkg").write_text("x", encoding="utf-8")
    (tmp_path / "in.toml").symlink_to(locked / "inner" / "deck.toml")  # its stat fails: EACCES
    locked.chmod(0o000)
    try:
        app = open_app()
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.press("i")
            complete = app.screen.query_one(PathComplete)
            assert sorted(_offered(complete, f"{tmp_path}/")) == ["free.apkg", "in.toml", "locked/"]
            assert _offered(complete, f"{locked}/") == []
    finally:
        locked.chmod(0o755)


class _Unreadable:
    """A DirEntry whose kind cannot be read (a link into a dead mount: ENOTCONN); root can't make
    an EACCES one for real."""

    def __init__(self, name: str) -> None:
        self.name = name

    def is_dir(self) -> bool:
        raise OSError(107, "Transport endpoint is not connected", self.name)


def test_an_entry_whose_kind_cannot_be_read_is_a_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from retain.ui.widgets import path_complete

    (tmp_path / "real").mkdir()
    real = list(os.scandir(tmp_path))

    class Listing:
        def __enter__(self) -> list[object]:
            return [*real, _Unreadable("mnt.toml"), _Unreadable(".hidden")]

        def __exit__(self, *exc: object) -> None:
            return None

    monkeypatch.setattr(os, "scandir", lambda folder: Listing())
    assert path_complete._listing(str(tmp_path), dotfiles=False) == ["real/", "mnt.toml"]
    assert path_complete._listing(str(tmp_path), dotfiles=True) == ["real/", ".hidden", "mnt.toml"]
