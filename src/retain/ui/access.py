"""The typed way for a screen or widget to reach the running `RetainApp` (no `getattr` duck-typing)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.dom import DOMNode

if TYPE_CHECKING:
    from retain.ui.app import RetainApp

__all__ = ["retain_app"]


def retain_app(node: DOMNode) -> RetainApp:
    """The `RetainApp` that `node` runs in; a `TypeError` in any other app (a programming error)."""
    from textual.app import App

    from retain.ui.app import RetainApp

    app = node if isinstance(node, App) else node.app
    if not isinstance(app, RetainApp):
        raise TypeError(f"{type(node).__name__} runs only inside RetainApp, not {type(app).__name__}")
    return app
