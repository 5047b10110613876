"""Write one preset's FSRS weights into config.toml with tomlkit, keeping the file's comments.

The new text is parsed by the config loader before it replaces the file, so a
write can never leave a config.toml that retain refuses to start with. The file
is read as the loader reads it (`read_text_limited`, 1 MB) and written as every
config write is, through `store.files.atomic_write`: temp file, fsync,
`os.replace`, with the file's mode (a private 0600 config.toml stays private)
and a symbolic link written through and kept.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import tomlkit
from tomlkit.exceptions import TOMLKitError
from tomlkit.items import InlineTable, Table

from retain.store.config import ConfigError, marker_problem, parse_config, read_only
from retain.store.config_edit import MAX_CONFIG_BYTES
from retain.store.files import ReadError, atomic_write, read_text_limited

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
    array = tomlkit.array()
    array.extend(round(float(w), 4) for w in weights)
    table["parameters"] = array
    new_text = tomlkit.dumps(doc)
    parse_config(new_text)  # never write a file the loader would refuse
    try:
        atomic_write(path, new_text)
    except OSError as exc:
        raise ConfigError(f"{path}: cannot be written: {exc.strerror or exc}") from None
