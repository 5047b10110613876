"""A small terminal (60x15, and 40x12 at the least): what must stay readable and reachable by keyboard."""

from __future__ import annotations

import re
from pathlib import Path

from textual.binding import Binding
from textual.widgets import Input

from retain.ui.app import binding_sections
from retain.ui.screens.help import HelpScreen

from .conftest import OpenApp
from .screen import screen_text, until


async def test_many_warnings_leave_the_deck_list_visible_at_60x15(
    retain_home: Path, open_app: OpenApp
) -> None:
    """Nine decks each with a skipped card: at 60x15 the warnings took every row, the title and the
    deck list were pushed off the screen."""
    for i in range(9):
        (retain_home / "decks" / f"skip{i}.toml").write_text(
            f'format = 1\n[deck]\nid = "skip{i}"\nname = "Skip {i}"\n[[cards]]\nid = 3\n', "utf-8"
        )
        (retain_home / "decks" / f"broken{i}.toml").write_text("format = [\n", "utf-8")
    app = open_app()
    async with app.run_test(size=(60, 15)) as pilot:
        await pilot.pause()
        text = screen_text(app)
        assert "card skipped" in text
        assert text.splitlines()[0].lstrip().startswith("retain"), text
        assert "Distributed Systems Interview" in text and "Apache Kafka" in text, text
        assert "Broken decks (9)" in text, text


async def test_help_keeps_every_binding_id_whole_at_60_columns(open_app: OpenApp) -> None:
    """At 60 columns the help wrapped binding ids mid-word (`export.cance` / `l`): the id to put in
    `[keymap]` could not be read."""
    every_id = {
        b.id for _title, items in binding_sections() for b in items if isinstance(b, Binding) and b.id
    }
    app = open_app()
    async with app.run_test(size=(60, 400)) as pilot:
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        text = screen_text(app)
        shown = set(re.findall(r"(?<![\w.])[a-z_]+\.[a-z_]+(?![\w.])", text))
        assert every_id <= shown, sorted(every_id - shown)
        await pilot.resize_terminal(120, 400)  # wide again: one line per row, as before
        await pilot.pause()
        assert re.search(r"Custom study\s+home\.custom_study", screen_text(app))


def _flat(app: object) -> str:
    """The screen's text with runs of spaces and the box edges squeezed, so wrapped words still read."""
    text = screen_text(app)  # type: ignore[arg-type]
    return " ".join(text.replace("│", " ").replace("▊", " ").replace("▎", " ").split())


async def test_custom_study_prompt_and_error_show_at_40x12(open_app: OpenApp) -> None:
    """At 40x12 the "how many days?" prompt, its input and its error were drawn below the dialog's
    edge: the learner typed blind."""
    app = open_app()
    async with app.run_test(size=(40, 12)) as pilot:
        await pilot.press("C", "a")
        await pilot.pause()
        assert "how many days" in _flat(app), screen_text(app)
        await pilot.press("backspace", "x", "enter")
        await pilot.pause()
        assert "a number of days from 1 to" in _flat(app), screen_text(app)


async def test_new_deck_error_and_buttons_show_at_60x20(open_app: OpenApp) -> None:
    """At 60x20 a refused Create only rang the bell: the reason and the buttons were cut off."""
    app = open_app()
    async with app.run_test(size=(60, 20)) as pilot:
        await pilot.press("n", "B", "A", "D", "tab", "backspace", "backspace", "backspace", "X", "ctrl+s")
        await pilot.pause()
        assert "The id may use lowercase letters" in _flat(app), screen_text(app)
        await pilot.press("tab", "tab", "tab")
        assert await until(pilot, lambda: "Create (ctrl+s)" in _flat(app)), screen_text(app)


async def test_export_path_error_and_buttons_show_at_40x12(open_app: OpenApp, tmp_path: Path) -> None:
    """At 40x12 the export dialog showed only its deck list: the path, the refusal and Export were
    out of sight, and Tab moved the focus to widgets no one could see."""
    app = open_app()
    async with app.run_test(size=(40, 12)) as pilot:
        await pilot.press("x")
        await pilot.pause()
        path = app.screen.query_one("#share-path", Input)
        path.value = str(tmp_path / "noext")
        path.focus()  # scrolled into view by an animation: wait for it, not for one pause
        assert await until(pilot, lambda: "noext" in _flat(app)), screen_text(app)
        await pilot.press("enter")
        assert await until(pilot, lambda: "has no extension" in _flat(app)), screen_text(app)
        await pilot.press("tab", "tab")  # the checkbox, then Export
        await pilot.pause()
        assert app.focused is not None and app.focused.id == "share-apply"
        assert await until(pilot, lambda: " Export Cancel" in _flat(app)), screen_text(app)


async def test_import_error_shows_at_40x12(open_app: OpenApp, tmp_path: Path) -> None:
    """The import dialog's refusal was drawn below its edge at 40x12."""
    app = open_app()
    async with app.run_test(size=(40, 12)) as pilot:
        await pilot.press("i")
        await pilot.pause()
        path = app.screen.query_one("#share-path", Input)
        path.value = str(tmp_path / "missing.apkg")
        await pilot.press("enter")
        await pilot.pause()
        assert "no such file" in _flat(app), screen_text(app)


async def test_editor_shows_the_deck_at_40_columns(open_app: OpenApp) -> None:
    """At 40 columns the kind took the whole row and the deck chooser was squeezed to nothing: the
    card's deck could be neither seen nor checked."""
    app = open_app()
    async with app.run_test(size=(40, 12)) as pilot:
        await pilot.press("c")
        await pilot.pause()
        assert "Apache Kafka" in _flat(app), screen_text(app)
