"""Errors raised by import and export: each carries a one-line message for the user."""

from __future__ import annotations

__all__ = ["InteropError", "LimitError"]


class InteropError(Exception):
    """An import or export refused or failed; `str(exc)` is one line for the user."""


class LimitError(InteropError):
    """An input broke one of the safety limits; the message names the limit."""
