"""`config.toml`: study settings, per-deck overrides, extra deck folders, theme, keymap."""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from retain.core.exam import ExamSetting
from retain.core.settings import StudySettings
from retain.core.tomlsafe import TomlFailure, loads_safe
from retain.store.files import ReadError, read_text_limited

__all__ = ["Config", "ConfigError", "StudySettings", "load_config", "parse_duration"]

_DUR_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhd])\s*$")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


class ConfigError(Exception):
    """Invalid config; the message names the key and the allowed range."""


def parse_duration(value: str) -> timedelta:
    m = _DUR_RE.match(value)
    if not m:
        raise ValueError(value)
    return timedelta(seconds=float(m[1]) * _UNITS[m[2]])


@dataclass(frozen=True, slots=True)
class Config:
    study: StudySettings = field(default_factory=StudySettings)
    deck_overrides: dict[str, StudySettings] = field(default_factory=dict)
    rollover_hour: int = 4
    deck_folders: tuple[Path, ...] = ()
    theme: str = "textual-dark"
    keymap: dict[str, str] = field(default_factory=dict)
    learn_ahead_minutes: int = 20
    exams: dict[str, ExamSetting] = field(default_factory=dict)  # [exam.<deck or group>] (exam_config)

    def for_deck(self, deck_id: str) -> StudySettings:
        return self.deck_overrides.get(deck_id, self.study)


def _num(key: str, value: Any, lo: float, hi: float, *, integer: bool) -> Any:
    ok_type = isinstance(value, int) if integer else isinstance(value, int | float)
    if isinstance(value, bool) or not ok_type or not (lo <= value <= hi):
        kind = "an integer" if integer else "a number"
        raise ConfigError(f"config: `{key}` must be {kind} from {lo:g} to {hi:g}, got {value!r}")
    return value


def _steps(key: str, value: Any) -> tuple[timedelta, ...]:
    if not isinstance(value, list) or len(value) > 20:
        raise ConfigError(f'config: `{key}` must be a list of durations like ["1m", "10m"]')
    try:
        steps = tuple(parse_duration(v) for v in value if isinstance(v, str))
    except ValueError as exc:
        raise ConfigError(f'config: `{key}` has {exc.args[0]!r}; use s, m, h or d, like "10m"') from None
    if len(steps) != len(value) or any(s <= timedelta(0) or s > timedelta(days=30) for s in steps):
        raise ConfigError(f'config: `{key}` must hold durations from 1s to 30d, like ["1m", "10m"]')
    return steps


def _study(prefix: str, raw: dict[str, Any], base: StudySettings) -> StudySettings:
    changes: dict[str, Any] = {}
    for key, value in raw.items():
        name = f"{prefix}{key}"
        if key == "desired_retention":
            changes[key] = float(_num(name, value, 0.7, 0.99, integer=False))
        elif key in ("new_per_day", "reviews_per_day"):
            changes[key] = _num(name, value, 0, 9999, integer=True)
        elif key in ("learning_steps", "relearning_steps"):
            changes[key] = _steps(name, value)
        elif key == "maximum_interval":
            changes[key] = _num(name, value, 1, 36500, integer=True)
        elif key == "leech_threshold":
            changes[key] = _num(name, value, 1, 99, integer=True)
        elif key == "fuzz":
            if not isinstance(value, bool):
                raise ConfigError(f"config: `{name}` must be true or false")
            changes[key] = value
        elif key == "leech_action":
            if value not in ("tag", "suspend"):
                raise ConfigError(f'config: `{name}` must be "tag" or "suspend", got {value!r}')
            changes[key] = value
        else:
            raise ConfigError(f"config: unknown setting `{name}`")
    return dataclasses.replace(base, **changes)


def parse_config(text: str) -> Config:
    data = loads_safe(text)
    if isinstance(data, TomlFailure):
        raise ConfigError(f"config.toml:{data.line}:{data.col}: {data.message}")
    study_raw = data.get("study", {})
    if not isinstance(study_raw, dict):
        raise ConfigError("config: [study] must be a table")
    study = _study("study.", study_raw, StudySettings())
    overrides: dict[str, StudySettings] = {}
    decks_raw = data.get("decks", {})
    if not isinstance(decks_raw, dict):
        raise ConfigError("config: [decks] must be a table of per-deck settings")
    for deck_id, raw in decks_raw.items():
        if not isinstance(raw, dict):
            raise ConfigError(f"config: [decks.{deck_id}] must be a table")
        overrides[deck_id] = _study(f"decks.{deck_id}.", raw, study)
    hour = _num("rollover_hour", data.get("rollover_hour", 4), 0, 23, integer=True)
    ahead = _num("learn_ahead_minutes", data.get("learn_ahead_minutes", 20), 0, 1440, integer=True)
    folders = data.get("deck_folders", [])
    if not isinstance(folders, list) or not all(isinstance(f, str) for f in folders):
        raise ConfigError('config: `deck_folders` must be a list of paths, like ["~/decks"]')
    theme = data.get("theme", "textual-dark")
    if not isinstance(theme, str):
        raise ConfigError("config: `theme` must be a theme name string")
    keymap = data.get("keymap", {})
    if not isinstance(keymap, dict) or not all(isinstance(v, str) for v in keymap.values()):
        raise ConfigError('config: [keymap] maps binding ids to keys, like "review.reveal" = "space"')
    known = {
        "study",
        "decks",
        "rollover_hour",
        "learn_ahead_minutes",
        "deck_folders",
        "theme",
        "keymap",
        "exam",
    }
    for key in data:
        if key not in known:
            raise ConfigError(f"config: unknown setting `{key}`")
    from retain.store.exam_config import parse_exams

    try:
        exams = parse_exams(data.get("exam", {}))
    except ValueError as exc:
        raise ConfigError(str(exc)) from None
    return Config(
        exams=exams,
        study=study,
        deck_overrides=overrides,
        rollover_hour=hour,
        deck_folders=tuple(Path(f).expanduser() for f in folders),
        theme=theme,
        keymap=dict(keymap),
        learn_ahead_minutes=ahead,
    )


def load_config(path: Path) -> Config:
    """Defaults when the file is missing; ConfigError when it is unreadable or invalid."""
    if not path.exists():
        return Config()
    try:
        text = read_text_limited(path, 1024 * 1024)
    except ReadError as exc:
        raise ConfigError(f"{path}: {exc}") from None
    try:
        return parse_config(text)
    except ConfigError as exc:
        raise ConfigError(f"{path}: {exc}") from None
