"""NO_COLOR and terminals without colours: every text on every screen stays readable in greys.

Textual's monochrome filter turns each colour into the grey of its luminance: the home
screen's blue New counts became dark grey on black (3.6:1) and the rating buttons' white
labels sat on light grey (1.6:1). The app's filter (ui/monochrome.py) keeps 4.5:1.
"""

from __future__ import annotations

from typing import Any

import pytest
from textual.app import App
from textual.color import Color

from retain.ui.monochrome import MIN_CONTRAST, ReadableMonochrome, contrast, mono_terminal, readable_style

from .conftest import OpenApp

BORDERS = set("▔▁▂▃▄▅▆▇█▊▌▎▏━─│╭╮╰╯┃")  # box and bar edges drawn in the background's colour on purpose


def faint_text(app: App[Any]) -> list[str]:
    """Each piece of text on the screen, as drawn, whose foreground is under 4.5:1 on its background."""
    found: list[str] = []
    for y, strip in enumerate(app.screen._compositor.render_strips()):
        for seg in strip:
            text, style = seg.text.strip(), seg.style
            if (
                not text
                or set(text) <= BORDERS
                or style is None
                or style.color is None
                or style.bgcolor is None
            ):
                continue
            ratio = contrast(Color.from_rich_color(style.color), Color.from_rich_color(style.bgcolor))
            if ratio < MIN_CONTRAST - 0.01:
                found.append(f"row {y}: {text[:30]!r} {ratio:.2f} ({style})")
    return found


SCREENS = {
    "home": [],
    "study": ["s"],
    "revealed": ["s", "space"],
    "summary": ["s", "space", "3", "escape"],
    "browser": ["b"],
    "stats": ["t"],
    "settings": ["comma"],
    "help": ["question_mark"],
}


@pytest.mark.parametrize("keys", SCREENS.values(), ids=list(SCREENS))
async def test_no_color_leaves_every_text_readable(
    open_app: OpenApp, monkeypatch: pytest.MonkeyPatch, keys: list[str]
) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    app = open_app()
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.pause()
        for key in keys:
            await pilot.press(key)
            await pilot.pause(0.2)
        await pilot.pause(0.3)
        assert app.no_color
        assert faint_text(app) == []


async def test_a_terminal_without_colours_is_drawn_as_no_color(
    open_app: OpenApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    """TERM=xterm-mono: the theme's colours were cut to 16 for a terminal that shows none."""
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm-mono")
    app = open_app()
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.press("s", "space")
        await pilot.pause(0.3)
        assert app.no_color
        assert faint_text(app) == []


def test_mono_terminal_names() -> None:
    assert mono_terminal({"TERM": "xterm-mono"}) and mono_terminal({"TERM": "vt100-m"})
    assert not mono_terminal({"TERM": "xterm-256color"}) and not mono_terminal({})


@pytest.mark.parametrize("fg", ["#0000ff", "#ffffff", "#202020", "#7f7f7f"])
@pytest.mark.parametrize("bg", ["#000000", "#272727", "#b0b0b0", "#ffffff", "#808080"])
def test_every_pair_of_colours_becomes_readable_greys(fg: str, bg: str) -> None:
    from rich.style import Style

    style = readable_style(Style.parse(f"{fg} on {bg}"))
    assert style.color is not None and style.bgcolor is not None
    got_fg, got_bg = Color.from_rich_color(style.color), Color.from_rich_color(style.bgcolor)
    assert got_fg.r == got_fg.g == got_fg.b and got_bg.r == got_bg.g == got_bg.b
    assert contrast(got_fg, got_bg) >= MIN_CONTRAST
    assert ReadableMonochrome().apply([], Color(0, 0, 0)) == []
