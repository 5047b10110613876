"""The keys as the README and docs/ describe them, checked against the app (h7: a new user's first hour)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from textual.binding import Binding
from textual.screen import Screen

from retain.store.config import parse_config
from retain.ui.app import binding_sections
from retain.ui.keymap_check import keymap_conflicts
from retain.ui.screens.help import help_content
from retain.ui.widgets.key_bar import KeyBar

from .conftest import OpenApp

ROOT = Path(__file__).resolve().parents[2]


def _bar(app: object) -> str:
    return str(app.screen.query_one(KeyBar).render())  # type: ignore[attr-defined]


def _readme_keymap() -> dict[str, str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```toml\n(.*?)```", text, re.S)
    assert block is not None
    return dict(parse_config(block.group(1)).keymap)


async def _study_bar(retain_home: Path, open_app: OpenApp, keymap: str, width: int) -> str:
    (retain_home / "config.toml").write_text(f"[study]\nfuzz = false\n\n[keymap]\n{keymap}", encoding="utf-8")
    app = open_app(["kafka"], start_in_review=True)
    async with app.run_test(size=(width, 24)) as pilot:
        await pilot.pause()
        return _bar(app)


async def test_the_readme_keymap_example_keeps_show_answer_first_in_the_key_bar(
    retain_home: Path, open_app: OpenApp
) -> None:
    """With the README's `"review.reveal" = "space,enter,r"`, Show answer went to the end of the
    study screen's key bar (after Esc End), and on a 62-column terminal it was dropped from it."""
    example = _readme_keymap()
    assert example == {"review.reveal": "space,enter,r"}
    keymap = "".join(f'"{k}" = "{v}"\n' for k, v in example.items())
    bar = await _study_bar(retain_home, open_app, keymap, 62)
    assert bar.lstrip().startswith("space Show answer"), bar


async def test_remapping_a_binding_to_its_own_keys_leaves_every_key_bar_as_it_was(
    retain_home: Path, open_app: OpenApp
) -> None:
    """The class of it: a `[keymap]` entry moves no key in the bar, on the deck list and in a
    session, whichever shown binding it names (Textual re-adds a remapped key last)."""
    from retain.ui.screens.home import HomeScreen
    from retain.ui.screens.study import StudyScreen

    def shown(cls: type[Screen[Any]]) -> list[Binding]:
        return [b for b in cls.BINDINGS if isinstance(b, Binding) and b.id and b.show]

    screens: list[tuple[type[Screen[Any]], list[str] | None]] = [
        (HomeScreen, None),
        (StudyScreen, ["kafka"]),
    ]
    for cls, review in screens:
        plain = None
        for binding in [None, *shown(cls)]:
            keymap = "" if binding is None else f'"{binding.id}" = "{binding.key}"\n'
            (retain_home / "config.toml").write_text(
                f"[study]\nfuzz = false\n\n[keymap]\n{keymap}", encoding="utf-8"
            )
            app = open_app(review, start_in_review=review is not None)
            async with app.run_test(size=(140, 24)) as pilot:
                await pilot.pause()
                bar = _bar(app)
            if plain is None:
                plain = bar
            assert bar == plain, f"{cls.__name__}, {binding and binding.id}: {bar!r} != {plain!r}"


def _browse_rows() -> list[str]:
    sections = [(t, b) for t, b in binding_sections() if t == "Browse"]
    return help_content(sections, {}).plain.splitlines()


def test_help_lists_enter_for_the_browsers_edit() -> None:
    """docs/authoring.md: "`e`, Enter | edit the card"; Enter on the results table edits, but the
    help screen listed `e` only, and `[keymap]` did not know Enter was taken there."""
    row = next(line for line in _browse_rows() if line.rstrip().endswith("browser.edit"))
    assert "⏎" in row.split("Edit")[0], row
    conflicts = [c.message() for c in keymap_conflicts(binding_sections(), {"browser.sort": "enter"})]
    assert any("browser.edit" in c and "browser.sort" in c for c in conflicts), conflicts


async def test_enter_on_the_results_table_edits_the_card(open_app: OpenApp) -> None:
    from retain.ui.screens.editor import EditorScreen

    app = open_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("b")
        await pilot.pause()
        await pilot.press("down")  # from the search box to the table
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, EditorScreen), app.screen
