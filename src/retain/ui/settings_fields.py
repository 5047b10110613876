"""The settings screen's fields: which config.toml key each edits, and text <-> TOML value.

No Textual here: `retain.ui.screens.settings` builds the widgets from these
specs. A field's text is turned into the TOML value as typed (a number when TOML
reads it as one, `0x1E` and `1e3` too, else the text itself), and the config
loader judges it, so the messages are the loader's own. An empty field removes
the key: the setting is inherited again (from `[study]`, or from the built-in default). A steps field
takes `none` for no steps at all (`learning_steps = []`), which an empty field
cannot say.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields
from datetime import timedelta
from typing import Any, Literal

from retain.core.settings import StudySettings
from retain.core.tomlsafe import loads_safe
from retain.store.config import Config

__all__ = [
    "GLOBAL_FIELDS",
    "NO_STEPS",
    "PRESET_FIELDS",
    "Field",
    "Kind",
    "inherited",
    "parameters_text",
    "parse_text",
    "toml_number",
    "value_text",
]

Kind = Literal["int", "number", "steps", "paths", "choice", "bool"]

# A decimal integer as TOML writes one (`1_000`, no leading zero), read without a parse; every other
# number (`0x1E`, `0o36`, `0b11110`, `1e3`, `inf`) is read by the TOML parser the loader uses.
_INT_RE = re.compile(r"^[+-]?(?:0|[1-9](?:_?[0-9])*)\Z")
NO_STEPS = "none"  # a steps field's text for `[]`: no (re)learning steps
_MIN_INT, _MAX_INT = -(2**63), 2**63 - 1  # TOML integers are 64-bit
_MAX_DIGITS = 40  # a longer integer is no 64-bit one, whatever its signs, zeros and underscores


@dataclass(frozen=True, slots=True)
class Field:
    key: str  # the key inside its table
    label: str
    kind: Kind
    hint: str = ""
    choices: tuple[str, ...] = ()  # for "choice"


GLOBAL_FIELDS: tuple[Field, ...] = (
    Field("rollover_hour", "Day starts at (hour)", "int", "0-23, local time"),
    Field("learn_ahead_minutes", "Learn ahead (minutes)", "int", "0-1440"),
    Field("theme", "Theme", "choice"),  # choices: the app's themes
    Field("deck_folders", "Deck folders", "paths", "like ~/decks, ~/work/cards"),
)

PRESET_FIELDS: tuple[Field, ...] = (
    Field("desired_retention", "Desired retention", "number", "0.70-0.99: recall to aim at"),
    Field("new_per_day", "New cards per day", "int", "0-9999"),
    Field("reviews_per_day", "Reviews per day", "int", "0-9999"),
    Field("learning_steps", "Learning steps", "steps", f"like 1m 10m; {NO_STEPS}: no steps"),
    Field("relearning_steps", "Relearning steps", "steps", f"like 10m; {NO_STEPS}: no steps"),
    Field("maximum_interval", "Maximum interval (days)", "int", "1-36500"),
    Field("leech_threshold", "Leech threshold (lapses)", "int", "0-99"),
    Field("leech_action", "Leech action", "choice", "", ("tag", "suspend")),
    Field("fuzz", "Fuzz intervals", "bool"),
)


def parse_text(kind: Kind, text: str) -> Any:
    """The TOML value for what was typed; None for an empty field (remove the key)."""
    text = text.strip()
    if not text:
        return None
    if kind in ("int", "number"):
        return toml_number(text)
    if kind == "steps":
        if text.lower() == NO_STEPS:
            return []
        return [s for s in re.split(r"[,\s]+", text) if s]
    if kind == "paths":
        return [p.strip() for p in text.split(",") if p.strip()]
    if kind == "bool":
        return {"on": True, "true": True, "off": False, "false": False}.get(text.lower(), text)
    return text


def toml_number(text: str) -> int | float | str:
    """The number `text` is as a TOML value (`learn_ahead_minutes = <text>` in the file), else
    the text itself, which the loader names as it was typed ("must be an integer ..., got '1.'"):
    so is a number TOML cannot hold (a 64-bit integer), not turned into a float or cut."""
    if _INT_RE.match(text):
        # (length first: int() refuses more than 4300 digits with a ValueError, a pasted
        # screenful would have closed the app)
        value: Any = int(text) if len(text) <= _MAX_DIGITS else None
    elif "#" in text or "\n" in text or "\r" in text:
        return text  # a comment, or a second line: more than one value
    else:
        data = loads_safe(f"v = {text}\n")  # (the loader's parser: its limits, never a traceback)
        value = data.get("v") if isinstance(data, dict) and len(data) == 1 else None
    if isinstance(value, bool) or not isinstance(value, int | float):
        return text  # the loader says what it must be
    if isinstance(value, int) and not _MIN_INT <= value <= _MAX_INT:
        return text
    return value


def _duration_text(step: timedelta) -> str:
    seconds = step.total_seconds()
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size and seconds % size == 0:
            return f"{int(seconds // size)}{unit}"
    return f"{seconds:g}s"


def value_text(kind: Kind, value: Any) -> str:
    """How a value from config.toml (or a StudySettings default) is shown in its field."""
    if value is None:
        return ""
    if kind == "bool" and isinstance(value, bool):
        return "on" if value else "off"
    if isinstance(value, list | tuple):
        if kind == "steps" and not value:
            return NO_STEPS  # `[]` is a setting (no steps), not an empty field (inherited)
        parts = [_duration_text(v) if isinstance(v, timedelta) else str(v) for v in value]
        return ", ".join(parts) if kind == "paths" else " ".join(parts)
    if isinstance(value, float):
        return repr(value)  # as the file holds it: `{:g}` showed 0.9900001 as 0.99, and 20.0 as 20
    return str(value)


_DEFAULTS: dict[str, Any] = {f.name: getattr(StudySettings(), f.name) for f in fields(StudySettings)}
_GLOBAL_DEFAULTS: dict[str, Any] = {
    "rollover_hour": Config().rollover_hour,
    "learn_ahead_minutes": Config().learn_ahead_minutes,
    "theme": Config().theme,
    "deck_folders": [],
}


def _table(data: dict[str, Any], *keys: str) -> dict[str, Any]:
    node: Any = data
    for key in keys:
        node = node.get(key) if isinstance(node, dict) else None
    return node if isinstance(node, dict) else {}


def inherited(data: dict[str, Any], table: tuple[str, ...], key: str) -> tuple[Any, str]:
    """(value, where from) that a setting left empty in `table` takes: a deck from its preset, a
    preset from `[study]`, `[study]` (and a global setting) from the built-in default."""
    if not table:
        return _GLOBAL_DEFAULTS.get(key), "default"
    chain: list[tuple[tuple[str, ...], str]] = []
    if table[0] == "decks":
        preset = _table(data, *table).get("preset")
        name = preset if isinstance(preset, str) else "default"
        chain.append((("presets", name), f"preset {name}"))
    if table[0] in ("decks", "presets"):
        chain.append((("study",), "study"))
    for where, label in chain:
        values = _table(data, *where)
        if key in values:
            return values[key], label
    return _DEFAULTS.get(key), "default"


def parameters_text(data: dict[str, Any], table: tuple[str, ...]) -> str:
    """The FSRS parameters of a preset, read-only: how many, and whether optimized."""
    params = _table(data, *table).get("parameters")
    if isinstance(params, list) and params:
        return f"{len(params)} parameters, optimized (`retain optimize` writes them)"
    default = _table(data, "presets", "default").get("parameters")
    if table == ("study",) and isinstance(default, list) and default:
        # what `retain optimize --all` writes: decks without a preset of their own use it
        return f"decks without a preset use [presets.default]: {len(default)} parameters, optimized"
    return "FSRS defaults (not optimized yet)"
