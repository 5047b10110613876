"""The import dialog's path completion in a folder of thousands of entries (a Downloads folder):
the list was rebuilt and fuzzy-matched over every name on every key, and typing fell seconds
behind. Such a folder offers the names that start with what is typed, at most `MANY`, from a
list built once; a small folder keeps the fuzzy match."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Input
from textual_autocomplete import TargetState

from retain.ui.screens.share_import import ImportScreen
from retain.ui.widgets.path_complete import MANY, PathComplete

from .conftest import OpenApp


async def test_a_big_folder_offers_prefix_matches_only(open_app: OpenApp, tmp_path: Path) -> None:
    folder = tmp_path / "Downloads"
    folder.mkdir()
    for i in range(MANY * 3):
        (folder / f"anki-backup-{i:05d}").mkdir()
    (folder / "anki-spanish.apkg").write_text("x", encoding="utf-8")
    (folder / "Spanish-verbs.apkg").write_text("x", encoding="utf-8")
    app = open_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("i")
        screen = app.screen
        assert isinstance(screen, ImportScreen)
        complete = screen.query_one(PathComplete)
        screen.query_one(Input).focus()

        def offered(typed: str) -> list[str]:
            text = f"{folder}/{typed}"
            return [item.main.plain for item in complete.get_candidates(TargetState(text, len(text)))]

        assert len(offered("")) == MANY  # (the first MANY, not 602)
        assert offered("anki-s") == ["anki-spanish.apkg"]
        assert offered("ANKI-S") == ["anki-spanish.apkg"]  # (any case)
        assert offered("spa") == ["Spanish-verbs.apkg"]  # a prefix, not anywhere in the name
        listed = complete._offered[(f"{folder}/", False)]
        assert len(listed) == MANY * 3 + 2  # built once for the folder
        offered("anki-b")
        assert complete._offered[(f"{folder}/", False)] is listed


async def test_a_small_folder_keeps_every_name(open_app: OpenApp, tmp_path: Path) -> None:
    folder = tmp_path / "few"
    folder.mkdir()
    for name in ("anki-spanish.apkg", "Spanish-verbs.apkg", "notes.txt"):
        (folder / name).write_text("x", encoding="utf-8")
    app = open_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("i")
        complete = app.screen.query_one(PathComplete)
        text = f"{folder}/spa"
        got = sorted(item.main.plain for item in complete.get_candidates(TargetState(text, len(text))))
        assert got == ["Spanish-verbs.apkg", "anki-spanish.apkg", "notes.txt"]  # (matched later, fuzzily)
