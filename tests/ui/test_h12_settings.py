"""The settings screen against a user's and an attacker's input, driven with Pilot over a real
RETAIN_HOME: a screenful of digits pasted in a number field, a config.toml written with inline tables
or dotted keys, values shown as the file holds them."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from textual import events
from textual.widgets import Input, Select

from retain.store.config import load_config
from retain.ui.screens.settings import SettingsScreen
from retain.ui.widgets.group_limits import GroupLimits

from .conftest import OpenApp
from .test_settings import loader_message, open_settings, settle, status, tab, type_into

CONFIG = "# mine\nrollover_hour = 4  # early\n\n[study]\nfuzz = false  # snapshots\n"
DIGITS = "9" * 5000  # more than int() reads (4300 digits): it raised ValueError


@pytest.mark.parametrize(
    "where", ["#general-grid #field-rollover_hour", "#preset-grid #field-desired_retention"]
)
async def test_a_screenful_of_digits_pasted_in_a_number_field_is_refused_in_one_line(
    retain_home: Path, open_app: OpenApp, where: str
) -> None:
    path = retain_home / "config.toml"
    path.write_text(CONFIG)
    app = open_app()
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_settings(pilot)
        if "preset" in where:
            await tab(pilot, screen, "tab-presets")
        field = screen.query_one(where, Input)
        field.focus()
        field.value = ""
        await pilot.pause()
        field.post_message(events.Paste(DIGITS))
        await settle(pilot)
        assert app.is_running and app.screen is screen  # the app did not close with a traceback
        said = status(screen)
        assert "must be" in said and "\n" not in said.strip() and len(said) < 200
        assert field.has_class("-invalid")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert path.read_text() == CONFIG  # refused: nothing written


async def test_a_screenful_of_digits_in_a_group_limit_is_refused_in_one_line(
    retain_home: Path, open_app: OpenApp
) -> None:
    path = retain_home / "config.toml"
    path.write_text(CONFIG)
    app = open_app()
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_settings(pilot)
        await tab(pilot, screen, "tab-decks")
        field = screen.query_one(GroupLimits).query_one("#group-new_per_day-0", Input)
        field.focus()
        await pilot.pause()
        field.post_message(events.Paste(DIGITS))
        await settle(pilot)
        assert app.is_running and app.screen is screen
        assert "must be an integer from 0 to 9999" in status(screen)


async def test_typed_integers_as_toml_writes_them_and_too_large_ones_as_typed(
    retain_home: Path, open_app: OpenApp
) -> None:
    """`1_000` is an integer in TOML (and to int()): it was read as the float 1000.0 and refused;
    a number beyond 64 bits was named back as a float (`got 9.223372036854776e+18`)."""
    path = retain_home / "config.toml"
    path.write_text(CONFIG)
    app = open_app()
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_settings(pilot)
        await tab(pilot, screen, "tab-presets")
        field = screen.query_one("#preset-grid #field-reviews_per_day", Input)
        await type_into(pilot, field, "1_000")
        assert not field.has_class("-invalid")
        assert tomllib.loads(screen.edit.text())["study"]["reviews_per_day"] == 1000
        await type_into(pilot, field, "9223372036854775808")
        assert "got '9223372036854775808'" in status(screen)


@pytest.mark.parametrize(
    "layout",
    [
        "rollover_hour = 4\ndecks = {}\nstudy = { fuzz = false }\n",  # inline: ValueError, a traceback
        # dotted keys: `[decks.kafka]` put after `decks.redis...` took `rollover_hour` into it
        "study.fuzz = false\ndecks.redis.new_per_day = 2\nrollover_hour = 4\n",
    ],
)
async def test_a_deck_override_is_saved_in_a_file_of_inline_tables_or_dotted_keys(
    retain_home: Path, open_app: OpenApp, layout: str
) -> None:
    path = retain_home / "config.toml"
    path.write_text(layout)
    app = open_app()
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_settings(pilot)
        await tab(pilot, screen, "tab-decks")
        screen.query_one("#deck-pick", Select).value = "kafka"
        await settle(pilot)
        await type_into(pilot, screen.query_one("#deck-grid #field-new_per_day", Input), "3")
        assert app.is_running and app.screen is screen
        assert "Unsaved" in status(screen), status(screen)
        await pilot.press("ctrl+s")
        await settle(pilot)
        config = load_config(path)  # what the next start reads
        assert config.deck_overrides["kafka"].new_per_day == 3 and config.rollover_hour == 4
        assert app.collection.settings_for("kafka").new_per_day == 3


async def test_a_value_is_shown_as_the_file_holds_it(retain_home: Path, open_app: OpenApp) -> None:
    """`{:g}` showed 0.9900001 as 0.99 beside the loader's "got 0.9900001", and 20.0 as 20."""
    text = "[study]\nfuzz = false\ndesired_retention = 0.9900001\n"
    path = retain_home / "config.toml"
    path.write_text("[study]\nfuzz = false\n")
    app = open_app()
    async with app.run_test(size=(100, 30)) as pilot:
        path.write_text(text)  # edited by hand after the start
        screen = await open_settings(pilot)
        await tab(pilot, screen, "tab-presets")
        assert screen.query_one("#preset-grid #field-desired_retention", Input).value == "0.9900001"
        assert loader_message(text) in status(screen)
        assert isinstance(screen, SettingsScreen)
