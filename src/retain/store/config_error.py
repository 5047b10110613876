"""The error of an invalid config or of a home folder that cannot be found (its own module: the
config loader and `store.paths`, which the loader imports, both raise it)."""

from __future__ import annotations

__all__ = ["ConfigError"]


class ConfigError(Exception):
    """Invalid config; the message names the key and the allowed range."""
