"""Write one preset's FSRS weights into config.toml with tomlkit, keeping the file's comments.

The write is one edit of the settings screen's document (`store.config_edit.ConfigDocument`), so
it finds the preset's table wherever the file's layout puts it (its parts apart in the file,
`[presets.a]` .. `[decks.x]` .. `[presets.b]`; dotted keys, `presets.a.parameters = [...]`; an
inline table, `presets = {a = {...}}`), keeps CRLF line endings, and refuses a layout where the
new text would read back as anything but the old file with the new weights. The new text is
checked as the config loader reads the file (`config_edit.loadable`: its 1 MiB size limit, then
its parser) before it replaces the file, so a write can never leave a config.toml that retain
refuses to start with. The file is read as the loader reads it
(`read_text_limited`, 1 MB) and written as every config write is, through
`store.files.atomic_write`: temp file, fsync, `os.replace`, with the file's mode (a private 0600
config.toml stays private) and a symbolic link written through and kept.

An existing `parameters` array of as many numbers gets the new ones in place, one by one: its
layout (one line or many) and every comment in it and after it stay, and nothing else in the
file changes. One of another length (which the loader refuses: it holds 21) is written anew, on
one line, the comments inside it dropped (a comment after it stays).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from retain.store.config import ConfigError, read_only
from retain.store.config_edit import MAX_CONFIG_BYTES, ConfigDocument, ConfigEditError
from retain.store.files import ReadError, atomic_write, read_text_limited
from retain.store.oserror import os_error_text

__all__ = ["save_parameters"]

_NOT_SAVED = "the weights were not saved"


def _read(path: Path) -> str | None:
    """The file's text (None when it does not exist); ConfigError when it cannot be read."""
    try:
        return read_text_limited(path, MAX_CONFIG_BYTES)
    except ReadError as exc:
        if not path.exists() and not path.is_symlink():
            return None
        raise ConfigError(f"{path}: cannot be read to save the weights: {exc}") from None


def _refused(path: Path, exc: ConfigEditError | ConfigError) -> ConfigError:
    """The document's (or the loader's) one-line refusal, naming the file, with what it means here."""
    said = str(exc).removeprefix("config: ")
    if said.startswith("config.toml:"):  # a place in the file, `config.toml:3:1: ...`: named by its path
        said = f"{path}{said.removeprefix('config.toml')}"
    return ConfigError(f"{said if said.startswith(str(path)) else f'{path}: {said}'}; {_NOT_SAVED}")


def save_parameters(path: Path, preset: str, weights: Sequence[float]) -> None:
    """Set `[presets.<preset>] parameters = [...]`; raises ConfigError (one line) on failure."""
    text = _read(path)
    said = read_only(path)
    if said:
        raise ConfigError(f"{said}; {_NOT_SAVED}")
    values = [round(float(w), 4) for w in weights]
    try:
        edit = ConfigDocument(path, text, cannot="cannot be read to save the weights")
        edit.set(("presets", preset, "parameters"), values)
    except ConfigEditError as exc:
        raise _refused(path, exc) from None
    try:
        edit.validate()  # never write a file the loader would refuse (its size limit too)
    except ConfigError as exc:
        raise _refused(path, exc) from None
    try:
        atomic_write(path, edit.to_write(edit.text()), keep_hard_links=True)
    except OSError as exc:
        raise ConfigError(f"{path}: cannot be written: {os_error_text(exc, name=False)}") from None
