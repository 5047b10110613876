"""h37: the settings screen's save, driven with Pilot over a real RETAIN_HOME.

- A save said only "Settings saved ... and applied" when the saved file drew a warning at every
  start from outside the loader (a `deck_folders` entry that does not exist, a `[decks.ID]` naming
  no deck): it now says every warning a start would give about config.toml.
- `0x1E` typed into a number field was refused though the file takes it (TOML reads it as 30).
- A save could write a config.toml over the loader's 1 MiB limit, which retain then refused to
  start with: the check as you type, and ctrl+s, now refuse it.
"""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Input

from retain.store.config import load_config
from retain.store.config_edit import MAX_CONFIG_BYTES

from .conftest import OpenApp
from .test_settings import open_settings, settle, status, type_into

MINE = "# mine\n[study]\nfuzz = false\n"


def warnings_said(app: object) -> list[str]:
    return [n.message for n in app._notifications if n.title == "Saved, but"]  # type: ignore[attr-defined]


async def test_a_deck_folder_that_does_not_exist_is_said_on_save(
    retain_home: Path, open_app: OpenApp
) -> None:
    """The attacker's `~/deks` (a typo of ~/decks): its decks are silently absent at every start."""
    (retain_home / "config.toml").write_text(MINE)
    app = open_app()
    async with app.run_test(size=(120, 30)) as pilot:
        screen = await open_settings(pilot)
        await type_into(pilot, screen.query_one("#field-deck_folders", Input), "deks")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert not screen.edit.dirty  # saved
        said = warnings_said(app)
        assert len(said) == 1 and "`deck_folders` entry" in said[0] and "deks" in said[0]
        assert "does not exist; no decks are read from it" in said[0]
        shown = " ".join(status(screen).split())  # and on the status line, until the next edit
        assert "Saved, but:" in shown and "does not exist; no decks are read from it" in shown
        await type_into(pilot, screen.query_one("#field-learn_ahead_minutes", Input), "5")
        assert "Saved, but" not in status(screen)
    assert 'deck_folders = ["deks"]' in (retain_home / "config.toml").read_text()


async def test_a_table_naming_no_deck_is_said_on_save(retain_home: Path, open_app: OpenApp) -> None:
    """`unknown_decks`, which the start adds: `[decks.kafak]` (a typo) applies to nothing."""
    (retain_home / "config.toml").write_text(MINE + "\n[decks.kafak]\nnew_per_day = 3\n")
    app = open_app()
    async with app.run_test(size=(120, 30)) as pilot:
        screen = await open_settings(pilot)
        await type_into(pilot, screen.query_one("#field-learn_ahead_minutes", Input), "5")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert not screen.edit.dirty
        said = warnings_said(app)
        assert (
            len(said) == 1 and "[decks.kafak] names no deck in the library (did you mean 'kafka'?)" in said[0]
        )


async def test_a_clean_save_says_only_saved(retain_home: Path, open_app: OpenApp) -> None:
    (retain_home / "config.toml").write_text(MINE)
    app = open_app()
    async with app.run_test(size=(120, 30)) as pilot:
        screen = await open_settings(pilot)
        await type_into(pilot, screen.query_one("#field-learn_ahead_minutes", Input), "5")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert not screen.edit.dirty and warnings_said(app) == []
        assert "Saved, but" not in status(screen)


async def test_a_hex_number_is_taken_as_toml_reads_it(retain_home: Path, open_app: OpenApp) -> None:
    path = retain_home / "config.toml"
    path.write_text(MINE)
    app = open_app()
    async with app.run_test(size=(120, 30)) as pilot:
        screen = await open_settings(pilot)
        await type_into(pilot, screen.query_one("#field-learn_ahead_minutes", Input), "0x1E")
        assert "✗" not in status(screen) and screen._problem == ""
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert not screen.edit.dirty
    assert load_config(path).learn_ahead_minutes == 30


async def test_a_save_over_the_size_limit_is_refused_and_writes_nothing(
    retain_home: Path, open_app: OpenApp
) -> None:
    """The attacker's file, 3 bytes under the limit: `30` in Learn ahead takes it over."""
    path = retain_home / "config.toml"
    text = MINE + ("# " + "n" * 97 + "\n") * ((MAX_CONFIG_BYTES - len(MINE)) // 100)
    text += "#" * (MAX_CONFIG_BYTES - 4 - len(text)) + "\n"
    path.write_text(text)
    assert path.stat().st_size == MAX_CONFIG_BYTES - 3
    app = open_app()
    async with app.run_test(size=(120, 30)) as pilot:
        screen = await open_settings(pilot)
        await type_into(pilot, screen.query_one("#field-learn_ahead_minutes", Input), "30")
        assert "1 MiB" in screen._problem and "✗" in status(screen)  # said as you type
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert screen.edit.dirty and "1 MiB" in screen._problem  # kept on the screen, not saved
    assert path.read_text() == text
    load_config(path)  # retain still starts
