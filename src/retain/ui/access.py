"""The typed way for a screen or widget to reach the running `RetainApp` (no `getattr` duck-typing)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.dom import DOMNode

if TYPE_CHECKING:
    from retain.ui.app import RetainApp

__all__ = ["read_only_line", "retain_app"]


def retain_app(node: DOMNode) -> RetainApp:
    """The `RetainApp` that `node` runs in; a `TypeError` in any other app (a programming error)."""
    from textual.app import App

    from retain.ui.app import RetainApp

    app = node if isinstance(node, App) else node.app
    if not isinstance(app, RetainApp):
        raise TypeError(f"{type(node).__name__} runs only inside RetainApp, not {type(app).__name__}")
    return app


def read_only_line(doing: str) -> str:
    """What a read-only retain (another one holds the writer lock) says of an action it cannot do."""
    return f"Read-only: another retain is running. Close it to {doing} here."
