"""Read what a running Pilot app shows, as plain text."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from textual.app import App
from textual.pilot import Pilot

__all__ = ["screen_text", "until"]


def screen_text(app: App[Any]) -> str:
    """The current screen as the terminal would show it, one line per row."""
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


async def until(pilot: Pilot[Any], ok: Callable[[], bool], seconds: float = 10.0) -> bool:
    """Whether `ok()` holds within `seconds`: for what Textual does after a refresh or through an
    animation (a focused widget scrolled into view), which one pause does not wait for on a busy
    machine."""
    end = time.monotonic() + seconds
    while not ok():
        if time.monotonic() > end:
            return False
        await pilot.pause(0.02)
    return True
