"""Write one preset's FSRS weights into config.toml with tomlkit, keeping the file's comments.

The new text is parsed by the config loader before it replaces the file
(temp file in the same folder, fsync, `os.replace`), so a write can never leave
a config.toml that retain refuses to start with.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import tomlkit
from tomlkit.exceptions import TOMLKitError

from retain.store.config import ConfigError, parse_config
from retain.store.files import fsync_dir

__all__ = ["save_parameters"]


def save_parameters(path: Path, preset: str, weights: Sequence[float]) -> None:
    """Set `[presets.<preset>] parameters = [...]`; raises ConfigError (one line) on failure."""
    try:
        text = path.read_text(encoding="utf-8") if path.exists() else ""
        doc = tomlkit.parse(text)
    except (OSError, UnicodeDecodeError, TOMLKitError) as exc:
        raise ConfigError(f"{path}: cannot be read to save the weights: {exc}") from None
    presets = doc.get("presets")
    if presets is None:
        presets = tomlkit.table(is_super_table=True)
        doc["presets"] = presets
    table = presets.get(preset)
    if table is None:
        table = tomlkit.table()
        presets[preset] = table
    array = tomlkit.array()
    array.extend(round(float(w), 4) for w in weights)
    table["parameters"] = array
    new_text = tomlkit.dumps(doc)
    parse_config(new_text)  # never write a file the loader would refuse
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(tmp, "w", encoding="utf-8") as fh:
            fh.write(new_text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
        fsync_dir(path.parent)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise ConfigError(f"{path}: cannot be written: {exc.strerror or exc}") from None
