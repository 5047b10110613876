"""A path the user typed for an import or export: its `~` expanded, or one line saying why not."""

from __future__ import annotations

from pathlib import Path

from retain.interop.errors import InteropError
from retain.store.config import ConfigError
from retain.store.paths import user_path

__all__ = ["typed_path"]


def typed_path(text: str) -> Path:
    """`text` as a path, `~` and `~user` expanded; InteropError (one line) for a `~user` with no
    home folder, where pathlib raises RuntimeError (a crash of the TUI's share dialogs)."""
    try:
        return user_path(text, "path")
    except ConfigError as exc:
        raise InteropError(str(exc)) from None
