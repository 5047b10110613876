"""Write one preset's FSRS weights into config.toml with tomlkit, keeping the file's comments.

The new text is parsed by the config loader before it replaces the file, so a
write can never leave a config.toml that retain refuses to start with. The file
is read as the loader reads it (`read_text_limited`, 1 MB) and written as every
config write is, through `store.files.atomic_write`: temp file, fsync,
`os.replace`, with the file's mode (a private 0600 config.toml stays private)
and a symbolic link written through and kept.

An existing `parameters` array of as many numbers gets the new ones in place, one by one: its
layout (one line or many) and every comment in it and after it stay, and nothing else in the
file changes. One of another length (which the loader refuses: it holds 21) is written anew, on
one line, the comments inside it dropped (a comment after it stays).
"""

from __future__ import annotations

import tomllib
from collections.abc import Sequence
from pathlib import Path

import tomlkit
from tomlkit.exceptions import TOMLKitError
from tomlkit.items import Array, InlineTable, Table

from retain.store.config import ConfigError, marker_problem, parse_config, read_only
from retain.store.config_edit import MAX_CONFIG_BYTES
from retain.store.files import ReadError, atomic_write, read_text_limited
from retain.store.oserror import os_error_text

__all__ = ["save_parameters"]


def _read(path: Path) -> str:
    """The file's text ("" when it does not exist); ConfigError when it cannot be read."""
    try:
        return read_text_limited(path, MAX_CONFIG_BYTES)
    except ReadError as exc:
        if not path.exists() and not path.is_symlink():
            return ""
        raise ConfigError(f"{path}: cannot be read to save the weights: {exc}") from None


def save_parameters(path: Path, preset: str, weights: Sequence[float]) -> None:
    """Set `[presets.<preset>] parameters = [...]`; raises ConfigError (one line) on failure."""
    text = _read(path)
    if read_only(path):
        raise ConfigError(f"{read_only(path)}; the weights were not saved")
    said = marker_problem(text)
    if said:
        raise ConfigError(f"{path}{said.removeprefix('config.toml')}; the weights were not saved")
    try:
        doc = tomlkit.parse(text)
    except (TOMLKitError, ValueError, RecursionError) as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise ConfigError(f"{path}: cannot be read to save the weights: {first}") from None
    presets = doc.get("presets")
    if presets is None:
        presets = tomlkit.table(is_super_table=True)
        doc["presets"] = presets
    elif not isinstance(presets, (Table, InlineTable)):
        raise ConfigError(f"{path}: `presets` is not a table; the weights were not saved")
    table = presets.get(preset)
    if table is None:
        table = tomlkit.table()
        presets[preset] = table
    elif not isinstance(table, (Table, InlineTable)):
        raise ConfigError(f"{path}: `presets.{preset}` is not a table; the weights were not saved")
    values = [round(float(w), 4) for w in weights]
    new_text = _with_parameters(doc, table, preset, values)
    parse_config(new_text)  # never write a file the loader would refuse
    try:
        atomic_write(path, new_text, keep_hard_links=True)
    except OSError as exc:
        raise ConfigError(f"{path}: cannot be written: {os_error_text(exc, name=False)}") from None


def _with_parameters(
    doc: tomlkit.TOMLDocument, table: Table | InlineTable, preset: str, values: list[float]
) -> str:
    """The document's text with `values` as the preset's `parameters`: in place in an existing
    array of as many numbers (its layout and comments kept), else as a new array."""
    old = table.get("parameters")
    if isinstance(old, Array) and len(old) == len(values):
        for i, value in enumerate(values):
            old[i] = value  # (the item's indent, comma and comment stay)
        text = tomlkit.dumps(doc)
        if _holds(text, preset, values):
            return text
    array = tomlkit.array()
    array.extend(values)
    table["parameters"] = array
    return tomlkit.dumps(doc)


def _holds(text: str, preset: str, values: list[float]) -> bool:
    """The text reads back (as the loader reads it) with `values` as the preset's parameters."""
    try:
        presets = tomllib.loads(text).get("presets", {})
        return bool(presets.get(preset, {}).get("parameters") == values)
    except (ValueError, RecursionError, AttributeError):
        return False
