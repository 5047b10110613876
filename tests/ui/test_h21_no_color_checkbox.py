"""Under NO_COLOR a ticked box differs from an empty one by more than a grey: the import and export
dialogs' "Import review history" showed `▐X▌` either way, grey 246 off against 250 on (1.6:1), so a
user who thought history was coming got an import without it. Ticked, the box is light with a dark X."""

from __future__ import annotations

import pytest
from textual.color import Color
from textual.widgets import Checkbox

from retain.ui.monochrome import contrast

from .conftest import OpenApp


def _x_style(app: object, box: Checkbox) -> tuple[Color, Color]:
    """(foreground, background) of the cell that draws the box's X."""
    screen = app.screen  # type: ignore[attr-defined]
    region = box.region
    for y, strip in enumerate(screen._compositor.render_strips()):
        if region.y <= y < region.bottom:
            for seg in strip.crop(region.x, region.right):
                if seg.text.strip() == "X" and seg.style is not None:
                    fg, bg = seg.style.color, seg.style.bgcolor
                    assert fg is not None and bg is not None
                    return Color.from_rich_color(fg), Color.from_rich_color(bg)
    raise AssertionError("no X drawn")


@pytest.mark.parametrize(("key", "box_id"), [("i", "share-history-flag"), ("x", "share-progress-flag")])
async def test_no_color_tells_a_ticked_box_from_an_empty_one(
    open_app: OpenApp, monkeypatch: pytest.MonkeyPatch, key: str, box_id: str
) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    app = open_app()
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.press(key)
        await pilot.pause(0.2)
        box = app.screen.query_one(f"#{box_id}", Checkbox)
        box.value = False
        await pilot.pause(0.2)
        off = _x_style(app, box)
        box.value = True
        await pilot.pause(0.2)
        on = _x_style(app, box)
        # as a grey screen shows them (ReadableMonochrome keeps a colour's luminance): the ticked
        # box's light background against the empty one's dark, the X dark on it
        assert contrast(on[1], off[1]) >= 3, (off, on)
        assert contrast(on[0], on[1]) >= 4.5, on


async def test_in_colour_a_ticked_box_keeps_textuals_look(open_app: OpenApp) -> None:
    app = open_app()
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.press("i")
        await pilot.pause(0.2)
        box = app.screen.query_one("#share-history-flag", Checkbox)
        box.value = True
        await pilot.pause(0.2)
        assert contrast(*_x_style(app, box)) >= 3  # Textual's own: a light X on the panel
