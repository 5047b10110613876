"""Read what a running Pilot app shows, as plain text."""

from __future__ import annotations

from typing import Any

from textual.app import App

__all__ = ["screen_text"]


def screen_text(app: App[Any]) -> str:
    """The current screen as the terminal would show it, one line per row."""
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())
