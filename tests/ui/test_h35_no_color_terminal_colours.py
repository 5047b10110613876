"""Under NO_COLOR every text is 4.5:1 on its background in the colours the terminal shows.

Textual writes 24-bit colour only when COLORTERM says so; on TERM=xterm-256color (tmux,
screen) each colour goes out as the nearest of the 256, on TERM=xterm as one of the 16, whose
greys each terminal draws from its own palette. The greys were picked 4.5:1 apart in 24 bits,
and the terminal showed the rating buttons grey 68 on grey 168 (4.10:1), the home screen's
counts at 4.36:1, and on TERM=xterm dark grey on light grey (3.18:1 in xterm's palette).

What a terminal shows is worked out here on its own: Rich's `downgrade` (what Textual sends),
then the 256 colours' standard values, or for the 16 colours the default palettes of xterm,
the VGA/Linux console, GNOME (Tango) and Windows Terminal.
"""

from __future__ import annotations

from typing import Any

import pytest
from rich.color import Color as RichColor
from rich.color import ColorSystem, ColorType
from rich.segment import Segment
from rich.style import Style
from textual.app import App
from textual.color import Color
from textual.pilot import Pilot

from retain.ui.app import RetainApp
from retain.ui.monochrome import ReadableMonochrome, readable_style

from .conftest import OpenApp

MIN = 4.5
SYSTEMS = {
    "truecolor": ColorSystem.TRUECOLOR,
    "256": ColorSystem.EIGHT_BIT,
    "standard": ColorSystem.STANDARD,
    "windows": ColorSystem.WINDOWS,
}
# The 16 colours' greys (black, white, bright black, bright white) in four terminals' defaults.
ANSI_GREYS = {
    0: [(0, 0, 0), (0, 0, 0), (0x2E, 0x34, 0x36), (12, 12, 12)],
    7: [(229, 229, 229), (170, 170, 170), (0xD3, 0xD7, 0xCF), (204, 204, 204)],
    8: [(127, 127, 127), (85, 85, 85), (0x55, 0x57, 0x53), (118, 118, 118)],
    15: [(255, 255, 255), (255, 255, 255), (0xEE, 0xEE, 0xEC), (242, 242, 242)],
}
BORDERS = set("▔▁▂▃▄▅▆▇█▊▌▎▏━─│╭╮╰╯┃")  # edges drawn in the background's colour on purpose


def xterm_256(n: int) -> tuple[int, int, int]:
    if n >= 232:
        return (8 + 10 * (n - 232),) * 3
    levels = (0, 95, 135, 175, 215, 255)
    n -= 16
    return levels[n // 36], levels[n // 6 % 6], levels[n % 6]


def shown(color: RichColor, system: str) -> list[tuple[int, int, int]]:
    """The colour a terminal shows for `color` sent in `system`: one, or one per known palette."""
    sent = color.downgrade(SYSTEMS[system])
    if sent.type == ColorType.TRUECOLOR:
        assert sent.triplet is not None
        return [tuple(sent.triplet)]  # type: ignore[list-item]
    assert sent.number is not None
    if sent.number >= 16:
        return [xterm_256(sent.number)]
    assert sent.number in ANSI_GREYS, f"colour {sent.number} of the 16 is not a grey"
    return ANSI_GREYS[sent.number]


def luminance(rgb: tuple[int, int, int]) -> float:
    def linear(v: int) -> float:
        x = v / 255
        return x / 12.92 if x <= 0.03928 else ((x + 0.055) / 1.055) ** 2.4

    r, g, b = rgb
    return 0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b)


def worst_contrast(fg: RichColor, bg: RichColor, system: str) -> float:
    """The contrast of `fg` on `bg` as the terminal shows them, in the palette where it is least."""
    fgs, bgs = shown(fg, system), shown(bg, system)
    n = max(len(fgs), len(bgs))  # a colour the same in every palette is listed once
    ratios = []
    for f, b in zip(fgs * n if len(fgs) == 1 else fgs, bgs * n if len(bgs) == 1 else bgs, strict=True):
        hi, lo = sorted((luminance(f), luminance(b)), reverse=True)
        ratios.append((hi + 0.05) / (lo + 0.05))
    return min(ratios)


