"""h37 attack on the export dialog (`x`): a name it cannot write was asked "Replace?" first.

An existing `notes.json` got "notes.json already exists. Replace?", and only once the user had
agreed was the export refused (`unknown export type .json`); the CLI refuses such a name at once,
before an existing file is looked at. So is a progress sidecar that is a folder."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Button, Checkbox, Input, Select, Static

from retain.interop.exporter import EXPORT_SUFFIXES
from retain.ui.screens.confirm import ConfirmScreen
from retain.ui.screens.share_export import ExportScreen

from .conftest import OpenApp


async def _export(open_app: OpenApp, out: str, *, progress: bool = False) -> tuple[bool, str]:
    """Export kafka to `out` (the progress box ticked or not): (asked to replace?, status shown)."""
    app = open_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("x")
        screen = app.screen
        assert isinstance(screen, ExportScreen)
        screen.query_one(Select).value = "kafka"
        await pilot.pause()
        screen.query_one("#share-progress-flag", Checkbox).value = progress
        screen.query_one("#share-path", Input).value = out
        screen.query_one("#share-apply", Button).press()
        await pilot.pause(0.3)
        return isinstance(app.screen, ConfirmScreen), str(screen.query_one("#share-diff", Static).render())


@pytest.mark.parametrize("name", ["notes.json", "notes.JSON", "notes.apkg.bak"])
async def test_an_unknown_type_is_refused_before_replace_is_asked(
    open_app: OpenApp, tmp_path: Path, name: str
) -> None:
    out = tmp_path / name
    out.write_text('{"mine": 1}\n', encoding="utf-8")
    asked, shown = await _export(open_app, str(out))
    assert not asked
    suffix = out.suffix
    stem = str(out).removesuffix(suffix)
    assert shown == (  # the CLI's words
        f"unknown export type {suffix}; use one of {', '.join(EXPORT_SUFFIXES)} "
        f"(like {stem}.apkg), or write {out}/ for a folder of .toml files"
    ), shown
    assert out.read_text("utf-8") == '{"mine": 1}\n'


async def test_an_unknown_type_not_there_is_refused_too(open_app: OpenApp, tmp_path: Path) -> None:
    asked, shown = await _export(open_app, str(tmp_path / "notes.json"), progress=True)
    assert not asked and shown.startswith("unknown export type .json"), shown
    assert not (tmp_path / "notes.json").exists()


async def test_a_progress_sidecar_that_is_a_folder_is_refused_before_replace(
    open_app: OpenApp, tmp_path: Path
) -> None:
    (tmp_path / "kafka.toml").write_text("mine", encoding="utf-8")
    (tmp_path / "kafka.progress.toml").mkdir()
    asked, shown = await _export(open_app, str(tmp_path / "kafka.toml"), progress=True)
    assert not asked
    assert shown.startswith(f"{tmp_path / 'kafka.progress.toml'} is a folder, not a file"), shown
    assert (tmp_path / "kafka.toml").read_text("utf-8") == "mine"


def test_the_cli_words() -> None:
    from retain.interop.exporter import unknown_type_refused

    assert unknown_type_refused("notes.apkg") == ""
    assert unknown_type_refused("notes.json") == (
        f"unknown export type .json; use one of {', '.join(EXPORT_SUFFIXES)} "
        "(like notes.apkg), or write notes.json/ for a folder of .toml files"
    )
