"""Study settings that drive scheduling; loaded from config.toml by `retain.store.config`."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

__all__ = [
    "DEFAULT_PRESET",
    "LOWER_BOUNDS",
    "PARAMETER_COUNT",
    "UPPER_BOUNDS",
    "GroupLimit",
    "StudySettings",
    "parameters_problem",
]

DEFAULT_PRESET = "default"
# py-fsrs 6's LOWER_/UPPER_BOUNDS_PARAMETERS, copied so that loading the config (`retain due`)
# does not import fsrs; tests/store/test_config_presets.py checks they still agree.
LOWER_BOUNDS: tuple[float, ...] = (
    *(0.001,) * 4,
    1.0,
    0.001,
    0.001,
    0.001,
    0.0,
    0.0,
    *(0.001,) * 4,
    0.0,
    0.0,
    1.0,
    0.0,
    0.0,
    0.0,
    0.1,
)
UPPER_BOUNDS: tuple[float, ...] = (
    *(100.0,) * 4,
    10.0,
    4.0,
    4.0,
    0.75,
    4.5,
    0.8,
    3.5,
    5.0,
    0.25,
    0.9,
    4.0,
    1.0,
    6.0,
    2.0,
    2.0,
    0.8,
    0.8,
)
PARAMETER_COUNT = len(LOWER_BOUNDS)  # FSRS-6: 21 weights
_SHOWN = 60  # characters of a bad value in a message


@dataclass(frozen=True, slots=True)
class StudySettings:
    desired_retention: float = 0.9
    new_per_day: int = 20
    reviews_per_day: int = 200
    learning_steps: tuple[timedelta, ...] = (timedelta(minutes=1), timedelta(minutes=10))
    relearning_steps: tuple[timedelta, ...] = (timedelta(minutes=10),)
    maximum_interval: int = 36500
    fuzz: bool = True
    leech_threshold: int = 8
    leech_action: str = "tag"  # "tag" or "suspend"
    parameters: tuple[float, ...] | None = None  # the 21 FSRS-6 weights; None: FSRS's defaults
    preset: str = DEFAULT_PRESET  # the [presets.NAME] these settings come from


@dataclass(frozen=True, slots=True)
class GroupLimit:
    """A group's daily limits (`[groups."NAME"]`): they cap the sum over its decks of what is
    introduced (`new_per_day`) and reviewed (`reviews_per_day`) in a study day; None: no cap."""

    key: str  # the group's name as compared (`core.model.group_key`): one group, whatever the case
    name: str  # as config.toml spells it
    new_per_day: int | None = None
    reviews_per_day: int | None = None


def parameters_problem(values: Sequence[object]) -> str | None:
    """Why `values` are not usable FSRS-6 weights (None when they are), checked against FSRS's bounds."""
    if len(values) != PARAMETER_COUNT:
        return f"must hold {PARAMETER_COUNT} numbers, got {len(values)}"
    bounds = zip(values, LOWER_BOUNDS, UPPER_BOUNDS, strict=True)
    for i, (value, lo, hi) in enumerate(bounds):
        if isinstance(value, bool) or not isinstance(value, int | float):
            return f"[{i}] must be a number, got {_short(value)}"
        if not math.isfinite(value) or not lo <= value <= hi:
            return f"[{i}] must be from {lo:g} to {hi:g}, got {_short(value)}"
    return None


def _short(value: object) -> str:
    """A bad value for a one-line message: a 5,000-character string or a 4,000-digit number is cut."""
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 10**_SHOWN:
        return "a huge number"
    text = repr(value)
    return text if len(text) <= _SHOWN else f"{text[:_SHOWN]}..."