@pytest.mark.parametrize("system", list(SYSTEMS))
def test_every_grey_on_every_grey_is_readable_as_the_terminal_shows_it(system: str) -> None:
    """Every style the app can have: under NO_COLOR each colour is first turned into the grey
    of its lightness, so a grey on a grey stands for every pair of colours (dim ones too)."""
    pairs = [(fg, bg, False) for fg in range(256) for bg in range(0, 256, 3)]
    pairs += [(fg, bg, True) for fg in range(0, 256, 5) for bg in range(0, 256, 5)]
    segments = [
        Segment("x", Style(color=f"rgb({fg},{fg},{fg})", bgcolor=f"rgb({bg},{bg},{bg})", dim=dim))
        for fg, bg, dim in pairs
    ]
    faint = []
    for (fg, bg, dim), out in zip(
        pairs, ReadableMonochrome(system).apply(segments, Color(0, 0, 0)), strict=True
    ):
        style = out.style
        assert style is not None and style.color is not None and style.bgcolor is not None
        ratio = worst_contrast(style.color, style.bgcolor, system)
        if ratio < MIN or style.dim:  # a terminal dims a dim text further
            faint.append(f"{fg} on {bg}{' dim' if dim else ''}: {ratio:.2f}{' dim' if style.dim else ''}")
    assert faint == []


def test_readable_style_defaults_to_24_bits() -> None:
    style = readable_style(Style.parse("rgb(68,68,68) on rgb(168,168,168)"))
    assert style.color is not None and style.bgcolor is not None
    assert worst_contrast(style.color, style.bgcolor, "truecolor") >= MIN


def faint_text(app: App[Any], system: str) -> list[str]:
    """Each piece of text on the screen under 4.5:1 on its background as the terminal shows them."""
    found = []
    for y, strip in enumerate(app.screen._compositor.render_strips()):
        for seg in strip:
            text, style = seg.text.strip(), seg.style
            if not text or set(text) <= BORDERS or style is None:
                continue
            if style.color is None or style.bgcolor is None:
                found.append(f"row {y}: {text[:30]!r} in the terminal's own colours ({style})")
                continue
            ratio = worst_contrast(style.color, style.bgcolor, system)
            if ratio < MIN:
                found.append(f"row {y}: {text[:30]!r} {ratio:.2f} ({style})")
    return found


TERMINALS = {  # the environment, and the colour system Textual picks for it
    "truecolor": ({"TERM": "xterm-256color", "COLORTERM": "truecolor", "NO_COLOR": "1"}, "truecolor"),
    "256": ({"TERM": "xterm-256color", "NO_COLOR": "1"}, "256"),
    "tmux": ({"TERM": "tmux-256color", "NO_COLOR": "1"}, "256"),
    "16": ({"TERM": "xterm", "NO_COLOR": "1"}, "standard"),
    "mono": ({"TERM": "xterm-mono"}, "standard"),
}
# Keys from the home screen, and the screen each shows.
WALK = [
    ([], "HomeScreen"),
    (["s"], "StudyScreen"),  # a typed card first: its answer box
    (["enter"], "StudyScreen"),  # the answer and the rating buttons
    (["3", "escape"], "SummaryScreen"),
    (["escape", "b"], "BrowserScreen"),
    (["tab", "e"], "EditorScreen"),
    (["escape", "escape", "t"], "StatsScreen"),
    (["escape", "comma"], "SettingsScreen"),
    (["escape", "question_mark"], "HelpScreen"),
]


async def walk(
    app: RetainApp, pilot: Pilot[None], system: str, steps: list[tuple[list[str], str]]
) -> list[str]:
    """Each screen of `steps` in turn; the texts on them too faint as the terminal shows them."""
    assert app.console.color_system == system and app.no_color
    faint: list[str] = []
    for keys, screen in steps:
        for key in keys:
            await pilot.press(key)
            await pilot.pause(0.1)
        await pilot.pause(0.3)
        assert type(app.screen).__name__ == screen
        faint += [f"{screen}: {line}" for line in faint_text(app, system)]
    return faint


def set_terminal(monkeypatch: pytest.MonkeyPatch, terminal: str) -> str:
    env, system = TERMINALS[terminal]
    monkeypatch.delenv("COLORTERM", raising=False)
    monkeypatch.delenv("NO_COLOR", raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return system


async def test_the_rating_buttons_on_a_256_colour_terminal(
    open_app: OpenApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The case found: tmux's TERM, no COLORTERM; the buttons were 4.10:1, the counts 4.36:1."""
    system = set_terminal(monkeypatch, "tmux")
    app = open_app()
    async with app.run_test(size=(80, 24)) as pilot:
        assert await walk(app, pilot, system, WALK[:3]) == []


@pytest.mark.slow
@pytest.mark.parametrize(
    ("terminal", "theme"),
    [
        ("truecolor", "textual-dark"),
        ("256", "textual-dark"),
        ("256", "textual-light"),
        ("16", "textual-dark"),
        ("16", "textual-light"),
        ("mono", "textual-dark"),
    ],
)
async def test_every_screen_is_readable_in_the_colours_the_terminal_shows(
    open_app: OpenApp, monkeypatch: pytest.MonkeyPatch, terminal: str, theme: str
) -> None:
    system = set_terminal(monkeypatch, terminal)
    app = open_app()
    async with app.run_test(size=(80, 24)) as pilot:
        app.theme = theme
        assert await walk(app, pilot, system, WALK) == []
