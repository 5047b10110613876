"""Settings on a narrow terminal: a field's hint cut in its column (`0-23, l…`, `comma-s…`) was whole
only in a mouse tooltip; the focused field's whole hint is shown in a line, for the keyboard."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Input, Static

from retain.ui.settings_fields import GLOBAL_FIELDS, PRESET_FIELDS, Field
from retain.ui.widgets.group_limits import GroupLimits

from .conftest import OpenApp
from .screen import screen_text
from .test_settings import open_settings, settle, tab

HINTED = [f for f in GLOBAL_FIELDS if f.hint] + [f for f in PRESET_FIELDS if f.hint]


def _where(field: Field) -> tuple[str, str]:
    """(the tab, the field's selector) of a field of the General or Presets tab."""
    if field in GLOBAL_FIELDS:
        return "tab-general", f"#general-grid #field-{field.key}"
    return "tab-presets", f"#preset-grid #field-{field.key}"


@pytest.mark.parametrize("width", [60, 80, 120])
@pytest.mark.parametrize("field", HINTED, ids=[f.key for f in HINTED])
async def test_the_focused_fields_whole_hint_is_on_the_screen_once(
    retain_home: Path, open_app: OpenApp, field: Field, width: int
) -> None:
    app = open_app()
    async with app.run_test(size=(width, 30)) as pilot:
        screen = await open_settings(pilot)
        pane, selector = _where(field)
        await tab(pilot, screen, pane)
        screen.query_one(selector).focus()
        await settle(pilot)
        text = screen_text(app)
        row = next(r for r in text.splitlines() if r.lstrip().startswith(field.label))
        in_column = row.rstrip().endswith(f" {field.hint}")
        in_line = f"{field.label}: {field.hint}" in " ".join(text.split())
        assert in_column or in_line, (field.hint, text)  # whole somewhere
        assert not (in_column and in_line), text  # and not twice


async def test_the_hint_line_follows_the_focus_and_a_resize(retain_home: Path, open_app: OpenApp) -> None:
    app = open_app()
    async with app.run_test(size=(60, 24)) as pilot:
        screen = await open_settings(pilot)
        hint = screen.query_one("#settings-hint", Static)

        def shown() -> bool:
            return bool(hint.display)

        folders = next(f for f in GLOBAL_FIELDS if f.key == "deck_folders")
        screen.query_one("#general-grid #field-deck_folders", Input).focus()
        await settle(pilot)
        assert shown() and f"{folders.label}: {folders.hint}" in screen_text(app)
        screen.query_one("#general-grid #field-theme").focus()  # no hint of its own
        await settle(pilot)
        assert not shown()
        screen.query_one("#general-grid #field-deck_folders", Input).focus()
        await settle(pilot)
        assert shown()
        await pilot.resize_terminal(140, 24)  # the column holds it whole now: no second copy
        await settle(pilot)
        assert not shown()
        assert screen_text(app).count(folders.hint) == 1  # in its column


async def test_a_group_limit_field_says_its_range_for_the_keyboard(
    retain_home: Path, open_app: OpenApp
) -> None:
    """A group's limit fields said "0-9999; empty: no limit" only in their tooltip."""
    app = open_app()
    async with app.run_test(size=(60, 30)) as pilot:
        screen = await open_settings(pilot)
        await tab(pilot, screen, "tab-decks")
        field = screen.query_one(GroupLimits).query(Input).first()
        field.focus()
        await settle(pilot)
        words = " ".join(screen_text(app).split())
        assert "for group Distributed Systems Interview: 0-9999; empty: no limit" in words, words


@pytest.mark.parametrize("width", [60, 80])
async def test_the_tab_bar_names_both_tab_keys(retain_home: Path, open_app: OpenApp, width: int) -> None:
    """At 60 columns the tab bar's "ctrl+n next tab, ctrl+b back" was cut after "next tab,"."""
    app = open_app()
    async with app.run_test(size=(width, 24)) as pilot:
        await open_settings(pilot)
        bar = screen_text(app).splitlines()[1]
        assert "ctrl+n" in bar and "ctrl+b" in bar, bar
