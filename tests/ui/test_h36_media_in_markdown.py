"""A picture inside Markdown (a table cell, bold, italics, a list item, a revealed cloze) never
breaks the Markdown around it on the study screen: the construct is drawn whole, the picture
shown in it as `🖼 image` and drawn right after its block (half-block images here)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from rich.console import Console
from textual.pilot import Pilot

from retain.ui.app import RetainApp
from retain.ui.text import card_markdown

from .conftest import OpenApp
from .screen import screen_text

FLAG = "![image](geo.media/flag.png)"
TABLE = f"| {FLAG} | Spain |\\n| --- | --- |\\n| capital | Madrid |"


@pytest.fixture(autouse=True)
def halfcell(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RETAIN_IMAGES", "halfcell")


def write_geo(decks: Path, card: str) -> None:
    (decks / "geo.media").mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (40, 30), (200, 10, 10)).save(decks / "geo.media" / "flag.png")
    deck = f'format = 1\n\n[deck]\nid = "geo"\nname = "Geo"\n\n[[cards]]\nid = "c"\n{card}\n'
    (decks / "geo.toml").write_text(deck, encoding="utf-8")


def rows(app: RetainApp) -> list[str]:
    return [r.strip() for r in screen_text(app).splitlines()]


async def revealed(pilot: Pilot[None], app: RetainApp) -> list[str]:
    """The rows of the card's back, once its picture is drawn."""
    await pilot.pause()
    await pilot.press("space")
    end = time.monotonic() + 10
    while "▀" not in screen_text(app) and time.monotonic() < end:
        await pilot.pause(0.02)
    await pilot.pause()
    return rows(app)


def first(lines: list[str], needle: str) -> int:
    return next(i for i, r in enumerate(lines) if needle in r)


def image_rows(lines: list[str]) -> list[int]:
    return [i for i, r in enumerate(lines) if r.startswith("▀")]


CASES = {
    # an Anki note whose back is a table with the flag in a cell
    "table": (f'front = "Which country?"\nback = "{TABLE}"', "Madrid", ["| --- |", "| Spain |", "|"]),
    # an image cloze, revealed: the answer's `**` stays bold, never raw
    "cloze": (f'kind = "cloze"\ntext = "Flag of Spain: {{{{c1::{FLAG}}}}}"', "Flag of Spain:", ["**"]),
    # `<b>a <img> b</b>`
    "bold": (f'front = "Q"\nback = "**a {FLAG} b**"', "a 🖼 image b", ["**"]),
    # `<i>it <img></i> after`: "after" is no bullet
    "italics": (f'front = "Q"\nback = "*it {FLAG}* after"', "it 🖼 image after", ["*it", "• after"]),
    # a list item that starts with a picture keeps its bullet
    "list": (f'front = "Q"\nback = "- {FLAG} Spain\\n- France"', "• 🖼 image Spain", []),
    # the extra text is read the same way
    "extra": (f'front = "Q"\nback = "A"\nextra = "see **{FLAG} flag**"', "see 🖼 image flag", ["**"]),
}


@pytest.mark.parametrize("case", list(CASES))
async def test_the_markdown_around_a_picture_is_drawn_whole(
    case: str, retain_home: Path, open_app: OpenApp
) -> None:
    card, shown, never = CASES[case]
    write_geo(retain_home / "decks", card)
    app = open_app(["geo"], start_in_review=True)
    async with app.run_test(size=(100, 40)) as pilot:
        lines = await revealed(pilot, app)
        text = "\n".join(lines)
        for raw in never:
            assert not any(r.startswith(raw) or f" {raw}" in r for r in lines), (raw, text)
        drawn = image_rows(lines)
        assert drawn and first(lines, shown) < min(drawn), text  # drawn after its block


async def test_a_table_on_the_front_stays_a_table_and_the_back_comes_below(
    retain_home: Path, open_app: OpenApp
) -> None:
    write_geo(retain_home / "decks", f'front = "Which country?\\n\\n{TABLE}\\n\\nName it."\nback = "Spain"')
    app = open_app(["geo"], start_in_review=True)
    async with app.run_test(size=(100, 40)) as pilot:
        lines = await revealed(pilot, app)
        text = "\n".join(lines)
        assert "| --- |" not in text and "| capital" not in text, text
        drawn = image_rows(lines)
        assert first(lines, "Madrid") < min(drawn) < max(drawn) < first(lines, "Name it."), text
        assert lines.index("Spain") > first(lines, "Name it."), text  # the answer, below the front


def test_the_previews_show_the_table_with_the_picture_named_in_its_cell() -> None:
    """The browser's and the editor's previews draw no pictures: the Markdown is whole, the picture
    named in place (`card_markdown`, as the study screen's pieces are)."""
    console = Console(width=60, record=True, color_system=None)
    console.print(card_markdown(TABLE.replace("\\n", "\n")))
    out = console.export_text()
    assert "🖼 image" in out and "Madrid" in out and "|" not in out and "---" not in out


async def _revealed_and_drawn(pilot: Pilot[None]) -> None:
    await revealed(pilot, pilot.app)  # type: ignore[arg-type]


def test_snapshot_a_table_with_a_flag_revealed(
    retain_home: Path, open_app: OpenApp, snap_compare: Any
) -> None:
    """The table whole (the flag named in its cell), the flag drawn below it, then the answer's end."""
    write_geo(retain_home / "decks", f'front = "Which country?"\nback = "{TABLE}\\n\\nIts capital."')
    app = open_app(["geo"], start_in_review=True)
    assert snap_compare(app, terminal_size=(80, 24), run_before=_revealed_and_drawn)
