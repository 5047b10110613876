"""NO_COLOR and terminals without colours: every text on every screen stays readable in greys,
and nothing that colour told is lost (cursors, chart series, the progress bar).

Textual's monochrome filter turns each colour into the grey of its luminance: the home
screen's blue New counts became dark grey on black (3.6:1) and the rating buttons' white
labels sat on light grey (1.6:1). The app's filter (ui/monochrome.py) keeps 4.5:1.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from rich.style import Style
from textual.app import App
from textual.color import Color

from retain.store import home as store_home
from retain.store.collection import Collection
from retain.ui.app import RetainApp, make_app
from retain.ui.monochrome import MIN_CONTRAST, ReadableMonochrome, contrast, mono_terminal, readable_style
from retain.ui.widgets.progress_header import header_content

from .conftest import OpenApp
from .stats_fixture import BERLIN, NOW, build_fixture
from .test_stats_screen import settled

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


BLOCKS = set("■█▓▒░·")


def attrs(style: Style | None) -> tuple[bool, ...]:
    """What a terminal without colours shows of a style."""
    if style is None:
        return (False,) * 5
    return (
        bool(style.bold),
        bool(style.reverse),
        bool(style.underline),
        bool(style.italic),
        bool(style.strike),
    )


def mono_cells(app: App[Any], widget_id: str) -> set[tuple[str, tuple[bool, ...]]]:
    """Each block glyph inside the widget with what a monochrome terminal shows of its style."""
    region = app.screen.query_one(f"#{widget_id}").region
    found: set[tuple[str, tuple[bool, ...]]] = set()
    for y, strip in enumerate(app.screen._compositor.render_strips()):
        if region.y <= y < region.bottom:
            for seg in strip.crop(region.x, region.right):
                found |= {(ch, attrs(seg.style)) for ch in set(seg.text) & BLOCKS}
    return found


@pytest.fixture
def mono_stats_app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[RetainApp]:
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setattr(store_home, "bundled_decks_dir", lambda: None)
    home, _events = build_fixture(tmp_path)
    monkeypatch.setenv("RETAIN_HOME", str(tmp_path))
    col = Collection.open(home, NOW, tz=BERLIN, read_only=True)
    yield make_app(col, lambda: NOW, config=home.config)
    col.close()


async def test_stats_series_and_calendar_levels_are_told_apart_without_colour(
    mono_stats_app: RetainApp,
) -> None:
    """The stacked bars (young/mature; new/learning/relearning/review; Again..Easy; passed/failed),
    their legends and the calendar's levels were one grey each under NO_COLOR."""
    app = mono_stats_app
    async with app.run_test(size=(100, 120)) as pilot:
        await pilot.press("t")
        await settled(pilot)
        await pilot.pause(0.3)
        series = {
            "forecast-plot": 2,
            "forecast-note": 2,
            "reviews-plot": 2,  # the fixture has review and learning ratings at least
            "reviews-note": 4,
            "buttons-note": 4,
            "buttons-plot": 3,
            "hours-plot": 2,
            "calendar": 3,  # no reviews, and at least two levels of reviews
        }
        for name, least in series.items():
            assert len(mono_cells(app, name)) >= least, name


@pytest.mark.parametrize("theme", ["textual-dark", "nord"])
async def test_the_home_cursor_shows_without_colour(
    open_app: OpenApp, monkeypatch: pytest.MonkeyPatch, theme: str
) -> None:
    """On a group row (bold already) the cursor was only a grey background; in themes whose
    cursor has no text style (nord) on every row."""
    monkeypatch.setenv("NO_COLOR", "1")
    app = open_app()
    async with app.run_test(size=(100, 30)) as pilot:
        app.theme = theme
        await pilot.pause(0.2)

        def row(y: int) -> set[tuple[bool, ...]]:
            strip = app.screen._compositor.render_strips()[y]
            return {attrs(seg.style) for seg in strip if seg.text.strip()}

        group, deck = row(3), row(4)  # "Distributed Systems Interview", then "Apache Kafka"
        await pilot.press("down")
        await pilot.pause(0.2)
        assert row(3) != group and row(4) != deck


async def test_the_browser_row_shows_without_colour_while_searching(
    open_app: OpenApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With the search box focused the highlighted row (the one the preview shows) had no mark."""
    monkeypatch.setenv("NO_COLOR", "1")
    app = open_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("b")
        await pilot.pause(0.3)
        table = app.screen.query_one("#browser-table")
        assert not table.has_focus
        top = table.region.y + 1
        strips = app.screen._compositor.render_strips()
        first = {attrs(s.style) for s in strips[top] if s.text.strip()}
        second = {attrs(s.style) for s in strips[top + 1] if s.text.strip()}
        assert first != second


def test_the_progress_bar_without_colour_shows_what_is_left() -> None:
    """At 0% the bar was a full line of `━` under NO_COLOR (filled and left differ by colour only)."""
    bar = header_content(2, 0, 0, 2, 80, mono=True).plain
    assert "━" in bar and "─" in bar


async def test_an_empty_no_color_leaves_colours_on(
    open_app: OpenApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    """no-color.org: NO_COLOR counts when it is present *and not empty*."""
    monkeypatch.setenv("NO_COLOR", "")
    monkeypatch.setenv("TERM", "xterm-256color")
    app = open_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert not app.no_color
